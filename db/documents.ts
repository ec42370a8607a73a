/**
 * Documents of a person's file: content in PostgreSQL (one state store), checked against the
 * policy of core/documents before anything is written. `storeDocument` is the one write path,
 * used by the staff API and by the chat channels (photos, voice notes).
 */
import { createHash } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { DomainError } from '../core/errors.ts';
import { checkDocument, checkDocumentSize, formatFromDetected, type DocumentFormat, type DocumentType } from '../core/documents/policy.ts';
import { recordAudit } from './audit.ts';
import type { Queryable } from './client.ts';
import { applications, documents, people } from './schema.ts';

export interface StoreDocumentInput {
  personId?: string | null;
  conversationId?: string | null;
  /** Taken from the person when not given. */
  comuneId?: string | null;
  applicationId?: string | null;
  type: DocumentType;
  /** What the sender declared; must agree with the content when it says anything specific. */
  mediaType?: string | null;
  filename?: string | null;
  content: Buffer;
  source: 'chat' | 'staff';
  uploadedBy?: string | null;
  /** For the audit row. */
  requestId?: string;
}

export interface StoredDocument {
  id: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
}

/** What the bytes are, by content (magic numbers), never by name. */
export async function detectDocumentFormat(content: Uint8Array): Promise<DocumentFormat | null> {
  const detected = await fileTypeFromBuffer(content).catch(() => undefined);
  return formatFromDetected(detected, content.subarray(0, 64));
}

/**
 * Checks and stores a document. Throws DomainError PAYLOAD_TOO_LARGE / UNSUPPORTED_MEDIA_TYPE /
 * VALIDATION_FAILED (empty) before writing anything, NOT_FOUND for an unknown person. The write
 * is audited as `document.create` (staff when `uploadedBy`, else the person for chat media).
 */
export async function storeDocument(q: Queryable, input: StoreDocumentInput): Promise<StoredDocument> {
  // Size first: a huge body is refused without sniffing it.
  checkDocumentSize(input.type, input.content.length);
  const format = await detectDocumentFormat(input.content);
  const checked = checkDocument({ type: input.type, sizeBytes: input.content.length, format, declaredMediaType: input.mediaType ?? null });

  let comuneId = input.comuneId ?? null;
  if (input.personId) {
    const [person] = await q.select({ comuneId: people.comuneId }).from(people).where(and(eq(people.id, input.personId), isNull(people.erasedAt)));
    if (!person) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    comuneId = person.comuneId ?? comuneId;
  }
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  const [row] = await q
    .insert(documents)
    .values({
      personId: input.personId ?? null,
      comuneId,
      applicationId: input.applicationId ?? null,
      conversationId: input.conversationId ?? null,
      type: input.type,
      mediaType: checked.mediaType,
      filename: input.filename ? input.filename.slice(0, 200) : null,
      sizeBytes: input.content.length,
      sha256,
      content: input.content,
      source: input.source,
      uploadedBy: input.uploadedBy ?? null,
    })
    .returning({ id: documents.id });
  await recordAudit(q, {
    actorType: input.uploadedBy ? 'staff' : input.source === 'chat' ? 'person' : 'system',
    actorId: input.uploadedBy ?? null,
    action: 'document.create',
    subjectType: 'document',
    subjectId: row!.id,
    comuneId,
    ...(input.requestId ? { requestId: input.requestId } : {}),
  });
  return { id: row!.id, sha256, sizeBytes: input.content.length, mediaType: checked.mediaType };
}

const metaColumns = {
  id: documents.id,
  personId: documents.personId,
  comuneId: documents.comuneId,
  applicationId: documents.applicationId,
  conversationId: documents.conversationId,
  type: documents.type,
  mediaType: documents.mediaType,
  filename: documents.filename,
  sizeBytes: documents.sizeBytes,
  sha256: documents.sha256,
  source: documents.source,
  uploadedBy: documents.uploadedBy,
  createdAt: documents.createdAt,
};

export type DocumentMeta = {
  id: string;
  personId: string | null;
  comuneId: string | null;
  applicationId: string | null;
  conversationId: string | null;
  type: DocumentType;
  mediaType: string;
  filename: string | null;
  sizeBytes: number;
  sha256: string;
  source: 'staff' | 'chat';
  uploadedBy: string | null;
  createdAt: Date;
};

/** A person's documents, newest first, without content. */
export async function listPersonDocuments(q: Queryable, personId: string): Promise<DocumentMeta[]> {
  return (await q.select(metaColumns).from(documents).where(eq(documents.personId, personId)).orderBy(desc(documents.createdAt), desc(documents.id))) as DocumentMeta[];
}

export async function findDocumentMeta(q: Queryable, id: string): Promise<DocumentMeta | undefined> {
  const [row] = await q.select(metaColumns).from(documents).where(eq(documents.id, id));
  return row as DocumentMeta | undefined;
}

export async function loadDocumentContent(q: Queryable, id: string): Promise<Buffer | undefined> {
  const [row] = await q.select({ content: documents.content }).from(documents).where(eq(documents.id, id));
  return row?.content;
}

/** The person an application is about (to check an upload's applicationId), or undefined. */
export async function findApplicationPersonId(q: Queryable, applicationId: string): Promise<string | undefined> {
  const [row] = await q.select({ personId: applications.personId }).from(applications).where(eq(applications.id, applicationId));
  return row?.personId;
}
