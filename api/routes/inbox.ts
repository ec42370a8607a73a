/**
 * The staff inbox API (issue #7): conversations handed to a human by the engine.
 *
 *   GET  /api/v1/inbox                                  views unassigned / mine / all
 *   GET  /api/v1/inbox/conversations/{id}               transcript + notes (audited: conversation.read)
 *   POST /api/v1/inbox/conversations/{id}/reply         staff reply, delivered on the person's channel
 *   POST /api/v1/inbox/conversations/{id}/assign        to self or another staff member of that comune
 *   POST /api/v1/inbox/conversations/{id}/resolve       handling → closed
 *   POST /api/v1/inbox/conversations/{id}/hand-back     handling → bot
 *   POST /api/v1/inbox/conversations/{id}/notes         internal note (never shown to the person)
 *   GET  /api/v1/inbox/canned-replies                   per comune; admin creates and deletes them
 *   GET  /api/v1/inbox/events                           server-sent events (not in /openapi.json: a stream)
 *
 * Roles: admin, operator, social_worker (provider: 403). A conversation outside the caller's scope
 * (see db/inbox.ts) answers 404, audited. Citizen text is returned as data; the console escapes it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../../db/audit.ts';
import { appendOutbound, MESSAGES_CHANNEL } from '../../db/conversations.ts';
import {
  addNote,
  afterStaffReply,
  assignConversation,
  canSeeConversation,
  conversationScopeInfo,
  createCannedReply,
  deleteCannedReply,
  findAssignee,
  findConversation,
  INBOX_CHANNEL,
  INBOX_ROLES,
  listAssignees,
  listCannedReplies,
  listInbox,
  listNotes,
  setHandling,
  transcript,
  type InboxSummary,
} from '../../db/inbox.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import { comuneExists } from '../../db/comuni.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, notFound } from '../scope.ts';

export const MAX_REPLY_TEXT = 4000;
export const MAX_NOTE_TEXT = 4000;
const SSE_KEEPALIVE_MS = 20_000;

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

const ConversationSummarySchema = z
  .object({
    id: z.string().uuid(),
    channel: z.enum(['web', 'telegram', 'sms']),
    handling: z.enum(['bot', 'waiting', 'human', 'closed']),
    urgent: z.boolean(),
    comuneId: z.string().nullable(),
    locale: z.string(),
    assignedStaffId: z.string().uuid().nullable(),
    assignedStaffName: z.string().nullable(),
    handedOverAt: z.string().nullable(),
    firstResponseDueAt: z.string().nullable().openapi({ description: `handedOverAt + the first-response target` }),
    firstResponseAt: z.string().nullable().openapi({ description: 'First staff message after the handover' }),
    lastMessageAt: z.string().nullable(),
    preview: z.string().nullable().openapi({ description: "The person's latest message (first 160 characters); citizen text: escape it" }),
  })
  .openapi('InboxConversation');

const MessageSchema = z
  .object({
    id: z.string().uuid(),
    seq: z.number().int(),
    direction: z.enum(['in', 'out']),
    author: z.enum(['person', 'bot', 'staff', 'system']),
    channel: z.enum(['web', 'telegram', 'sms']),
    text: z.string(),
    staffUserId: z.string().uuid().nullable(),
    staffName: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('InboxMessage');

const NoteSchema = z
  .object({ id: z.string().uuid(), text: z.string(), staffUserId: z.string().uuid(), staffName: z.string(), createdAt: z.string() })
  .openapi('InboxNote');

const CannedReplySchema = z
  .object({ id: z.string().uuid(), comuneId: z.string().nullable(), title: z.string(), text: z.string() })
  .openapi('CannedReply');

const idParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' } }) });
const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const tags = ['Inbox'];

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/inbox',
  tags,
  summary: 'Conversations handed to a human: urgent first, then oldest handover first',
  security: staffSecurity,
  request: {
    query: z.object({
      view: z.enum(['unassigned', 'mine', 'all']).default('all'),
      limit: z.coerce.number().int().min(1).max(500).default(200),
    }),
  },
  responses: {
    200: ok('The inbox', z.object({ conversations: z.array(ConversationSummarySchema), firstResponseTargetMinutes: z.number().int() })),
    ...errorResponses(400, 401, 403),
  },
});

const readRoute = createRoute({
  method: 'get',
  path: '/api/v1/inbox/conversations/{id}',
  tags,
  summary: 'A conversation: transcript, internal notes and who it may be assigned to (audited read)',
  security: staffSecurity,
  request: { params: idParam },
  responses: {
    200: ok(
      'The conversation',
      z.object({
        conversation: ConversationSummarySchema,
        messages: z.array(MessageSchema),
        notes: z.array(NoteSchema),
        assignees: z.array(z.object({ id: z.string().uuid(), displayName: z.string(), role: z.string() })),
      }),
    ),
    ...errorResponses(401, 403, 404),
  },
});

const replyRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbox/conversations/{id}/reply',
  tags,
  summary: "Reply to the person, on the person's channel; the conversation becomes handled by a human",
  security: staffSecurity,
  request: { params: idParam, body: json(z.strictObject({ text: z.string().trim().min(1).max(MAX_REPLY_TEXT) })) },
  responses: {
    201: ok('Stored (and queued for Telegram/SMS)', z.object({ message: MessageSchema })),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const assignRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbox/conversations/{id}/assign',
  tags,
  summary: 'Assign to yourself (no staffId) or to another staff member who may see the conversation',
  security: staffSecurity,
  request: { params: idParam, body: json(z.strictObject({ staffId: z.string().uuid().optional() })) },
  responses: {
    200: ok('Assigned', z.object({ conversation: ConversationSummarySchema })),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const resolveRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbox/conversations/{id}/resolve',
  tags,
  summary: 'Resolve: the conversation leaves the inbox (handling closed)',
  description:
    'An urgent conversation that no staff member answered in the chat is closed only with `reason` (what was done: "chiamato il 112", "richiamata al telefono"), kept as a note; otherwise 400 with `fields.reason`.',
  security: staffSecurity,
  request: { params: idParam, body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: z.string().trim().min(1).max(2000).optional() }) } } } },
  responses: { 200: ok('Resolved', z.object({ conversation: ConversationSummarySchema })), ...errorResponses(401, 403, 404) },
});

const handBackRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbox/conversations/{id}/hand-back',
  tags,
  summary: 'Hand the conversation back to the bot (handling bot)',
  security: staffSecurity,
  request: { params: idParam },
  responses: { 200: ok('Handed back', z.object({ conversation: ConversationSummarySchema })), ...errorResponses(401, 403, 404) },
});

const noteRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbox/conversations/{id}/notes',
  tags,
  summary: 'Add an internal note (staff only, never sent to the person)',
  security: staffSecurity,
  request: { params: idParam, body: json(z.strictObject({ text: z.string().trim().min(1).max(MAX_NOTE_TEXT) })) },
  responses: { 201: ok('Added', z.object({ note: z.object({ id: z.string().uuid(), createdAt: z.string() }) })), ...errorResponses(400, 401, 403, 404) },
});

const cannedListRoute = createRoute({
  method: 'get',
  path: '/api/v1/inbox/canned-replies',
  tags,
  summary: 'Canned replies of your comuni (and of the whole ambito); `comune` narrows to one comune',
  security: staffSecurity,
  request: { query: z.object({ comune: z.string().min(1).max(100).optional() }) },
  responses: { 200: ok('Canned replies', z.object({ cannedReplies: z.array(CannedReplySchema) })), ...errorResponses(400, 401, 403) },
});

const cannedCreateRoute = createRoute({
  method: 'post',
  path: '/api/v1/inbox/canned-replies',
  tags,
  summary: 'Add a canned reply for a comune (null: the whole ambito). Admin only',
  security: staffSecurity,
  request: {
    body: json(z.strictObject({ comuneId: z.string().min(1).max(100).nullable(), title: z.string().trim().min(1).max(120), text: z.string().trim().min(1).max(MAX_REPLY_TEXT) })),
  },
  responses: { 201: ok('Added', z.object({ cannedReply: CannedReplySchema })), ...errorResponses(400, 401, 403) },
});

const cannedDeleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/inbox/canned-replies/{id}',
  tags,
  summary: 'Delete a canned reply. Admin only',
  security: staffSecurity,
  request: { params: idParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
});

function summaryView(s: InboxSummary) {
  return {
    id: s.id,
    channel: s.channel,
    handling: s.handling,
    urgent: s.urgent,
    comuneId: s.comuneId,
    locale: s.locale,
    assignedStaffId: s.assignedStaffId,
    assignedStaffName: s.assignedStaffName,
    handedOverAt: isoOrNull(s.handedOverAt),
    firstResponseDueAt: isoOrNull(s.firstResponseDueAt),
    firstResponseAt: isoOrNull(s.firstResponseAt),
    lastMessageAt: isoOrNull(s.lastMessageAt),
    preview: s.preview,
  };
}

/** One LISTEN per app for both channels, fanned out to the open inbox streams. */
function createInboxHub(deps: AppDeps) {
  const listeners = new Set<(conversationId: string) => void>();
  let started: Promise<void> | undefined;
  const emit = (conversationId: string) => {
    for (const l of listeners) l(conversationId);
  };
  return {
    async subscribe(listener: (conversationId: string) => void) {
      listeners.add(listener);
      started ??= (async () => {
        await deps.database.listen(MESSAGES_CHANNEL, (payload) => emit(payload.split(':')[0] ?? ''));
        await deps.database.listen(INBOX_CHANNEL, (payload) => emit(payload));
      })();
      await started;
      return () => listeners.delete(listener);
    },
  };
}

export function inboxRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const hub = createInboxHub(deps);
  const app = createRouter();
  const staffRoles = requireRole(deps, INBOX_ROLES);
  app.use('/api/v1/inbox', staffRoles);
  app.use('/api/v1/inbox/*', async (c, next) => {
    // Creating and deleting canned replies is for admins only.
    const admin = c.req.path.startsWith('/api/v1/inbox/canned-replies') && c.req.method !== 'GET';
    return requireRole(deps, admin ? ['admin'] : INBOX_ROLES)(c, next);
  });

  /** A conversation the caller may see, or 404 (audited when it exists but is out of scope). */
  async function loadInScope(c: Context<AppEnv>, id: string): Promise<{ staff: StaffIdentity; conversation: InboxSummary }> {
    const staff = currentStaff(c);
    if (!isUuid(id)) throw notFound();
    const conversation = await findConversation(db, id);
    if (!conversation) throw notFound();
    if (!canSeeConversation(staff, conversation.comuneId)) throw await deniedForScope(deps, c, 'conversation', id, conversation.comuneId);
    return { staff, conversation };
  }

  const audit = (c: Context<AppEnv>, staff: StaffIdentity, action: string, conversation: { id: string; comuneId: string | null }) =>
    recordAudit(db, { actorType: 'staff', actorId: staff.id, action, subjectType: 'conversation', subjectId: conversation.id, comuneId: conversation.comuneId, requestId: c.get('requestId') });

  const reload = async (id: string) => summaryView((await findConversation(db, id))!);

  app.get('/api/v1/inbox/events', async (c) => {
    const staff = currentStaff(c);
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue = new Set<string>();
      let wake: (() => void) | undefined;
      const unsubscribe = await hub.subscribe((conversationId) => {
        queue.add(conversationId);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (!stream.aborted) {
          for (const conversationId of [...queue]) {
            queue.delete(conversationId);
            if (!isUuid(conversationId)) continue;
            const info = await conversationScopeInfo(db, conversationId);
            if (!info || !canSeeConversation(staff, info.comuneId)) continue;
            // Ids and states only: the console fetches the text through the audited API.
            await stream.writeSSE({ event: 'inbox', data: JSON.stringify({ conversationId, handling: info.handling, urgent: info.urgent }) });
          }
          if (queue.size > 0) continue;
          await new Promise<void>((resolve) => {
            wake = resolve;
            const timer = setTimeout(resolve, SSE_KEEPALIVE_MS);
            timer.unref?.();
          });
          wake = undefined;
          if (queue.size === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });

  return app
    .openapi(listRoute, async (c) => {
      const staff = currentStaff(c);
      const { view, limit } = c.req.valid('query');
      const rows = await listInbox(db, staff, view, limit);
      return c.json({ conversations: rows.map(summaryView), firstResponseTargetMinutes: 15 }, 200);
    })
    .openapi(readRoute, async (c) => {
      const { staff, conversation } = await loadInScope(c, c.req.valid('param').id);
      const [messages, notes, assignees] = await Promise.all([transcript(db, conversation.id), listNotes(db, conversation.id), listAssignees(db, conversation.comuneId)]);
      await audit(c, staff, 'conversation.read', conversation);
      return c.json(
        {
          conversation: summaryView(conversation),
          messages: messages.map((m) => ({ id: m.id, seq: m.seq, direction: m.direction, author: m.author, channel: conversation.channel, text: m.body, staffUserId: m.staffUserId, staffName: m.staffName, createdAt: m.createdAt.toISOString() })),
          notes: notes.map((n) => ({ id: n.id, text: n.body, staffUserId: n.staffUserId, staffName: n.staffName, createdAt: n.createdAt.toISOString() })),
          assignees,
        },
        200,
      );
    })
    .openapi(replyRoute, async (c) => {
      const { staff, conversation } = await loadInScope(c, c.req.valid('param').id);
      if (conversation.handling === 'closed') throw new DomainError('CONFLICT', { key: 'console:errors.conversationClosed' });
      const { text } = c.req.valid('json');
      const stored = await appendOutbound(db, conversation.id, { body: text, author: 'staff', staffUserId: staff.id });
      await afterStaffReply(db, { conversationId: conversation.id, messageId: stored.messageId, body: text, staffId: staff.id });
      await audit(c, staff, 'conversation.reply', conversation);
      deps.logger.info({ conversationId: conversation.id, staffId: staff.id, seq: stored.seq, requestId: c.get('requestId') }, 'staff reply');
      return c.json(
        {
          message: { id: stored.messageId, seq: stored.seq, direction: 'out' as const, author: 'staff' as const, channel: conversation.channel, text, staffUserId: staff.id, staffName: staff.displayName, createdAt: deps.now().toISOString() },
        },
        201,
      );
    })
    .openapi(assignRoute, async (c) => {
      const { staff, conversation } = await loadInScope(c, c.req.valid('param').id);
      if (conversation.handling === 'closed' || conversation.handling === 'bot') throw new DomainError('CONFLICT', { key: 'console:errors.notInInbox' });
      const staffId = c.req.valid('json').staffId ?? staff.id;
      if (staffId !== staff.id) {
        const assignee = await findAssignee(db, staffId);
        if (!assignee || !(INBOX_ROLES as readonly string[]).includes(assignee.role) || !canSeeConversation(assignee, conversation.comuneId)) {
          throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { staffId: { key: 'console:errors.assigneeNotAllowed' } } });
        }
      }
      await assignConversation(db, conversation.id, staffId);
      await audit(c, staff, 'conversation.assign', conversation);
      return c.json({ conversation: await reload(conversation.id) }, 200);
    })
    .openapi(resolveRoute, async (c) => {
      const { staff, conversation } = await loadInScope(c, c.req.valid('param').id);
      const reason = ((c.req.valid('json') ?? {}) as { reason?: string }).reason;
      // An emergency nobody answered leaves the inbox only with what was done written down: one
      // misclick must not drop "sono caduto e non riesco ad alzarmi".
      if (conversation.urgent && !conversation.firstResponseAt && !reason) {
        throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { reason: { key: 'console:errors.resolveReasonRequired' } } });
      }
      if (reason) await addNote(db, { conversationId: conversation.id, staffId: staff.id, body: reason });
      await setHandling(db, conversation.id, 'closed');
      await audit(c, staff, 'conversation.resolve', conversation);
      return c.json({ conversation: await reload(conversation.id) }, 200);
    })
    .openapi(handBackRoute, async (c) => {
      const { staff, conversation } = await loadInScope(c, c.req.valid('param').id);
      await setHandling(db, conversation.id, 'bot');
      await audit(c, staff, 'conversation.hand_back', conversation);
      return c.json({ conversation: await reload(conversation.id) }, 200);
    })
    .openapi(noteRoute, async (c) => {
      const { staff, conversation } = await loadInScope(c, c.req.valid('param').id);
      const note = await addNote(db, { conversationId: conversation.id, staffId: staff.id, body: c.req.valid('json').text });
      await audit(c, staff, 'conversation.note', conversation);
      return c.json({ note: { id: note.id, createdAt: note.createdAt.toISOString() } }, 201);
    })
    .openapi(cannedListRoute, async (c) => {
      const staff = currentStaff(c);
      const { comune } = c.req.valid('query');
      const rows = await listCannedReplies(db, staff, comune);
      return c.json({ cannedReplies: rows.map((r) => ({ id: r.id, comuneId: r.comuneId, title: r.title, text: r.body })) }, 200);
    })
    .openapi(cannedCreateRoute, async (c) => {
      const staff = currentStaff(c);
      const { comuneId, title, text } = c.req.valid('json');
      if (comuneId !== null && !(await comuneExists(db, comuneId))) {
        throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { comuneId: { key: 'errors:field.invalidValue' } } });
      }
      const row = await createCannedReply(db, { comuneId, title, body: text, createdBy: staff.id });
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'canned_reply.create', subjectType: 'canned_reply', subjectId: row.id, comuneId, requestId: c.get('requestId') });
      return c.json({ cannedReply: { id: row.id, comuneId: row.comuneId, title: row.title, text: row.body } }, 201);
    })
    .openapi(cannedDeleteRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      if (!isUuid(id) || !(await deleteCannedReply(db, id))) throw notFound();
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'canned_reply.delete', subjectType: 'canned_reply', subjectId: id, requestId: c.get('requestId') });
      return c.body(null, 204);
    });
}
