/**
 * GDPR export and erasure through the real HTTP app: the export bundles everything and is
 * audited; erasure wipes identity and content but leaves ledger, fee statements, payments and
 * the audit log exactly as they were; a running programme blocks it (409).
 * Also: the PGlite data directory is created 0700.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { ERASED_NAME } from '../../db/privacy.ts';
import {
  auditLog,
  channelIdentities,
  conversations,
  documents,
  feeStatements,
  messages,
  payments,
  people,
  programmes,
  voucherLedger,
} from '../../db/schema.ts';
import { createCaseFixtures, ledgerBalance, type CaseFile, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped, testDbKind } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('GDPR export and erasure', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let cookie: Record<string, string>;
  const db = () => t.db.database.db;

  /** A file with a linked Telegram identity, a conversation with personal text and a payment. */
  async function richFile(): Promise<CaseFile & { identityId: string; conversationId: string }> {
    const file = await f.createFile('albairate');
    await db().update(people).set({ codiceFiscale: null, email: 'maria.bianchi@example.it', address: 'Via Garibaldi 12, Albairate' }).where(eq(people.id, file.personId));
    const [identity] = await db().insert(channelIdentities).values({ channel: 'telegram', address: `7${Date.now()}`, personId: file.personId }).returning({ id: channelIdentities.id });
    const [conv] = await db().insert(conversations).values({ channel: 'telegram', identityId: identity!.id, comuneId: 'albairate', lastSeq: 2, state: { collected: { name: 'Maria Bianchi' } } }).returning({ id: conversations.id });
    await db().insert(messages).values([
      { conversationId: conv!.id, seq: 1, direction: 'in', author: 'person', body: 'Sono Maria Bianchi, mi serve aiuto con la spesa' },
      { conversationId: conv!.id, seq: 2, direction: 'out', author: 'bot', body: 'Grazie, ho preso nota.' },
    ]);
    await db().insert(payments).values({ statementId: file.feeStatementId, amountCents: 1250, paidOn: '2026-01-15', method: 'pagoPA' });
    return { ...file, identityId: identity!.id, conversationId: conv!.id };
  }

  async function books(programmeId: string, statementId: string) {
    return {
      ledger: await db().select().from(voucherLedger).where(eq(voucherLedger.programmeId, programmeId)).orderBy(asc(voucherLedger.id)),
      statements: await db().select().from(feeStatements).where(eq(feeStatements.programmeId, programmeId)),
      payments: await db().select().from(payments).where(eq(payments.statementId, statementId)),
      balance: await ledgerBalance(db(), programmeId),
    };
  }
  const auditCount = async () => (await db().select({ n: count() }).from(auditLog))[0]!.n;

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(db());
    cookie = { paola: await t.login('paola'), sara: await t.login('sara'), giorgio: await t.login('giorgio'), marco: await t.login('marco') };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('exports everything held about a person, audited, with document metadata but no content', async () => {
    const file = await richFile();
    const res = await t.request(`/api/v1/people/${file.personId}/export`, { headers: { cookie: cookie.sara! } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const { data } = (await res.json()) as { data: Record<string, any> };
    expect(data.profile.email).toBe('maria.bianchi@example.it');
    expect(data.delegations.delegates).toHaveLength(1);
    expect(data.consents.length).toBeGreaterThan(0);
    expect(data.identities.map((i: { id: string }) => i.id)).toEqual([file.identityId]);
    expect(data.conversations[0].messages.map((m: { body: string }) => m.body)).toContain('Sono Maria Bianchi, mi serve aiuto con la spesa');
    expect(data.applications.map((a: { id: string }) => a.id)).toEqual([file.applicationId]);
    expect(data.programmes.map((p: { id: string }) => p.id)).toEqual([file.programmeId]);
    expect(data.visits).toHaveLength(2);
    expect(data.ledger).toHaveLength(1);
    expect(data.feeStatements).toHaveLength(1);
    expect(data.payments).toHaveLength(1);
    expect(data.documents).toHaveLength(1);
    expect(data.documents[0]).not.toHaveProperty('content');
    const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.action, 'person.export'), eq(auditLog.subjectId, file.personId)));
    expect(audit).toMatchObject({ actorType: 'staff', outcome: 'ok', comuneId: 'albairate' });
  });

  it('refuses the export outside the comuni (404, audited) and to operators (403)', async () => {
    const out = await t.request(`/api/v1/people/${f.albairate.personId}/export`, { headers: { cookie: cookie.giorgio! } });
    expect(out.status).toBe(404);
    const op = await t.request(`/api/v1/people/${f.albairate.personId}/export`, { headers: { cookie: cookie.marco! } });
    expect(op.status).toBe(403);
    const bad = await t.request('/api/v1/people/not-a-uuid/export', { headers: { cookie: cookie.paola! } });
    expect(bad.status).toBe(404);
  });

  it('refuses erasure while a programme is running (409, in Italian) and changes nothing', async () => {
    const file = await richFile();
    const before = await db().select().from(people).where(eq(people.id, file.personId));
    const res = await t.json(`/api/v1/people/${file.personId}/erasure`, { confirm: true }, { headers: { cookie: cookie.paola! } });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CONFLICT');
    expect(body.error.message).toMatch(/programma in corso/);
    expect(await db().select().from(people).where(eq(people.id, file.personId))).toEqual(before);
    const sara = await t.json(`/api/v1/people/${file.personId}/erasure`, { confirm: true }, { headers: { cookie: cookie.sara! } });
    expect(sara.status).toBe(403);
    const noConfirm = await t.json(`/api/v1/people/${file.personId}/erasure`, { confirm: false }, { headers: { cookie: cookie.paola! } });
    expect(noConfirm.status).toBe(400);
  });

  it('erases identity and content, keeps the ledger, fee statements, payments and audit log intact', async () => {
    const file = await richFile();
    await db().update(programmes).set({ status: 'ended' }).where(eq(programmes.id, file.programmeId));
    const booksBefore = await books(file.programmeId, file.feeStatementId);
    const auditBefore = await db().select().from(auditLog).orderBy(asc(auditLog.id));

    const res = await t.json(`/api/v1/people/${file.personId}/erasure`, { confirm: true }, { headers: { cookie: cookie.paola! } });
    expect(res.status).toBe(200);
    expect(await books(file.programmeId, file.feeStatementId)).toEqual(booksBefore);
    expect(booksBefore.balance).toBeGreaterThanOrEqual(0);

    const [person] = await db().select().from(people).where(eq(people.id, file.personId));
    expect(person).toMatchObject({ givenName: ERASED_NAME, familyName: ERASED_NAME, codiceFiscale: null, phone: null, email: null, address: null, birthDate: null });
    expect(person!.erasedAt).toBeInstanceOf(Date);
    const msgs = await db().select({ body: messages.body }).from(messages).where(eq(messages.conversationId, file.conversationId));
    expect(msgs.map((m) => m.body)).toEqual(['', '']);
    const [conv] = await db().select({ state: conversations.state }).from(conversations).where(eq(conversations.id, file.conversationId));
    expect(conv!.state).toEqual({});
    const [identity] = await db().select().from(channelIdentities).where(eq(channelIdentities.id, file.identityId));
    expect(identity!.personId).toBeNull();
    expect(identity!.address).toBe(`erased:${file.identityId}`);
    const [doc] = await db().select({ size: documents.sizeBytes, content: documents.content, filename: documents.filename }).from(documents).where(eq(documents.id, file.documentId));
    expect(doc).toMatchObject({ size: 0, filename: null });
    expect(doc!.content.length).toBe(0);

    // The audit log only grew: every earlier row unchanged, one person.erase row added.
    const auditAfter = await db().select().from(auditLog).orderBy(asc(auditLog.id));
    expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
    expect(auditAfter.slice(auditBefore.length).filter((a) => a.action === 'person.erase' && a.subjectId === file.personId)).toHaveLength(1);

    // The person is gone from the file views; a second erasure is a 404.
    expect((await t.request(`/api/v1/people/${file.personId}`, { headers: { cookie: cookie.paola! } })).status).toBe(404);
    expect((await t.json(`/api/v1/people/${file.personId}/erasure`, { confirm: true }, { headers: { cookie: cookie.paola! } })).status).toBe(404);
    // The ledger of every other programme is untouched too (sanity of the scope of the update).
    const others = await db().select({ n: count() }).from(voucherLedger).where(inArray(voucherLedger.programmeId, [f.albairate.programmeId, f.abbiategrasso.programmeId]));
    expect(others[0]!.n).toBe(2);
    expect(await auditCount()).toBe(auditAfter.length);
  });

  it.skipIf(testDbKind !== 'pglite')('creates the PGlite data directory with mode 0700', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'centrale-datadir-'));
    try {
      const dataDir = path.join(root, 'data', 'pglite');
      const database = await openDatabase({ kind: 'pglite', dataDir });
      await database.close();
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(root, 'data')).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
