import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { MIB } from '../../core/documents/policy.ts';
import { storeDocument } from '../../db/documents.ts';
import { auditLog, documents } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

const PDF = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600', 'hex'), Buffer.alloc(64)]);
const OPUS = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from('OpusHead'), Buffer.alloc(64)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(256)]);

interface DocumentBody { document: { id: string; personId: string; type: string; mediaType: string; filename: string | null; sizeBytes: number; sha256: string; source: string } }
interface ErrorBody { error: { code: string; message: string; fields?: Record<string, string> } }

function form(content: Buffer, fields: { type: string; filename?: string; mediaType?: string; applicationId?: string }): FormData {
  const data = new FormData();
  data.append('file', new File([new Uint8Array(content)], fields.filename ?? 'file', fields.mediaType !== undefined ? { type: fields.mediaType } : {}));
  data.append('type', fields.type);
  if (fields.applicationId) data.append('applicationId', fields.applicationId);
  return data;
}

describe.skipIf(postgresSkipped)('documents API', () => {
  let t: TestApp;
  let f: CaseFixtures;
  const cookies: Record<string, string> = {};
  const db = () => t.db.database.db;
  const get = (user: string, path: string) => t.request(path, { headers: { cookie: cookies[user]! } });
  const upload = (user: string, personId: string, body: FormData) => t.request(`/api/v1/people/${personId}/documents`, { method: 'POST', headers: { cookie: cookies[user]! }, body });
  const documentCount = async () => (await db().select({ n: count() }).from(documents))[0]!.n;
  const auditCount = async (action: string, subjectId: string, outcome: 'ok' | 'denied' = 'ok') =>
    (await db().select({ n: count() }).from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.subjectId, subjectId), eq(auditLog.outcome, outcome))))[0]!.n;

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores an upload with its checksum and size, lists it, and serves it back as a safe attachment, every access audited', async () => {
    const { personId, applicationId } = f.albairate;
    const res = await upload('sara', personId, form(PDF, { type: 'isee', filename: '../../etc/ISEE "2026".pdf', mediaType: 'application/pdf', applicationId }));
    expect(res.status).toBe(201);
    const { document } = (await res.json()) as DocumentBody;
    expect(document).toMatchObject({ personId, type: 'isee', mediaType: 'application/pdf', sizeBytes: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex'), source: 'staff' });
    expect(await auditCount('document.create', document.id)).toBe(1);

    const listed = (await (await get('sara', `/api/v1/people/${personId}/documents`)).json()) as { documents: { id: string }[] };
    expect(listed.documents.map((d) => d.id)).toContain(document.id);
    expect(JSON.stringify(listed)).not.toContain('content');
    expect(await auditCount('documents.list', personId)).toBe(1);

    const meta = await get('sara', `/api/v1/documents/${document.id}`);
    expect(meta.status).toBe(200);
    expect(await auditCount('document.read', document.id)).toBe(1);

    for (let i = 1; i <= 2; i++) {
      const download = await get('sara', `/api/v1/documents/${document.id}/content`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/pdf');
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(download.headers.get('content-disposition')).toBe(`attachment; filename="ISEE _2026.pdf"; filename*=UTF-8''ISEE%20_2026.pdf`);
      expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
      expect(await auditCount('document.download', document.id)).toBe(i);
    }
  });

  it('recognises photos and voice notes by content, also without a declared type', async () => {
    const photo = await upload('sara', f.albairate.personId, form(JPEG, { type: 'photo', filename: 'IMG_0001' }));
    expect(photo.status).toBe(201);
    expect(((await photo.json()) as DocumentBody).document.mediaType).toBe('image/jpeg');
    const voice = await upload('paola', f.albairate.personId, form(OPUS, { type: 'voice', filename: 'voice.oga', mediaType: 'audio/ogg' }));
    expect(voice.status).toBe(201);
    const { document } = (await voice.json()) as DocumentBody;
    expect(document.mediaType).toBe('audio/ogg');
    const download = await get('paola', `/api/v1/documents/${document.id}/content`);
    expect(download.headers.get('content-disposition')).toContain('filename="voice.ogg"');
  });

  it('refuses files over the type’s limit with 413 and stores nothing', async () => {
    const before = await documentCount();
    const bigVoice = Buffer.concat([OPUS, Buffer.alloc(5 * MIB + 1 - OPUS.length)]);
    const voice = await upload('sara', f.albairate.personId, form(bigVoice, { type: 'voice', mediaType: 'audio/ogg' }));
    expect(voice.status).toBe(413);
    expect(((await voice.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
    const bigPdf = Buffer.concat([PDF, Buffer.alloc(10 * MIB + 1 - PDF.length)]);
    expect((await upload('sara', f.albairate.personId, form(bigPdf, { type: 'isee', mediaType: 'application/pdf' }))).status).toBe(413);
    // The same voice note at exactly the limit is fine.
    const atLimit = Buffer.concat([OPUS, Buffer.alloc(5 * MIB - OPUS.length)]);
    expect((await upload('sara', f.albairate.personId, form(atLimit, { type: 'voice' }))).status).toBe(201);
    expect(await documentCount()).toBe(before + 1);
  });

  it('refuses wrong or mismatching content with 415 and stores nothing', async () => {
    const before = await documentCount();
    const exe = await upload('sara', f.albairate.personId, form(EXE, { type: 'certificate', filename: 'certificato.pdf', mediaType: 'application/pdf' }));
    expect(exe.status).toBe(415);
    expect(((await exe.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await upload('sara', f.albairate.personId, form(PNG, { type: 'photo', filename: 'foto.jpg', mediaType: 'image/jpeg' }))).status).toBe(415);
    expect((await upload('sara', f.albairate.personId, form(PDF, { type: 'voice' }))).status).toBe(415);
    expect((await upload('sara', f.albairate.personId, form(Buffer.from('<html><script>alert(1)</script></html>'), { type: 'other', mediaType: 'text/html' }))).status).toBe(415);
    expect((await upload('sara', f.albairate.personId, form(Buffer.from('hello'), { type: 'other', mediaType: 'text/plain' }))).status).toBe(415);
    expect(await documentCount()).toBe(before);
  });

  it('refuses bad form input with 400 (missing or empty file, unknown type, another person’s application) and a JSON body with 415', async () => {
    const other = await f.createFile('albairate');
    const before = await documentCount();
    const noFile = new FormData();
    noFile.append('type', 'isee');
    expect((await upload('sara', f.albairate.personId, noFile)).status).toBe(400);
    expect((await upload('sara', f.albairate.personId, form(Buffer.alloc(0), { type: 'isee' }))).status).toBe(400);
    expect((await upload('sara', f.albairate.personId, form(PDF, { type: 'passport' }))).status).toBe(400);
    const wrongApp = await upload('sara', f.albairate.personId, form(PDF, { type: 'isee', applicationId: other.applicationId }));
    expect(wrongApp.status).toBe(400);
    expect(Object.keys(((await wrongApp.json()) as ErrorBody).error.fields ?? {})).toEqual(['applicationId']);
    const json = await t.json(`/api/v1/people/${f.albairate.personId}/documents`, { type: 'isee' }, { headers: { cookie: cookies.sara! } });
    expect(json.status).toBe(415);
    expect(((await json.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await documentCount()).toBe(before);
  });

  it('keeps scope and roles: other comune 404 (audited), operator uploads but cannot read, provider nothing', async () => {
    const docId = f.albairate.documentId;
    expect((await get('giorgio', `/api/v1/documents/${docId}/content`)).status).toBe(404);
    expect(await auditCount('GET /api/v1/documents/:id/content', docId, 'denied')).toBe(1);
    expect(await auditCount('document.download', docId)).toBe(0);
    expect((await get('giorgio', `/api/v1/documents/${docId}`)).status).toBe(404);
    expect((await get('giorgio', `/api/v1/people/${f.albairate.personId}/documents`)).status).toBe(404);
    expect((await upload('giorgio', f.albairate.personId, form(PDF, { type: 'isee' }))).status).toBe(404);

    expect((await upload('marco', f.abbiategrasso.personId, form(PDF, { type: 'certificate' }))).status).toBe(201);
    expect((await get('marco', `/api/v1/documents/${docId}/content`)).status).toBe(403);
    expect((await get('marco', `/api/v1/people/${f.albairate.personId}/documents`)).status).toBe(403);

    expect((await upload('ilsole', f.albairate.personId, form(PDF, { type: 'isee' }))).status).toBe(403);
    expect((await get('ilsole', `/api/v1/documents/${docId}/content`)).status).toBe(403);

    expect((await get('sara', '/api/v1/documents/not-a-uuid/content')).status).toBe(404);
    expect((await get('sara', '/api/v1/documents/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.request(`/api/v1/documents/${docId}/content`)).status).toBe(401);
  });

  it('stores chat media through the same policy (storeDocument), scoped by comune until the person is known', async () => {
    const stored = await storeDocument(db(), { personId: null, conversationId: null, comuneId: 'albairate', type: 'photo', mediaType: 'image/png', filename: 'photo.png', content: PNG, source: 'chat' });
    expect(stored).toMatchObject({ sizeBytes: PNG.length, mediaType: 'image/png', sha256: createHash('sha256').update(PNG).digest('hex') });
    expect((await get('sara', `/api/v1/documents/${stored.id}`)).status).toBe(200);
    expect((await get('giorgio', `/api/v1/documents/${stored.id}`)).status).toBe(404);
    const [row] = await db().select({ actorType: auditLog.actorType }).from(auditLog).where(and(eq(auditLog.action, 'document.create'), eq(auditLog.subjectId, stored.id)));
    expect(row!.actorType).toBe('person');
    await expect(storeDocument(db(), { type: 'voice', content: EXE, source: 'chat' })).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    await expect(storeDocument(db(), { type: 'voice', content: Buffer.alloc(5 * MIB + 1), source: 'chat' })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
