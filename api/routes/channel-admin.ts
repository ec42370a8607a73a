/**
 * Staff routes for channels (issue #6):
 *
 *   GET  /api/v1/inbox/conversations/{id}/outbound         queue rows of a conversation and their status
 *                                                          (inbox roles; scoped by the conversation's comune)
 *   POST /api/v1/channel-identities/{id}/confirm-link      { personId }: link a number the SMS channel proposed
 *   POST /api/v1/channel-identities/{id}/reject-link       { personId }: refuse it (shared or recycled SIM)
 *                                                          (admin, social_worker of the person's comune)
 *   GET  /api/v1/admin/staff/{id}/contacts                 Telegram chat id / phone for urgent alerts
 *   PUT  /api/v1/admin/staff/{id}/contacts                 (admin, or the staff member for themself)
 *   GET  /api/v1/admin/channels/status                     counts only: raw updates waiting / handled /
 *                                                          failing, outbound messages by channel and status (admin)
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { normalisePhone } from '../../core/channels/render.ts';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../../db/audit.ts';
import {
  conversationComune,
  decidePhoneLink,
  findIdentity,
  getStaffContacts,
  channelStatus,
  listConversationOutbound,
  putStaffContacts,
  staffExists,
} from '../../db/channel-admin.ts';
import { canSeeConversation, INBOX_ROLES } from '../../db/inbox.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';

const idParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' } }) });
const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const tags = ['Channels'];

const OutboundSchema = z
  .object({
    id: z.number().int(),
    channel: z.enum(['telegram', 'sms']),
    purpose: z.enum(['reply', 'reminder', 'alert', 'notice']),
    status: z.enum(['queued', 'sending', 'sent', 'failed', 'undelivered', 'fallback', 'cancelled']),
    attempts: z.number().int(),
    lastError: z.string().nullable().openapi({ description: 'Provider error code of the last attempt (e.g. telegram_403, http_429, twilio_21610)' }),
    messageId: z.string().uuid().nullable(),
    preview: z.string().openapi({ description: 'First 160 characters of the text; escape it' }),
    createdAt: z.string(),
    nextAttemptAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi('OutboundMessage');

const ChannelStatusSchema = z
  .object({
    inbound: z.object({
      waiting: z.number().int(),
      handled: z.number().int().openapi({ description: 'Raw updates handled and still kept (INBOUND_RETENTION_DAYS, default 7)' }),
      failing: z.number().int(),
    }),
    outbound: z.record(z.string(), z.number().int()).openapi({ description: 'Counts keyed "<channel>:<status>", e.g. "telegram:queued"' }),
  })
  .openapi('ChannelStatus');

const LinkBody = z.strictObject({ personId: z.string().uuid() });
const LinkResult = z.object({ identityId: z.string().uuid(), personId: z.string().uuid(), outcome: z.enum(['linked', 'rejected']) });

const ContactsSchema = z
  .object({ staffId: z.string().uuid(), telegramChatId: z.string().nullable(), phone: z.string().nullable(), updatedAt: z.string().nullable() })
  .openapi('StaffContacts');
const ContactsBody = z.strictObject({
  telegramChatId: z.string().trim().max(32).nullable().optional(),
  phone: z.string().trim().max(32).nullable().optional(),
});

const ADMIN_AND_SOCIAL = ['admin', 'social_worker'] as const;
const ALL_STAFF = ['admin', 'social_worker', 'operator', 'provider'] as const;

export function channelAdminRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();

  const outboundRoute = createRoute({
    method: 'get',
    path: '/api/v1/inbox/conversations/{id}/outbound',
    tags,
    summary: 'Outbound messages of a conversation (Telegram / SMS queue) with their delivery status',
    security: staffSecurity,
    middleware: [requireRole(deps, INBOX_ROLES)],
    request: { params: idParam },
    responses: { 200: ok('Queue rows, oldest first', z.object({ messages: z.array(OutboundSchema) })), ...errorResponses(401, 403, 404) },
  });

  const statusRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/channels/status',
    tags,
    summary: 'Channel health: raw updates waiting, handled and failing; outbound messages by channel and status (counts only)',
    security: staffSecurity,
    middleware: [requireRole(deps, ['admin'])],
    responses: { 200: ok('Counts', ChannelStatusSchema), ...errorResponses(401, 403) },
  });

  const linkRoute = (action: 'confirm' | 'reject') =>
    createRoute({
      method: 'post',
      path: `/api/v1/channel-identities/{id}/${action}-link`,
      tags,
      summary:
        action === 'confirm'
          ? 'Confirm the link of a phone number to the person it matches (proposed by the SMS channel); closes the staff task'
          : 'Refuse a proposed phone link (shared or recycled SIM); closes the staff task',
      security: staffSecurity,
      middleware: [requireRole(deps, ADMIN_AND_SOCIAL)],
      request: { params: idParam, body: json(LinkBody) },
      responses: { 200: ok('Decided', LinkResult), ...errorResponses(400, 401, 403, 404, 409) },
    });

  const contactsGetRoute = createRoute({
    method: 'get',
    path: '/api/v1/admin/staff/{id}/contacts',
    tags,
    summary: 'How a staff member is reached for urgent alerts (admin, or the staff member themself)',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL_STAFF)],
    request: { params: idParam },
    responses: { 200: ok('Contacts', ContactsSchema), ...errorResponses(401, 403, 404) },
  });

  const contactsPutRoute = createRoute({
    method: 'put',
    path: '/api/v1/admin/staff/{id}/contacts',
    tags,
    summary: 'Set the Telegram chat id and/or phone that reach a staff member for urgent alerts (Telegram first)',
    description: 'Fields left out keep their value; null clears one. The phone is stored in international form (+39…).',
    security: staffSecurity,
    middleware: [requireRole(deps, ALL_STAFF)],
    request: { params: idParam, body: json(ContactsBody) },
    responses: { 200: ok('Saved contacts', ContactsSchema), ...errorResponses(400, 401, 403, 404) },
  });

  /** Admin for anyone; everyone else only for themself (403, audited, like a role refusal). */
  async function contactsTarget(c: Context<AppEnv>, id: string): Promise<string> {
    const staff = currentStaff(c);
    if (staff.role !== 'admin' && staff.id !== id) {
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: `${c.req.method} ${c.req.routePath}`, outcome: 'denied', reason: 'role', requestId: c.get('requestId') });
      throw new DomainError('FORBIDDEN', { key: 'errors:FORBIDDEN' });
    }
    if (!isUuid(id) || !(await staffExists(db, id))) throw notFound();
    return id;
  }

  async function decide(c: Context<AppEnv>, confirm: boolean) {
    const staff = currentStaff(c);
    const { id } = c.req.valid('param' as never) as { id: string };
    const { personId } = c.req.valid('json' as never) as { personId: string };
    if (!isUuid(id)) throw notFound();
    const identity = await findIdentity(db, id);
    if (!identity) throw notFound();
    // The person's comune decides who may link: out of scope → 404 (audited), like the file itself.
    const person = await loadPersonInScope(deps, c, personId);
    const outcome = await decidePhoneLink(db, { identityId: id, personId, staffId: staff.id, confirm, now: deps.now() });
    if (outcome === 'no_task') throw new DomainError('CONFLICT', { key: 'channels:admin.noProposal' });
    if (outcome === 'linked_elsewhere') throw new DomainError('CONFLICT', { key: 'channels:admin.linkedElsewhere' });
    await recordAudit(db, {
      actorType: 'staff',
      actorId: staff.id,
      action: confirm ? 'channel_identity.link_confirmed' : 'channel_identity.link_rejected',
      subjectType: 'person',
      subjectId: personId,
      comuneId: person.comuneId,
      reason: `identity ${id}`,
      requestId: c.get('requestId'),
    });
    deps.logger.info({ identityId: id, personId, staffId: staff.id, outcome, requestId: c.get('requestId') }, 'phone link decided');
    return c.json({ identityId: id, personId, outcome }, 200);
  }

  const contactsView = (staffId: string, row: { telegramChatId: string | null; phone: string | null; updatedAt: Date | null }) => ({
    staffId,
    telegramChatId: row.telegramChatId,
    phone: row.phone,
    updatedAt: row.updatedAt ? row.updatedAt.toISOString() : null,
  });

  return app
    .openapi(statusRoute, async (c) => c.json(await channelStatus(db), 200))
    .openapi(outboundRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      if (!isUuid(id)) throw notFound();
      const conversation = await conversationComune(db, id);
      if (!conversation) throw notFound();
      if (!canSeeConversation(staff, conversation.comuneId)) throw await deniedForScope(deps, c, 'conversation', id, conversation.comuneId);
      const rows = await listConversationOutbound(db, id);
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'conversation.outbound.read', subjectType: 'conversation', subjectId: id, comuneId: conversation.comuneId, requestId: c.get('requestId') });
      return c.json(
        {
          messages: rows.map((r) => ({
            ...r,
            createdAt: r.createdAt.toISOString(),
            nextAttemptAt: r.nextAttemptAt.toISOString(),
            sentAt: r.sentAt ? r.sentAt.toISOString() : null,
          })),
        },
        200,
      );
    })
    .openapi(linkRoute('confirm'), (c) => decide(c as unknown as Context<AppEnv>, true))
    .openapi(linkRoute('reject'), (c) => decide(c as unknown as Context<AppEnv>, false))
    .openapi(contactsGetRoute, async (c) => {
      const id = await contactsTarget(c, c.req.valid('param').id);
      return c.json(contactsView(id, await getStaffContacts(db, id)), 200);
    })
    .openapi(contactsPutRoute, async (c) => {
      const staff = currentStaff(c);
      const id = await contactsTarget(c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const current = await getStaffContacts(db, id);
      const fields: Record<string, { key: string }> = {};
      let phone = current.phone;
      if (body.phone !== undefined) {
        phone = body.phone ? (normalisePhone(body.phone) ?? null) : null;
        if (body.phone && !phone) fields.phone = { key: 'channels:admin.phoneInvalid' };
      }
      let telegramChatId = current.telegramChatId;
      if (body.telegramChatId !== undefined) {
        telegramChatId = body.telegramChatId || null;
        if (telegramChatId && !/^-?\d{1,20}$/.test(telegramChatId)) fields.telegramChatId = { key: 'channels:admin.telegramInvalid' };
      }
      // Nothing is saved unless every field is valid.
      if (Object.keys(fields).length > 0) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
      const saved = await putStaffContacts(db, id, { telegramChatId, phone }, deps.now());
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'staff.contacts.update', subjectType: 'staff', subjectId: id, requestId: c.get('requestId') });
      return c.json(contactsView(id, saved), 200);
    });
}
