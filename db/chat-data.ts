/**
 * The read queries the conversation engine needs, loaded inside processPending (under the
 * conversation's lock) before each turn: who this chat identity is linked to and the people it
 * may act for (itself and, as a delegate, only the people it is delegated for), their programme
 * balance and next visits, their application and waiting-list place, the comuni (office hours,
 * address, patron day), the resources serving them, and the records this identity created.
 * Before linking nothing personal is loaded.
 */
import { and, asc, desc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { ApplicationInfo, ChatContext, ComuneInfo, LinkedPerson, ProgrammeInfo, ProviderInfo } from '../core/conversation/context.ts';
import type { FeeTariffBand } from '../core/regulation/fees.ts';
import { rowsOf, type Queryable } from './client.ts';
import { preparedRunnerOn } from './prepared.ts';
import { loadCheckinChat } from './checkins.ts';
import {
  applicationDetails,
  applications,
  comuni,
  comuneSettings,
  delegations,
  people,
  programmes,
  questionnaireResponses,
  resourceComuni,
  resources,
  visits,
  voucherLedger,
} from './schema.ts';

export async function loadComuni(q: Queryable): Promise<ComuneInfo[]> {
  const rows = await q
    .select({ id: comuni.id, name: comuni.name, officeAddress: comuni.officeAddress, officeHours: comuni.officeHours, patronDay: comuni.patronDay, feeTariff: comuneSettings.feeTariff })
    .from(comuni)
    .leftJoin(comuneSettings, eq(comuneSettings.comuneId, comuni.id))
    .orderBy(asc(comuni.name));
  return rows.map(({ feeTariff, ...r }) => ({ ...r, officeHours: r.officeHours ?? null, feeBands: feeBandsOf(feeTariff) }));
}

/** The bands of a stored tariff (saved validated, art. 14), or null when none is set. */
function feeBandsOf(tariff: Record<string, unknown> | null): FeeTariffBand[] | null {
  const bands = tariff?.bands;
  if (!Array.isArray(bands) || bands.length === 0) return null;
  return bands.map((b: { upToIseeCents?: unknown; centsPerHour?: unknown }) => ({ upToIseeCents: typeof b.upToIseeCents === 'number' ? b.upToIseeCents : null, centsPerHour: Number(b.centsPerHour) }));
}

async function loadProviders(q: Queryable): Promise<ProviderInfo[]> {
  const rows = await q
    .select({ id: resources.id, name: resources.name, kind: resources.kind, phone: resources.phone, availability: resources.availability, comuneId: resourceComuni.comuneId })
    .from(resources)
    .innerJoin(resourceComuni, eq(resourceComuni.resourceId, resources.id))
    .where(and(eq(resources.active, true), inArray(resources.kind, ['accredited_provider', 'volunteer_association'])))
    .orderBy(asc(resources.name));
  const byId = new Map<string, ProviderInfo>();
  for (const r of rows) {
    const p = byId.get(r.id) ?? { name: r.name, kind: r.kind as ProviderInfo['kind'], phone: r.phone, availability: r.availability, comuni: [] };
    p.comuni.push(r.comuneId);
    byId.set(r.id, p);
  }
  return [...byId.values()];
}

async function balanceOf(q: Queryable, programmeId: string): Promise<number> {
  const [row] = await q
    .select({
      balance: sql<number>`coalesce(sum(case when ${voucherLedger.kind} in ('issue', 'adjustment') then ${voucherLedger.hours} else -${voucherLedger.hours} end), 0)`.mapWith(Number),
    })
    .from(voucherLedger)
    .where(eq(voucherLedger.programmeId, programmeId));
  return Math.max(0, row?.balance ?? 0);
}

async function loadProgramme(q: Queryable, personId: string, now: Date): Promise<ProgrammeInfo | null> {
  const [p] = await q
    .select({ id: programmes.id, status: programmes.status, weeklyHours: programmes.weeklyHours, periodEnd: programmes.periodEnd })
    .from(programmes)
    .where(eq(programmes.personId, personId))
    .orderBy(sql`case when ${programmes.status} in ('active', 'suspended') then 0 when ${programmes.status} = 'planned' then 1 else 2 end`, desc(programmes.periodStart))
    .limit(1);
  if (!p) return null;
  const upcoming = await q
    .select({ id: visits.id, startsAt: visits.startsAt, hours: visits.hours })
    .from(visits)
    .where(and(eq(visits.programmeId, p.id), eq(visits.status, 'planned'), gte(visits.startsAt, now)))
    .orderBy(asc(visits.startsAt))
    .limit(3);
  let questionnaireDue = false;
  if (p.status === 'ended') {
    const answered = await q.select({ id: questionnaireResponses.id }).from(questionnaireResponses).where(eq(questionnaireResponses.programmeId, p.id)).limit(1);
    questionnaireDue = answered.length === 0;
  }
  return {
    id: p.id,
    status: p.status,
    weeklyHours: p.weeklyHours,
    periodEnd: p.periodEnd,
    balance: await balanceOf(q, p.id),
    upcomingVisits: upcoming.map((v) => ({ id: v.id, startsAt: v.startsAt.toISOString(), hours: v.hours })),
    questionnaireDue,
  };
}

async function loadApplication(q: Queryable, personId: string): Promise<ApplicationInfo | null> {
  const [a] = await q
    .select({
      id: applications.id,
      status: applications.status,
      comuneId: applications.comuneId,
      applicationDate: applications.applicationDate,
      totalPoints: applications.totalPoints,
      autonomyPoints: applications.autonomyPoints,
      answerSentAt: applicationDetails.answerSentAt,
    })
    .from(applications)
    .leftJoin(applicationDetails, eq(applicationDetails.applicationId, applications.id))
    .where(eq(applications.personId, personId))
    .orderBy(sql`case when ${applications.status} = 'closed' then 1 else 0 end`, desc(applications.applicationDate), desc(applications.createdAt))
    .limit(1);
  if (!a) return null;
  let position: number | null = null;
  let ahead: number | null = null;
  if (a.status === 'waiting_list' && a.totalPoints !== null && a.autonomyPoints !== null) {
    // Art. 6 order, as the waiting-list index: the people before this application in its comune.
    const result = await q.execute(sql`
      select count(*)::int as n from ${applications}
      where ${applications.comuneId} = ${a.comuneId} and ${applications.status} = 'waiting_list'
        and ((100 - ${applications.totalPoints}), (40 - ${applications.autonomyPoints}), ${applications.applicationDate}, ${applications.id})
          < ((100 - ${a.totalPoints}::int), (40 - ${a.autonomyPoints}::int), ${a.applicationDate}::date, ${a.id}::uuid)`);
    ahead = Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
    position = ahead + 1;
  }
  return {
    id: a.id,
    status: a.status,
    applicationDate: a.applicationDate,
    answerSentOn: a.answerSentAt ? a.answerSentAt.toISOString().slice(0, 10) : null,
    position,
    ahead,
  };
}

async function loadPerson(q: Queryable, row: { id: string; givenName: string | null; comuneId: string | null; livesAlone: boolean | null; familySupport: boolean | null }, self: boolean, now: Date): Promise<LinkedPerson> {
  return {
    personId: row.id,
    givenName: row.givenName ?? '',
    self,
    comuneId: row.comuneId,
    livesAloneWithoutFamily: row.livesAlone === true && row.familySupport === false,
    programme: await loadProgramme(q, row.id, now),
    application: await loadApplication(q, row.id),
  };
}

const personColumns = { id: people.id, givenName: people.givenName, comuneId: people.comuneId, livesAlone: people.livesAlone, familySupport: people.familySupport };

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Comuni and providers change rarely and every turn reads them: kept in memory per database
 * handle, and valid while the database's reference-data version (bumped by triggers on those
 * tables, migration 0007) is the one they were read at.
 */
const referenceCache = new WeakMap<object, { version: string; comuni: ComuneInfo[]; providers: ProviderInfo[] }>();

/** Who an identity is linked to and the records it created, for the identity id `KEY`. */
const identityColumns = (key: string) => `
       (select version::text from reference_data_version where id = 1) as reference_version,
       coalesce((select json_agg(json_build_object('reference', x.reference, 'status', x.status, 'kind', x.kind) order by x.created_at desc)
                   from (select h.reference, h.status, h.kind, h.created_at
                           from help_requests h join conversations c on c.id = h.conversation_id
                          where c.identity_id = ${key} order by h.created_at desc limit 20) x), '[]'::json) as requests,
       coalesce((select json_agg(json_build_object('reference', s.reference, 'status', s.status) order by s.created_at desc)
                   from (select reference, status, created_at from segnalazioni
                          where reporter_identity_id = ${key} order by created_at desc limit 20) s), '[]'::json) as segnalazioni`;

/** Who the identity is linked to, the records it created, and the reference-data version: one round trip. */
const IDENTITY_SQL = `
select i.person_id, ${identityColumns('$1::uuid')}
  from (select $1::uuid as id) k left join channel_identities i on i.id = k.id`;

/**
 * The same for several identities at once (a batch of Telegram turns, db/channel-batch.ts). Each
 * identity is a probe by key (LIMIT 1 keeps it one): as a plain join on the unnested ids the
 * planner scanned every identity. (Exported for the plan test.)
 */
export const IDENTITIES_SQL = `
select k.id::text as identity_id, i.person_id, ${identityColumns('k.id')}
  from unnest($1::text::uuid[]) as k(id)
  left join lateral (select person_id from channel_identities where id = k.id limit 1) i on true`;

interface IdentityRow {
  person_id: string | null;
  reference_version: string | null;
  requests: ChatContext['myRequests'];
  segnalazioni: ChatContext['mySegnalazioni'];
}

/**
 * Everything the engine may know for one turn of this identity's conversation. `cacheKey`: the
 * object the reference-data cache is kept under (the database handle); without it nothing is cached.
 */
export async function loadChatContext(q: Queryable, identityId: string, now: Date, cacheKey?: object): Promise<ChatContext> {
  const [row] = await preparedRunnerOn(q)<IdentityRow>(IDENTITY_SQL, [identityId]);
  return contextOf(q, row, now, cacheKey);
}

/**
 * `loadChatContext` for several identities: one round trip for all of them, then the linked
 * people's own records one by one (before linking nothing personal is loaded, so most chats need
 * nothing more). `q` is the database or a transaction.
 */
export async function loadChatContexts(q: Queryable, identityIds: string[], now: Date, cacheKey?: object): Promise<Map<string, ChatContext>> {
  const contexts = new Map<string, ChatContext>();
  if (identityIds.length === 0) return contexts;
  // uuids only (checked), so the array literal needs no quoting.
  const ids = identityIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const rows = await preparedRunnerOn(q)<IdentityRow & { identity_id: string }>(IDENTITIES_SQL, [`{${ids.join(',')}}`]);
  for (const row of rows) contexts.set(row.identity_id, await contextOf(q, row, now, cacheKey));
  return contexts;
}

async function contextOf(q: Queryable, row: IdentityRow | undefined, now: Date, cacheKey?: object): Promise<ChatContext> {
  const version = row?.reference_version ?? null;
  let reference = cacheKey ? referenceCache.get(cacheKey) : undefined;
  if (!reference || version === null || reference.version !== version) {
    // Frozen: every turn shares these objects, so none may change them.
    reference = deepFreeze({ version: version ?? '', comuni: await loadComuni(q), providers: await loadProviders(q) });
    if (cacheKey && version !== null) referenceCache.set(cacheKey, reference);
  }
  const base = { comuni: reference.comuni, providers: reference.providers, myRequests: row?.requests ?? [], mySegnalazioni: row?.segnalazioni ?? [] };
  const personId = row?.person_id;
  if (!personId) return { linked: false, people: [], ...base };

  const list: LinkedPerson[] = [];
  const [self] = await q.select(personColumns).from(people).where(and(eq(people.id, personId), isNull(people.erasedAt)));
  if (!self) return { linked: false, people: [], ...base };
  const delegated = await q
    .select(personColumns)
    .from(delegations)
    .innerJoin(people, eq(people.id, delegations.personId))
    .where(and(eq(delegations.delegatePersonId, personId), isNull(delegations.revokedAt), isNull(people.erasedAt)))
    .orderBy(asc(people.givenName), asc(people.id));
  const selfPerson = await loadPerson(q, self, true, now);
  // A delegate living outside the ambito with nothing of their own is not a case: show only the people they act for.
  if (self.comuneId !== null || selfPerson.programme || selfPerson.application || delegated.length === 0) list.push(selfPerson);
  for (const d of delegated) list.push(await loadPerson(q, d, false, now));
  // Check-ins (issue #9) are the linked person's own: a delegate's chat does not answer for them.
  const checkin = await loadCheckinChat(q, personId, now);
  return { linked: true, people: list, ...base, ...(checkin ? { checkin } : {}) };
}
