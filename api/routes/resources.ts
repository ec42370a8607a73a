/**
 * Resources (issue #4), the "open system" of the service idea: accredited providers, volunteer
 * associations, occasional helpers and family assistants, with their art. 7 services, comuni,
 * contacts, availability and accreditation. Every staff role reads and filters them; admins
 * create, change and deactivate them. `GET /comuni/{id}/providers` is the art. 10 list of
 * accredited providers the citizen freely chooses from.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DomainError, RuleViolation, type MessageRef } from '../../core/errors.ts';
import { isIsoDate, romeDate } from '../../core/regulation/calendar.ts';
import { isArt7Code } from '../../core/regulation/services.ts';
import { unknownComuni } from '../../db/admin.ts';
import { recordAudit } from '../../db/audit.ts';
import type { Queryable } from '../../db/client.ts';
import { comuneExists } from '../../db/comuni.ts';
import {
  extraServiceCodes,
  findResource,
  insertResource,
  listAccreditedProviders,
  listResources,
  lockResource,
  updateResource,
  type ResourceRecord,
} from '../../db/resources.ts';
import { RESOURCE_KINDS } from '../../db/schema.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { currentStaff, isUuid, notFound } from '../scope.ts';

const TAG = 'Resources';
const ALL_STAFF = ['admin', 'social_worker', 'operator', 'provider'] as const;

const ResourceSchema = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(RESOURCE_KINDS),
    name: z.string(),
    services: z.array(z.string()),
    comuni: z.array(z.string()),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    address: z.string().nullable(),
    availability: z.string().nullable(),
    accreditedUntil: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Resource');

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
const fields = {
  name: z.string().trim().min(1).max(200),
  services: z.array(z.string().trim().min(1).max(20)).max(40),
  comuni: z.array(z.string().trim().min(1).max(100)).min(1).max(20),
  phone: optionalText(40),
  email: z.string().trim().max(200).email().nullable().optional(),
  address: optionalText(300),
  availability: optionalText(500).openapi({ example: 'lun–sab 8–20' }),
  accreditedUntil: z.string().max(10).nullable().optional().openapi({ example: '2027-12-31' }),
};
const ResourceCreateSchema = z.strictObject({ kind: z.enum(RESOURCE_KINDS), ...fields, services: fields.services.default([]) });
const ResourcePatchSchema = z.strictObject({
  kind: z.enum(RESOURCE_KINDS).optional(),
  name: fields.name.optional(),
  services: fields.services.optional(),
  comuni: fields.comuni.optional(),
  phone: fields.phone,
  email: fields.email,
  address: fields.address,
  availability: fields.availability,
  accreditedUntil: fields.accreditedUntil,
  active: z.boolean().optional(),
});

const resourceJson = (r: ResourceRecord) => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });

/**
 * Services are art. 7 codes (upper case) or an extra service of one of the comuni served;
 * comuni must exist; accreditedUntil must be a real date. Returns the services normalised.
 */
async function checkResource(q: Queryable, input: { services?: string[] | undefined; comuni: string[]; accreditedUntil?: string | null | undefined }): Promise<string[] | undefined> {
  const problems: Record<string, MessageRef> = {};
  const unknown = new Set(await unknownComuni(q, input.comuni));
  input.comuni.forEach((id, i) => {
    if (unknown.has(id)) problems[`comuni.${i}`] = { key: 'admin:resources.unknownComune', params: { id } };
  });
  if (input.accreditedUntil && !isIsoDate(input.accreditedUntil)) problems.accreditedUntil = { key: 'errors:field.invalidFormat' };
  if (Object.keys(problems).length) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: problems });
  if (input.services === undefined) return undefined;
  const extras = await extraServiceCodes(q, input.comuni);
  const services = [...new Set(input.services.map((s) => s.toUpperCase()))];
  const serviceProblems: Record<string, MessageRef> = {};
  services.forEach((code, i) => {
    if (!isArt7Code(code) && !extras.has(code)) serviceProblems[`services.${i}`] = { key: 'admin:resources.unknownService', params: { code } };
  });
  if (Object.keys(serviceProblems).length) throw new RuleViolation('art. 7', { key: 'errors:VALIDATION_FAILED' }, serviceProblems);
  return services;
}

export function resourceRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const anyStaff = requireRole(deps, ALL_STAFF);
  const adminOnly = requireRole(deps, ['admin']);
  const audit = (c: Context<AppEnv>, action: string, id: string, reason: string) =>
    recordAudit(db, { actorType: 'staff', actorId: currentStaff(c).id, action, subjectType: 'resource', subjectId: id, reason, requestId: c.get('requestId') });

  const listRoute = createRoute({
    method: 'get',
    path: '/api/v1/resources',
    tags: [TAG],
    summary: 'Resources of the open system, filtered by comune served, kind and service',
    security: staffSecurity,
    middleware: [anyStaff],
    request: {
      query: z.object({
        comune: z.string().max(100).optional(),
        kind: z.enum(RESOURCE_KINDS).optional(),
        service: z.string().max(20).optional().openapi({ example: '2B' }),
        active: z.enum(['true', 'false', 'all']).default('true'),
      }),
    },
    responses: { 200: { description: 'Resources', content: { 'application/json': { schema: z.object({ resources: z.array(ResourceSchema) }) } } }, ...errorResponses(400, 401) },
  });

  const getRoute = createRoute({
    method: 'get',
    path: '/api/v1/resources/{id}',
    tags: [TAG],
    summary: 'One resource',
    security: staffSecurity,
    middleware: [anyStaff],
    request: { params: z.object({ id: z.string().max(100) }) },
    responses: { 200: { description: 'Resource', content: { 'application/json': { schema: ResourceSchema } } }, ...errorResponses(401, 404) },
  });

  const createRouteDef = createRoute({
    method: 'post',
    path: '/api/v1/resources',
    tags: [TAG],
    summary: 'Add a resource (admins)',
    description: 'Services are art. 7 codes or extra services of a comune served; at least one comune.',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { body: { required: true, content: { 'application/json': { schema: ResourceCreateSchema } } } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: ResourceSchema } } }, ...errorResponses(400, 401, 403) },
  });

  const patchRoute = createRoute({
    method: 'patch',
    path: '/api/v1/resources/{id}',
    tags: [TAG],
    summary: 'Change or deactivate a resource (admins); only the fields sent',
    description: 'Deactivating (active: false) removes the resource from lists and from the citizen\'s choice; its history stays.',
    security: staffSecurity,
    middleware: [adminOnly],
    request: { params: z.object({ id: z.string().max(100) }), body: { required: true, content: { 'application/json': { schema: ResourcePatchSchema } } } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: ResourceSchema } } }, ...errorResponses(400, 401, 403, 404) },
  });

  const providersRoute = createRoute({
    method: 'get',
    path: '/api/v1/comuni/{id}/providers',
    tags: [TAG],
    summary: 'Accredited providers serving a comune, for the citizen\'s free choice (art. 10)',
    description: 'Active accredited providers serving the comune whose accreditation has not expired today.',
    security: staffSecurity,
    middleware: [anyStaff],
    request: { params: z.object({ id: z.string().max(100) }) },
    responses: { 200: { description: 'Providers', content: { 'application/json': { schema: z.object({ providers: z.array(ResourceSchema) }) } } }, ...errorResponses(401, 404) },
  });

  return app
    .openapi(listRoute, async (c) => {
      const q = c.req.valid('query');
      const list = await listResources(db, {
        ...(q.comune !== undefined ? { comuneId: q.comune } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(q.service !== undefined ? { service: q.service.trim().toUpperCase() } : {}),
        active: q.active === 'all' ? undefined : q.active === 'true',
      });
      return c.json({ resources: list.map(resourceJson) }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { id } = c.req.valid('param');
      const resource = isUuid(id) ? await findResource(db, id) : undefined;
      if (!resource) throw notFound();
      return c.json(resourceJson(resource), 200);
    })
    .openapi(createRouteDef, async (c) => {
      const input = c.req.valid('json');
      const comuni = [...new Set(input.comuni)];
      const id = await db.transaction(async (tx) => {
        const services = (await checkResource(tx, { services: input.services, comuni, accreditedUntil: input.accreditedUntil })) ?? [];
        return insertResource(tx, { ...input, services, comuni });
      });
      await audit(c, 'resource.create', id, `kind=${input.kind}`);
      return c.json(resourceJson((await findResource(db, id))!), 201);
    })
    .openapi(patchRoute, async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      if (!isUuid(id)) throw notFound();
      await db.transaction(async (tx) => {
        if (!(await lockResource(tx, id))) throw notFound();
        const current = (await findResource(tx, id))!;
        const comuni = patch.comuni ? [...new Set(patch.comuni)] : current.comuni;
        // Services are checked against the comuni the resource will serve.
        const services = await checkResource(tx, { services: patch.services ?? (patch.comuni ? current.services : undefined), comuni, accreditedUntil: patch.accreditedUntil });
        await updateResource(tx, id, { ...patch, services: patch.services || patch.comuni ? services : undefined, comuni: patch.comuni ? comuni : undefined });
      });
      await audit(c, patch.active === false ? 'resource.deactivate' : 'resource.update', id, `fields=${Object.keys(patch).sort().join(',')}`);
      return c.json(resourceJson((await findResource(db, id))!), 200);
    })
    .openapi(providersRoute, async (c) => {
      const { id } = c.req.valid('param');
      if (!(await comuneExists(db, id))) throw notFound();
      const today = romeDate(deps.now());
      return c.json({ providers: (await listAccreditedProviders(db, id, today)).map(resourceJson) }, 200);
    });
}
