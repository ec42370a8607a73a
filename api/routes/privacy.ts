/**
 * A person's data export and erasure (GDPR, issue #8).
 *
 *   GET  /api/v1/people/{id}/export   admin, social worker (in scope): everything held, audited person.export
 *   POST /api/v1/people/{id}/erasure  admin: identity and content wiped, books kept, audited person.erase
 *
 * Erasure is refused (409) while a programme is planned, active or suspended: the ledger of a
 * running programme still moves and the provider still needs the address. Close it first.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { DomainError } from '../../core/errors.ts';
import { recordAudit } from '../../db/audit.ts';
import { erasePerson, exportPerson } from '../../db/privacy.ts';
import type { AppDeps } from '../context.ts';
import { requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, loadPersonInScope, notFound } from '../scope.ts';

const TAG = 'Privacy';
const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, example: '6f1c2b9e-3d4a-4b5c-8d6e-7f8a9b0c1d2e' }) });

const exportRoute = createRoute({
  method: 'get',
  path: '/api/v1/people/{id}/export',
  tags: [TAG],
  summary: 'Everything held about a person (GDPR access and portability), as one JSON bundle',
  description:
    'Profile, delegations, consents, chat identities, conversations with their messages, applications, assessments, programmes, visits, voucher ledger, fee statements, payments, documents (metadata only; download each with GET /api/v1/documents/{id}), help requests, segnalazioni, case events. Audited as person.export. Served with Content-Disposition: attachment and no-store.',
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'The bundle', content: { 'application/json': { schema: z.object({ exportedAt: z.string(), personId: z.string(), data: z.record(z.string(), z.unknown()) }) } } },
    ...errorResponses(401, 403, 404),
  },
});

const erasureRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/erasure',
  tags: [TAG],
  summary: 'Erase a person’s personal data (GDPR art. 17), keeping the accounting records',
  description:
    'Names become a placeholder; birth date, codice fiscale, contacts and address are removed; message texts, document contents, notes and free-text fields about the person are emptied; chat identities are detached; delegations are revoked. The voucher ledger, fee statements, payments, scores and the audit log stay intact. Refused with 409 while a programme is planned, active or suspended. Body: { "confirm": true }.',
  security: staffSecurity,
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.strictObject({ confirm: z.literal(true) }) } } } },
  responses: {
    200: { description: 'Erased', content: { 'application/json': { schema: z.object({ personId: z.string(), erasedAt: z.string(), counts: z.record(z.string(), z.number()) }) } } },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

export function privacyRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const exporters = requireRole(deps, ['admin', 'social_worker']);
  const adminOnly = requireRole(deps, ['admin']);
  const app = createRouter();
  app.use('/api/v1/people/:id/export', exporters);
  app.use('/api/v1/people/:id/erasure', adminOnly);
  return app
    .openapi(exportRoute, async (c) => {
      const { id } = c.req.valid('param');
      await loadPersonInScope(deps, c, id, { action: 'person.export' });
      const data = await exportPerson(db, id);
      if (!data) throw notFound();
      c.header('Cache-Control', 'no-store');
      c.header('Content-Disposition', `attachment; filename="export-${id}.json"`);
      return c.json({ exportedAt: deps.now().toISOString(), personId: id, data: data as unknown as Record<string, unknown> }, 200);
    })
    .openapi(erasureRoute, async (c) => {
      const { id } = c.req.valid('param');
      const staff = currentStaff(c);
      // Scope check (admin sees all) and a 404 for unknown or already erased people.
      const person = await loadPersonInScope(deps, c, id);
      const now = deps.now();
      const result = await erasePerson(db, id, now, { staffId: staff.id, requestId: c.get('requestId') });
      if (result.outcome === 'not_found') throw notFound();
      if (result.outcome === 'open_programme') {
        await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'person.erase', subjectType: 'person', subjectId: id, comuneId: person.comuneId, outcome: 'denied', reason: 'open_programme', requestId: c.get('requestId') });
        throw new DomainError('CONFLICT', { key: 'privacy:erasure.openProgramme' });
      }
      deps.logger.info({ requestId: c.get('requestId'), personId: id, counts: result.counts }, 'person erased');
      return c.json({ personId: id, erasedAt: now.toISOString(), counts: result.counts }, 200);
    });
}
