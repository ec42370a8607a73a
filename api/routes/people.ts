/**
 * People, delegates, consents and channel identities (issue #4).
 *
 * Roles: everyone may search and read the people in their scope (a provider only the people of
 * its programmes, with a reduced file); admin, social worker and operator create people (the
 * operator from a phone call or a segnalazione); admin and social worker change them, their
 * delegates and consents. Every read of a file is audited as `person.read`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { birthDateMatchesCodiceFiscale, validateCodiceFiscale } from '../../core/regulation/codice-fiscale.ts';
import { recordAudit } from '../../db/audit.ts';
import { comuneExists } from '../../db/comuni.ts';
import {
  findActiveDelegation,
  findPerson,
  findPersonIdByCodiceFiscale,
  insertConsent,
  insertDelegation,
  insertPerson,
  isUniqueViolation,
  listChannelIdentities,
  listConsents,
  listDelegatedFor,
  listDelegatesOf,
  lockConsent,
  lockDelegation,
  lockPerson,
  revokeDelegation,
  searchPeople,
  updatePerson,
  withdrawConsent,
  type ConsentRow,
  type PersonRow,
  type PersonValues,
} from '../../db/people.ts';
import { CHANNELS, CONSENT_METHODS, CONSENT_PURPOSES, DELEGATE_KINDS, type StaffRole } from '../../db/schema.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { canSeeComune, requireRole } from '../guard.ts';
import { errorResponses, staffSecurity } from '../openapi.ts';
import { createRouter } from '../router.ts';
import { canSeePerson, currentStaff, deniedForScope, isUuid, loadPersonInScope, notFound } from '../scope.ts';
import { romeDate } from '../../core/regulation/calendar.ts';

// ─── Schemas ───

const isoDate = z.iso.date().openapi({ example: '1941-05-02' });
const nullableText = (max: number) => z.string().trim().max(max).nullable().optional();
const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[0-9][0-9 ./-]{4,30}$/)
  .nullable()
  .optional()
  .openapi({ example: '+39 333 123 4567' });

const personFields = {
  givenName: z.string().trim().min(1).max(100),
  familyName: z.string().trim().min(1).max(100),
  birthDate: isoDate.nullable().optional(),
  codiceFiscale: z.string().max(32).nullable().optional().openapi({ example: 'RSSMRA41E42A010X' }),
  phone,
  email: z.email().max(200).nullable().optional(),
  address: nullableText(300),
  livesAlone: z.boolean().nullable().optional(),
  familySupport: z.boolean().nullable().optional(),
  certifiedInvalidity: z.boolean().optional(),
  category3: z.boolean().optional().openapi({ description: 'Art. 3 category 3: followed by social or health services' }),
  preferredLocale: z.enum(['it', 'en']).optional(),
  preferredChannel: z.enum(CHANNELS).nullable().optional(),
};

const CreatePersonBody = z.strictObject({ ...personFields, comuneId: z.string().min(1).max(100).openapi({ example: 'albairate' }) });
const UpdatePersonBody = z.strictObject({
  ...personFields,
  givenName: personFields.givenName.optional(),
  familyName: personFields.familyName.optional(),
  comuneId: z.string().min(1).max(100).optional(),
});
const NewDelegateBody = z.strictObject({ ...personFields, comuneId: z.string().min(1).max(100).nullable().optional() });

const ConsentInput = z.strictObject({
  method: z.enum(CONSENT_METHODS),
  givenAt: z.iso.datetime({ offset: true }).openapi({ example: '2026-03-02T10:00:00+01:00' }),
  givenBy: nullableText(200).openapi({ description: 'Who gave it, as written on the form ("the beneficiary", "the daughter")' }),
});

const PersonSummarySchema = z
  .object({ id: z.uuid(), comuneId: z.string().nullable(), givenName: z.string().nullable(), familyName: z.string().nullable(), birthDate: z.string().nullable() })
  .openapi('PersonSummary');

const PersonProfileSchema = z
  .object({
    id: z.uuid(),
    comuneId: z.string().nullable(),
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    birthDate: z.string().nullable(),
    codiceFiscale: z.string().nullable().optional().openapi({ description: 'Not shown to providers' }),
    phone: z.string().nullable(),
    email: z.string().nullable().optional(),
    address: z.string().nullable(),
    livesAlone: z.boolean().nullable(),
    familySupport: z.boolean().nullable(),
    certifiedInvalidity: z.boolean().optional(),
    category3: z.boolean().optional(),
    preferredLocale: z.string(),
    preferredChannel: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('PersonProfile');

const ConsentSchema = z
  .object({
    id: z.uuid(),
    delegationId: z.uuid().nullable(),
    purpose: z.enum(CONSENT_PURPOSES),
    method: z.enum(CONSENT_METHODS),
    givenAt: z.string(),
    givenBy: z.string().nullable(),
    recordedBy: z.uuid().nullable(),
    withdrawnAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('PersonConsent');

const DelegationSchema = z
  .object({
    id: z.uuid(),
    personId: z.uuid(),
    delegatePersonId: z.uuid(),
    kind: z.enum(DELEGATE_KINDS),
    relationship: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi('PersonDelegation');

const DelegateSchema = z
  .object({
    delegationId: z.uuid(),
    kind: z.enum(DELEGATE_KINDS),
    relationship: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    person: z.object({ id: z.uuid(), comuneId: z.string().nullable(), givenName: z.string().nullable(), familyName: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable().optional() }),
    consents: z.array(ConsentSchema).optional(),
  })
  .openapi('PersonDelegate');

const PersonFileSchema = z
  .object({
    person: PersonProfileSchema,
    delegates: z.array(DelegateSchema).openapi({ description: 'Who acts for the person (providers: active delegations, names and phone only)' }),
    actsFor: z.array(z.object({ delegationId: z.uuid(), kind: z.enum(DELEGATE_KINDS), relationship: z.string().nullable(), personId: z.uuid(), comuneId: z.string().nullable() })).optional(),
    consents: z.array(ConsentSchema).optional().openapi({ description: "The person's own consents (not about a delegation)" }),
    channels: z
      .array(z.object({ id: z.uuid(), channel: z.enum(CHANNELS), reachable: z.boolean(), locale: z.string(), addressHint: z.string().nullable(), linkedAt: z.string() }))
      .optional()
      .openapi({ description: 'Linked chat identities; the raw address is never shown (SMS: last three digits)' }),
  })
  .openapi('PersonFile');

const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, example: '6f1c2b9e-3d4a-4b5c-8d6e-7f8a9b0c1d2e' }) });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });

// ─── Routes ───

const searchRoute = createRoute({
  method: 'get',
  path: '/api/v1/people',
  tags: ['People'],
  summary: 'Search the people in your scope by name, codice fiscale or comune',
  description: 'Minimal fields, ordered by family name, given name, id; `offset` pages (pass `nextOffset` back). Each word of `q` must appear in the given or family name; a 16-character `q` also matches the codice fiscale. Providers see only the people of their programmes.',
  security: staffSecurity,
  request: {
    query: z.object({
      q: z.string().trim().max(100).optional(),
      codiceFiscale: z.string().max(32).optional(),
      comuneId: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).max(100_000).default(0),
    }),
  },
  responses: {
    200: { description: 'One page', ...json(z.object({ people: z.array(PersonSummarySchema), nextOffset: z.number().int().nullable() })) },
    ...errorResponses(400, 401, 403),
  },
});

const createPersonRoute = createRoute({
  method: 'post',
  path: '/api/v1/people',
  tags: ['People'],
  summary: 'Register a person (beneficiary, or someone reported in a segnalazione)',
  description: 'The codice fiscale is checked (shape, check character) and must agree with the birth date (day, month, two year digits); a codice fiscale already registered answers 409 CONFLICT. The comune must be one of yours.',
  security: staffSecurity,
  request: body(CreatePersonBody),
  responses: {
    201: { description: 'Created', ...json(z.object({ person: PersonProfileSchema })) },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const readPersonRoute = createRoute({
  method: 'get',
  path: '/api/v1/people/{id}',
  tags: ['People'],
  summary: "A person's file: profile, delegates with their consents, consents, linked chat identities",
  description: 'Every read is audited (person.read). Providers get the profile without codice fiscale, e-mail and health flags, and active delegates only.',
  security: staffSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'The file', ...json(PersonFileSchema) },
    ...errorResponses(401, 403, 404),
  },
});

const updatePersonRoute = createRoute({
  method: 'patch',
  path: '/api/v1/people/{id}',
  tags: ['People'],
  summary: 'Change a person’s details (only the fields sent)',
  description: 'Moving the person to a comune you do not serve is refused (403). Codice fiscale and birth date are checked together.',
  security: staffSecurity,
  request: { params: IdParam, ...body(UpdatePersonBody) },
  responses: {
    200: { description: 'Updated', ...json(z.object({ person: PersonProfileSchema })) },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const addDelegateRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/delegates',
  tags: ['People'],
  summary: 'Add a delegate (relative, amministratore di sostegno, …) with the consent record',
  description: 'Either `delegatePersonId` (someone already registered and visible to you) or `delegate` (a new person; their comune may be null when they live outside the ambito). The consent says how and when the delegation was agreed.',
  security: staffSecurity,
  request: {
    params: IdParam,
    ...body(
      z.strictObject({
        delegatePersonId: z.string().max(100).optional(),
        delegate: NewDelegateBody.optional(),
        kind: z.enum(DELEGATE_KINDS),
        relationship: nullableText(100).openapi({ example: 'figlia' }),
        consent: ConsentInput,
      }),
    ),
  },
  responses: {
    201: { description: 'The delegation and its consent', ...json(z.object({ delegation: DelegationSchema, consent: ConsentSchema, delegate: PersonSummarySchema })) },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const revokeDelegateRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/delegates/{delegationId}/revoke',
  tags: ['People'],
  summary: 'Revoke a delegation (its consent is withdrawn at the same time)',
  security: staffSecurity,
  request: {
    params: IdParam.extend({ delegationId: z.string().max(100) }),
    ...body(z.strictObject({ reason: nullableText(500) })),
  },
  responses: {
    200: { description: 'Revoked', ...json(z.object({ delegation: DelegationSchema })) },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const addConsentRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/consents',
  tags: ['People'],
  summary: 'Record a consent: purpose, how, when and by whom it was given',
  security: staffSecurity,
  request: {
    params: IdParam,
    ...body(ConsentInput.extend({ purpose: z.enum(CONSENT_PURPOSES), delegationId: z.string().max(100).optional() })),
  },
  responses: {
    201: { description: 'Recorded', ...json(z.object({ consent: ConsentSchema })) },
    ...errorResponses(400, 401, 403, 404),
  },
});

const withdrawConsentRoute = createRoute({
  method: 'post',
  path: '/api/v1/people/{id}/consents/{consentId}/withdraw',
  tags: ['People'],
  summary: 'Record that a consent was withdrawn',
  security: staffSecurity,
  request: {
    params: IdParam.extend({ consentId: z.string().max(100) }),
    ...body(z.strictObject({ withdrawnAt: z.iso.datetime({ offset: true }).optional() })),
  },
  responses: {
    200: { description: 'Withdrawn', ...json(z.object({ consent: ConsentSchema })) },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

// ─── Views ───

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function profileView(p: PersonRow, full: boolean): z.infer<typeof PersonProfileSchema> {
  const base = {
    id: p.id,
    comuneId: p.comuneId,
    givenName: p.givenName,
    familyName: p.familyName,
    birthDate: p.birthDate,
    phone: p.phone,
    address: p.address,
    livesAlone: p.livesAlone,
    familySupport: p.familySupport,
    preferredLocale: p.preferredLocale,
    preferredChannel: p.preferredChannel,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
  return full ? { ...base, codiceFiscale: p.codiceFiscale, email: p.email, certifiedInvalidity: p.certifiedInvalidity, category3: p.category3 } : base;
}

function consentView(c: ConsentRow): z.infer<typeof ConsentSchema> {
  return {
    id: c.id,
    delegationId: c.delegationId,
    purpose: c.purpose,
    method: c.method,
    givenAt: c.givenAt.toISOString(),
    givenBy: c.givenBy,
    recordedBy: c.recordedBy,
    withdrawnAt: iso(c.withdrawnAt),
    createdAt: c.createdAt.toISOString(),
  };
}

function delegationView(d: { id: string; personId: string; delegatePersonId: string; kind: (typeof DELEGATE_KINDS)[number]; relationship: string | null; createdAt: Date; revokedAt: Date | null }) {
  return { id: d.id, personId: d.personId, delegatePersonId: d.delegatePersonId, kind: d.kind, relationship: d.relationship, createdAt: d.createdAt.toISOString(), revokedAt: iso(d.revokedAt) };
}

/** Staff need to know a number is the one they have on file, not the chat address itself. */
function addressHint(channel: string, address: string): string | null {
  if (channel !== 'sms') return null;
  const digits = address.replace(/\D/g, '');
  return digits.length >= 3 ? `…${digits.slice(-3)}` : null;
}

// ─── Helpers ───

/** Role check per HTTP method on one path (several methods share a path with different roles). */
function rolesByMethod(deps: AppDeps, byMethod: Partial<Record<'GET' | 'POST' | 'PATCH', readonly StaffRole[]>>): MiddlewareHandler<AppEnv> {
  const guards = Object.fromEntries(Object.entries(byMethod).map(([m, roles]) => [m, requireRole(deps, roles)]));
  return (c, next) => {
    const guard = guards[c.req.method];
    return guard ? guard(c, async () => {
      await requireJson(c, next);
    }) : next();
  };
}

/**
 * Bodies are JSON: anything else answers 415 with the one error body (the OpenAPI validator's
 * own 415 would otherwise surface as an HTTPException the app does not map).
 */
const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new DomainError('UNSUPPORTED_MEDIA_TYPE', { key: 'errors:UNSUPPORTED_MEDIA_TYPE' });
  }
  await next();
};

function writers(deps: AppDeps, roles: readonly StaffRole[]): MiddlewareHandler<AppEnv> {
  const guard = requireRole(deps, roles);
  return (c, next) =>
    guard(c, async () => {
      await requireJson(c, next);
    });
}

function fieldError(field: string, key: string, params?: Record<string, string | number>): DomainError {
  return new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { [field]: params ? { key, params } : { key } } });
}

/**
 * Normalises and checks a codice fiscale with the birth date it goes with: shape and check
 * character (art. 3 rules), then day, month and the two year digits against the birth date.
 */
function checkIdentity(codiceFiscale: string | null | undefined, birthDate: string | null | undefined, today: string): string | null | undefined {
  if (birthDate && birthDate > today) throw fieldError('birthDate', 'people:field.birthDateInFuture');
  if (birthDate && birthDate < '1880-01-01') throw fieldError('birthDate', 'people:field.birthDateTooOld');
  if (codiceFiscale === undefined || codiceFiscale === null) return codiceFiscale;
  const check = validateCodiceFiscale(codiceFiscale);
  if (!check.valid) throw fieldError('codiceFiscale', check.reason === 'format' ? 'rules:codiceFiscaleMalformed' : 'rules:codiceFiscaleCheckFailed');
  if (birthDate && !birthDateMatchesCodiceFiscale(birthDate, check)) throw fieldError('birthDate', 'people:field.birthDateMismatch');
  return check.normalized;
}

function duplicateCodiceFiscale(): DomainError {
  return new DomainError('CONFLICT', { key: 'people:duplicateCodiceFiscale' }, { fields: { codiceFiscale: { key: 'people:duplicateCodiceFiscale' } } });
}


/** A phone as stored: spaces, dots, dashes and slashes removed. */
const cleanPhone = (value: string | null | undefined) => (value === undefined || value === null ? value : value.replace(/[\s./-]/g, ''));

/** Builds the columns to write from a validated create/update body (only the keys present). */
function personValues(input: Partial<Omit<z.infer<typeof UpdatePersonBody>, 'comuneId'>> & { comuneId?: string | null | undefined }, codiceFiscale: string | null | undefined): PersonValues {
  const values: PersonValues = {};
  const copy = <K extends keyof PersonValues>(key: K, value: PersonValues[K] | undefined) => {
    if (value !== undefined) values[key] = value;
  };
  copy('givenName', input.givenName);
  copy('familyName', input.familyName);
  copy('birthDate', input.birthDate);
  copy('codiceFiscale', codiceFiscale);
  copy('phone', cleanPhone(input.phone));
  copy('email', input.email);
  copy('address', input.address);
  copy('livesAlone', input.livesAlone);
  copy('familySupport', input.familySupport);
  copy('certifiedInvalidity', input.certifiedInvalidity);
  copy('category3', input.category3);
  copy('preferredLocale', input.preferredLocale);
  copy('preferredChannel', input.preferredChannel);
  copy('comuneId', input.comuneId);
  return values;
}

/** The comune a record is put in must exist and be one the caller serves (404 otherwise, audited). */
async function assertComuneWritable(deps: AppDeps, c: Context<AppEnv>, staff: StaffIdentity, comuneId: string): Promise<void> {
  if (!canSeeComune(staff, comuneId)) throw await deniedForScope(deps, c, 'comune', comuneId, comuneId);
  if (!(await comuneExists(deps.database.db, comuneId))) throw fieldError('comuneId', 'people:field.unknownComune');
}

function parseInstant(value: string | undefined, now: Date, field: string): Date {
  if (value === undefined) return now;
  const at = new Date(value);
  // A minute of clock skew between the office PC and the server is not a future date.
  if (at.getTime() > now.getTime() + 60_000) throw fieldError(field, 'people:field.inFuture');
  return at;
}

// ─── Router ───

export function peopleRoutes(deps: AppDeps) {
  const { db } = deps.database;
  const app = createRouter();
  const ALL: readonly StaffRole[] = ['admin', 'social_worker', 'operator', 'provider'];
  const WRITERS: readonly StaffRole[] = ['admin', 'social_worker'];

  app.use('/api/v1/people', rolesByMethod(deps, { GET: ALL, POST: ['admin', 'social_worker', 'operator'] }));
  app.use('/api/v1/people/:id', rolesByMethod(deps, { GET: ALL, PATCH: WRITERS }));
  app.use('/api/v1/people/:id/delegates', writers(deps, WRITERS));
  app.use('/api/v1/people/:id/delegates/:delegationId/revoke', writers(deps, WRITERS));
  app.use('/api/v1/people/:id/consents', writers(deps, WRITERS));
  app.use('/api/v1/people/:id/consents/:consentId/withdraw', writers(deps, WRITERS));

  return app
    .openapi(searchRoute, async (c) => {
      const staff = currentStaff(c);
      const query = c.req.valid('query');
      let codiceFiscale: string | undefined;
      if (query.codiceFiscale !== undefined) {
        const check = validateCodiceFiscale(query.codiceFiscale);
        if (!check.valid) throw fieldError('codiceFiscale', check.reason === 'format' ? 'rules:codiceFiscaleMalformed' : 'rules:codiceFiscaleCheckFailed');
        codiceFiscale = check.normalized;
      }
      const page = await searchPeople(db, staff, { text: query.q, comuneId: query.comuneId, codiceFiscale, limit: query.limit, offset: query.offset });
      // A search shows names: who searched is recorded (not what, which may be a name).
      await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: 'people.search', subjectType: 'people', comuneId: query.comuneId ?? null, requestId: c.get('requestId') });
      return c.json({ people: page.people, nextOffset: page.hasMore ? query.offset + query.limit : null }, 200);
    })
    .openapi(createPersonRoute, async (c) => {
      const staff = currentStaff(c);
      const input = c.req.valid('json');
      await assertComuneWritable(deps, c, staff, input.comuneId);
      const codiceFiscale = checkIdentity(input.codiceFiscale, input.birthDate, romeDate(deps.now()));
      if (codiceFiscale && (await findPersonIdByCodiceFiscale(db, codiceFiscale))) throw duplicateCodiceFiscale();
      let person: PersonRow;
      try {
        person = await db.transaction(async (tx) => {
          const row = await insertPerson(tx, personValues(input, codiceFiscale));
          await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'person.create', subjectType: 'person', subjectId: row.id, comuneId: row.comuneId, requestId: c.get('requestId') });
          return row;
        });
      } catch (err) {
        // Two staff registering the same codice fiscale at once: the unique index decides.
        if (isUniqueViolation(err)) throw duplicateCodiceFiscale();
        throw err;
      }
      return c.json({ person: profileView(person, true) }, 201);
    })
    .openapi(readPersonRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      await loadPersonInScope(deps, c, id, { action: 'person.read' });
      const person = await findPerson(db, id);
      if (!person) throw notFound();
      const full = staff.role !== 'provider';
      const delegates = await listDelegatesOf(db, id);
      if (!full) {
        return c.json(
          {
            person: profileView(person, false),
            delegates: delegates
              .filter((d) => d.revokedAt === null)
              .map((d) => ({ ...d, createdAt: d.createdAt.toISOString(), revokedAt: null, person: { id: d.person.id, comuneId: d.person.comuneId, givenName: d.person.givenName, familyName: d.person.familyName, phone: d.person.phone } })),
          },
          200,
        );
      }
      const consents = await listConsents(db, id);
      const actsFor = (await listDelegatedFor(db, id)).filter((d) => staff.role === 'admin' || (d.comuneId !== null && canSeeComune(staff, d.comuneId)));
      const channels = await listChannelIdentities(db, id);
      return c.json(
        {
          person: profileView(person, true),
          delegates: delegates.map((d) => ({
            ...d,
            createdAt: d.createdAt.toISOString(),
            revokedAt: iso(d.revokedAt),
            consents: consents.filter((x) => x.delegationId === d.delegationId).map(consentView),
          })),
          actsFor,
          consents: consents.filter((x) => x.delegationId === null).map(consentView),
          channels: channels.map((ch) => ({ id: ch.id, channel: ch.channel, reachable: ch.reachable, locale: ch.locale, addressHint: addressHint(ch.channel, ch.address), linkedAt: ch.createdAt.toISOString() })),
        },
        200,
      );
    })
    .openapi(updatePersonRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await loadPersonInScope(deps, c, id);
      if (Object.keys(input).length === 0) throw fieldError('(body)', 'people:field.nothingToChange');
      if (input.comuneId !== undefined && !canSeeComune(staff, input.comuneId)) {
        await recordAudit(db, { actorType: 'staff', actorId: staff.id, action: `${c.req.method} ${c.req.routePath}`, subjectType: 'person', subjectId: id, comuneId: input.comuneId, outcome: 'denied', reason: 'move outside scope', requestId: c.get('requestId') });
        throw new DomainError('FORBIDDEN', { key: 'people:moveOutsideScope' });
      }
      if (input.comuneId !== undefined && !(await comuneExists(db, input.comuneId))) throw fieldError('comuneId', 'people:field.unknownComune');
      const now = deps.now();
      let updated: PersonRow;
      try {
        updated = await db.transaction(async (tx) => {
          const current = await lockPerson(tx, id);
          if (!current) throw notFound();
          const birthDate = input.birthDate !== undefined ? input.birthDate : current.birthDate;
          const cfInput = input.codiceFiscale !== undefined ? input.codiceFiscale : current.codiceFiscale;
          // Check the pair only when one of them changes: an old mismatch does not block other edits.
          const touched = input.birthDate !== undefined || input.codiceFiscale !== undefined;
          const codiceFiscale = touched ? checkIdentity(cfInput, birthDate, romeDate(now)) : undefined;
          if (codiceFiscale && codiceFiscale !== current.codiceFiscale && (await findPersonIdByCodiceFiscale(tx, codiceFiscale, id))) throw duplicateCodiceFiscale();
          const values = personValues(input, input.codiceFiscale === undefined ? undefined : codiceFiscale);
          const row = await updatePerson(tx, id, values, now);
          // Which fields changed, never their values.
          await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'person.update', subjectType: 'person', subjectId: id, comuneId: row.comuneId, reason: `fields: ${Object.keys(values).sort().join(', ')}`, requestId: c.get('requestId') });
          return row;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateCodiceFiscale();
        throw err;
      }
      return c.json({ person: profileView(updated, true) }, 200);
    })
    .openapi(addDelegateRoute, async (c) => {
      const staff = currentStaff(c);
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const beneficiary = await loadPersonInScope(deps, c, id);
      if ((input.delegatePersonId === undefined) === (input.delegate === undefined)) throw fieldError('delegatePersonId', 'people:field.delegateOneOf');
      const now = deps.now();
      const givenAt = parseInstant(input.consent.givenAt, now, 'consent.givenAt');

      let newDelegate: PersonValues | undefined;
      if (input.delegatePersonId !== undefined) {
        if (!isUuid(input.delegatePersonId)) throw notFound();
        if (input.delegatePersonId === id) throw fieldError('delegatePersonId', 'people:field.delegateSelf');
        const existing = await findPerson(db, input.delegatePersonId);
        if (!existing) throw notFound();
        if (!(await canSeePerson(db, staff, existing))) throw await deniedForScope(deps, c, 'person', existing.id, existing.comuneId);
      } else {
        const d = input.delegate!;
        if (d.comuneId !== undefined && d.comuneId !== null) await assertComuneWritable(deps, c, staff, d.comuneId);
        const codiceFiscale = checkIdentity(d.codiceFiscale, d.birthDate, romeDate(now));
        if (codiceFiscale && (await findPersonIdByCodiceFiscale(db, codiceFiscale))) throw duplicateCodiceFiscale();
        newDelegate = personValues(d, codiceFiscale);
      }

      try {
        const result = await db.transaction(async (tx) => {
          // The beneficiary's row lock serialises delegations of one person.
          if (!(await lockPerson(tx, beneficiary.id))) throw notFound();
          const delegate = newDelegate ? await insertPerson(tx, newDelegate) : (await findPerson(tx, input.delegatePersonId!))!;
          if (newDelegate) {
            await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'person.create', subjectType: 'person', subjectId: delegate.id, comuneId: delegate.comuneId, reason: 'delegate', requestId: c.get('requestId') });
          }
          if (await findActiveDelegation(tx, beneficiary.id, delegate.id)) throw new DomainError('CONFLICT', { key: 'people:delegationExists' });
          const delegation = await insertDelegation(tx, { personId: beneficiary.id, delegatePersonId: delegate.id, kind: input.kind, relationship: input.relationship ?? null, createdBy: staff.id });
          const consent = await insertConsent(tx, { personId: beneficiary.id, delegationId: delegation.id, purpose: 'delegation', method: input.consent.method, givenAt, givenBy: input.consent.givenBy ?? null, recordedBy: staff.id });
          await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'delegation.create', subjectType: 'delegation', subjectId: delegation.id, comuneId: beneficiary.comuneId, requestId: c.get('requestId') });
          return { delegation, consent, delegate };
        });
        const d = result.delegate;
        return c.json(
          {
            delegation: delegationView(result.delegation),
            consent: consentView(result.consent),
            delegate: { id: d.id, comuneId: d.comuneId, givenName: d.givenName, familyName: d.familyName, birthDate: d.birthDate },
          },
          201,
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw newDelegate?.codiceFiscale ? duplicateCodiceFiscale() : new DomainError('CONFLICT', { key: 'people:delegationExists' });
        throw err;
      }
    })
    .openapi(revokeDelegateRoute, async (c) => {
      const staff = currentStaff(c);
      const { id, delegationId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const person = await loadPersonInScope(deps, c, id);
      if (!isUuid(delegationId)) throw notFound();
      const now = deps.now();
      const delegation = await db.transaction(async (tx) => {
        const current = await lockDelegation(tx, person.id, delegationId);
        if (!current) throw notFound();
        if (current.revokedAt) throw new DomainError('CONFLICT', { key: 'people:delegationAlreadyRevoked' });
        const row = await revokeDelegation(tx, delegationId, now);
        await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'delegation.revoke', subjectType: 'delegation', subjectId: delegationId, comuneId: person.comuneId, ...(reason ? { reason } : {}), requestId: c.get('requestId') });
        return row;
      });
      return c.json({ delegation: delegationView(delegation) }, 200);
    })
    .openapi(addConsentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const staff = currentStaff(c);
      const person = await loadPersonInScope(deps, c, id);
      const givenAt = parseInstant(input.givenAt, deps.now(), 'givenAt');
      const consent = await db.transaction(async (tx) => {
        let delegationId: string | null = null;
        if (input.delegationId !== undefined) {
          if (!isUuid(input.delegationId) || !(await lockDelegation(tx, person.id, input.delegationId))) throw fieldError('delegationId', 'people:field.delegationNotOfPerson');
          delegationId = input.delegationId;
        }
        const row = await insertConsent(tx, { personId: person.id, delegationId, purpose: input.purpose, method: input.method, givenAt, givenBy: input.givenBy ?? null, recordedBy: staff.id });
        await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'consent.create', subjectType: 'consent', subjectId: row.id, comuneId: person.comuneId, requestId: c.get('requestId') });
        return row;
      });
      return c.json({ consent: consentView(consent) }, 201);
    })
    .openapi(withdrawConsentRoute, async (c) => {
      const { id, consentId } = c.req.valid('param');
      const input = c.req.valid('json');
      const staff = currentStaff(c);
      const person = await loadPersonInScope(deps, c, id);
      if (!isUuid(consentId)) throw notFound();
      const at = parseInstant(input.withdrawnAt, deps.now(), 'withdrawnAt');
      const consent = await db.transaction(async (tx) => {
        const current = await lockConsent(tx, person.id, consentId);
        if (!current) throw notFound();
        if (current.withdrawnAt) throw new DomainError('CONFLICT', { key: 'people:consentAlreadyWithdrawn' });
        if (at < current.givenAt) throw fieldError('withdrawnAt', 'people:field.withdrawnBeforeGiven');
        const row = await withdrawConsent(tx, consentId, at);
        await recordAudit(tx, { actorType: 'staff', actorId: staff.id, action: 'consent.withdraw', subjectType: 'consent', subjectId: consentId, comuneId: person.comuneId, requestId: c.get('requestId') });
        return row;
      });
      return c.json({ consent: consentView(consent) }, 200);
    });
}
