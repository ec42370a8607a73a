/**
 * Documents of a person's file, content in PostgreSQL, every read and download audited (issue #4).
 *
 * Roles: admin and social worker upload, list, read and download in their scope; the operator
 * may upload (what citizens hand over or send) but not read back; providers have no access.
 * Documents are part of the record: there is no delete (a wrong upload is superseded by a
 * correct one, and a GDPR erasure is a separate, audited procedure).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { attachmentDisposition, checkDocumentSize, DOCUMENT_TYPES, FORMAT_INFO, safeFilename } from '../../core/documents/policy.ts';
import { recordAudit } from '../../db/audit.ts';
import { findApplicationPersonId, findDocumentMeta, listPersonDocuments, loadDocumentContent, storeDocument, type DocumentMeta } from '../../db/documents.ts';
import { findPerson } from '../../db/people.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, ErrorSchema, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { canSeePerson, currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';

const DocumentSchema = z
  .object({
    id: z.uuid(),
    personId: z.uuid().nullable(),
    comuneId: z.string().nullable(),
    applicationId: z.uuid().nullable(),
    conversationId: z.uuid().nullable(),
    type: z.enum(DOCUMENT_TYPES),
    mediaType: z.string(),
    filename: z.string().nullable(),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    source: z.enum(['staff', 'chat']),
    uploadedBy: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .openapi('DocumentMeta');

const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, example: '6f1c2b9e-3d4a-4b5c-8d6e-7f8a9b0c1d2e' }) });

const UploadForm = z.strictObject({
  file: z
    .custom<File>((value) => value instanceof File, { params: { key: 'people:documents.fileRequired' } })
    .openapi({ type: 'string', format: 'binary', description: 'The file (its content decides the format)' }),
  type: z.enum(DOCUMENT_TYPES),
  applicationId: z.string().max(100).optional(),
});

const errors415 = { 415: { description: 'Format not accepted for this document type, or not what was declared', content: { 'application/json': { schema: ErrorSchema } } } };

const uploadRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/documents',
  tags: ['Documents'],
  summary: "Add a document to a person's file (multipart/form-data)",
  description:
    'Fields: `file`, `type` (isee, certificate, identity, photo, voice, care_contract, written_answer, other), `applicationId` (optional, one of the person’s applications). The format is recognised from the content: papers PDF/JPEG/PNG/WebP/HEIC up to 10 MiB, photos JPEG/PNG/WebP/HEIC up to 10 MiB, voice OGG/Opus, MP3, M4A up to 5 MiB; a written answer PDF or HTML. Too large → 413, wrong or mismatching format → 415; nothing is stored then.',
  security: staffSecurity,
  request: { params: IdParam, body: { required: true, content: { 'multipart/form-data': { schema: UploadForm } } } },
  responses: {
    201: { description: 'Stored', content: { 'application/json': { schema: z.object({ document: DocumentSchema }) } } },
    ...errorResponses(400, 401, 403, 404, 413),
    ...errors415,
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/people/{id}/documents',
  tags: ['Documents'],
  summary: "The documents of a person's file (metadata only; the read is audited)",
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'Newest first', content: { 'application/json': { schema: z.object({ documents: z.array(DocumentSchema) }) } } },
    ...errorResponses(401, 403, 404),
  },
});

const metaRoute = createRoute({
  method: 'get',
  path: '/api/v1/documents/{id}',
  tags: ['Documents'],
  summary: "A document's metadata (the read is audited)",
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'Metadata', content: { 'application/json': { schema: z.object({ document: DocumentSchema }) } } },
    ...errorResponses(401, 403, 404),
  },
});

const contentRoute = createRoute({
  method: 'get',
  path: '/api/v1/documents/{id}/content',
  tags: ['Documents'],
  summary: 'Download a document (always as an attachment; every download is audited)',
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The file, with its stored media type',
      content: { 'application/octet-stream': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } },
    },
    ...errorResponses(401, 403, 404),
  },
});

function documentView(d: DocumentMeta): z.infer<typeof DocumentSchema> {
  return { ...d, createdAt: d.createdAt.toISOString() };
}

const EXTENSION_BY_MEDIA_TYPE = new Map(Object.values(FORMAT_INFO).map((f) => [f.mediaType, f.extension]));

export function documentRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const READERS = ['admin', 'social_worker'] as const;

  const uploaders = requireRole(deps, ['admin', 'social_worker', 'operator']);
  const readers = requireRole(deps, READERS);
  app.use('/api/v1/people/:id/documents', async (c, next) => {
    if (c.req.method !== 'POST') return readers(c, next);
    // After the role check: an upload is multipart (else 415 with the one error body).
    return uploaders(c, async () => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'multipart/form-data') throw new DomainError('UNSUPPORTED_MEDIA_TYPE', { key: 'people:documents.multipartRequired' });
      await next();
    });
  });
  app.use('/api/v1/documents/:id', requireRole(deps, READERS));
  app.use('/api/v1/documents/:id/content', requireRole(deps, READERS));

  /** The document if the caller may see it (through its person, else its comune; admin only when neither), else 404 audited. */
  async function loadDocumentInScope(c: Context<AppEnv>, id: string): Promise<DocumentMeta> {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const doc = await findDocumentMeta(db, id);
    if (!doc) throw notFound();
    let visible: boolean;
    if (doc.personId) {
      const person = await findPerson(db, doc.personId);
      if (!person) throw notFound(); // erased: its documents go with it
      visible = await canSeePerson(db, staff, person);
    } else {
      visible = staff.role === 'admin' || (doc.comuneId !== null && canSeeComune(staff, doc.comuneId));
    }
    if (!visible) throw await deniedForScope(deps, c, 'document', id, doc.comuneId);
    return doc;
  }

  const audit = (c: Context<AppEnv>, action: string, doc: { id: string; comuneId: string | null }) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType: 'document', subjectId: doc.id, comuneId: doc.comuneId, requestId: c.get('requestId') });

  return app
    .openapi(uploadRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      const person = await loadPersonInScope(deps, c, id);
      const form = c.req.valid('form');
      // Before reading the bytes: a file over the type's limit is refused on its declared size.
      checkDocumentSize(form.type, form.file.size);
      if (form.applicationId !== undefined) {
        const owner = isUuid(form.applicationId) ? await findApplicationPersonId(db, form.applicationId) : undefined;
        if (owner !== person.id) {
          throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { applicationId: { key: 'people:documents.applicationNotOfPerson' } } });
        }
      }
      const content = Buffer.from(await form.file.arrayBuffer());
      const stored = await db.transaction((tx) =>
        storeDocument(tx, {
          personId: person.id,
          applicationId: form.applicationId ?? null,
          type: form.type,
          mediaType: form.file.type || null,
          filename: form.file.name || null,
          content,
          source: 'staff',
          uploadedBy: staff.id,
          requestId: c.get('requestId'),
        }),
      );
      const doc = await findDocumentMeta(db, stored.id);
      return c.json({ document: documentView(doc!) }, 201);
    })
    .openapi(listRoute, async (c) => {
      const { id } = c.req.valid('param');
      const person = await loadPersonInScope(deps, c, id, { action: 'documents.list' });
      const docs = await listPersonDocuments(db, person.id);
      return c.json({ documents: docs.map(documentView) }, 200);
    })
    .openapi(metaRoute, async (c) => {
      const { id } = c.req.valid('param');
      const doc = await loadDocumentInScope(c, id);
      await audit(c, 'document.read', doc);
      return c.json({ document: documentView(doc) }, 200);
    })
    .openapi(contentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const doc = await loadDocumentInScope(c, id);
      const content = await loadDocumentContent(db, doc.id);
      if (!content) throw notFound();
      await audit(c, 'document.download', doc);
      const extension = EXTENSION_BY_MEDIA_TYPE.get(doc.mediaType) ?? 'bin';
      return c.body(new Uint8Array(content), 200, {
        'Content-Type': doc.mediaType,
        'Content-Length': String(content.length),
        'Content-Disposition': attachmentDisposition(safeFilename(doc.filename, extension, `${doc.type}-${doc.id.slice(0, 8)}`)),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      });
    });
}
