/**
 * People, their delegates and consents, and (read only) their channel identities. Every query
 * of the staff API on these tables lives here; the routes decide who may call them.
 */
import { and, asc, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './client.ts';
import {
  channelIdentities,
  consents,
  delegations,
  people,
  type Channel,
  type ConsentMethod,
  type ConsentPurpose,
  type DelegateKind,
} from './schema.ts';
import type { StaffIdentity } from './staff.ts';

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);

/**
 * SQL condition limiting `people` rows to what the caller may see (same rule as
 * api/scope.ts canSeePerson): admin all; provider the people of its resources' programmes;
 * others their comuni, plus delegates without a comune who act for someone in them.
 */
export function peopleScopeCondition(staff: StaffIdentity): SQL {
  if (staff.role === 'admin') return sql`true`;
  if (staff.role === 'provider') {
    if (staff.resources.length === 0) return sql`false`;
    return sql`exists (select 1 from programmes p where p.person_id = ${people.id} and p.resource_id in (${list(staff.resources)}))`;
  }
  if (staff.comuni.length === 0) return sql`false`;
  return sql`(${people.comuneId} in (${list(staff.comuni)}) or (${people.comuneId} is null and exists (
    select 1 from delegations d join people b on b.id = d.person_id
    where d.delegate_person_id = ${people.id} and d.revoked_at is null and b.comune_id in (${list(staff.comuni)}))))`;
}

export interface PeopleSearch {
  /** Words of a name (each must appear in the given or family name), or a codice fiscale. */
  text?: string | undefined;
  comuneId?: string | undefined;
  codiceFiscale?: string | undefined;
  limit: number;
  offset: number;
}

export interface PersonSummary {
  id: string;
  comuneId: string | null;
  givenName: string | null;
  familyName: string | null;
  birthDate: string | null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** One page of people in scope, by family name, given name, id. `hasMore` says whether a next page exists. */
export async function searchPeople(q: Queryable, staff: StaffIdentity, search: PeopleSearch): Promise<{ people: PersonSummary[]; hasMore: boolean }> {
  const conditions: SQL[] = [isNull(people.erasedAt), peopleScopeCondition(staff)];
  if (search.comuneId) conditions.push(eq(people.comuneId, search.comuneId));
  if (search.codiceFiscale) conditions.push(eq(people.codiceFiscale, search.codiceFiscale));
  const text = search.text?.trim();
  if (text) {
    const compact = text.replace(/\s+/g, '').toUpperCase();
    const words = text.split(/\s+/).filter(Boolean).slice(0, 5);
    const byName = and(...words.map((w) => or(ilike(people.givenName, `%${escapeLike(w)}%`), ilike(people.familyName, `%${escapeLike(w)}%`))!))!;
    conditions.push(/^[A-Z0-9]{16}$/.test(compact) ? or(byName, eq(people.codiceFiscale, compact))! : byName);
  }
  const rows = await q
    .select({ id: people.id, comuneId: people.comuneId, givenName: people.givenName, familyName: people.familyName, birthDate: people.birthDate })
    .from(people)
    .where(and(...conditions))
    .orderBy(sql`${people.familyName} asc nulls last`, sql`${people.givenName} asc nulls last`, asc(people.id))
    .limit(search.limit + 1)
    .offset(search.offset);
  return { people: rows.slice(0, search.limit), hasMore: rows.length > search.limit };
}

export type PersonRow = typeof people.$inferSelect;
export type PersonValues = Partial<Omit<typeof people.$inferInsert, 'id' | 'createdAt' | 'erasedAt'>>;

/** The id of a (not erased) person with this codice fiscale, other than `exceptId`. */
export async function findPersonIdByCodiceFiscale(q: Queryable, codiceFiscale: string, exceptId?: string): Promise<string | undefined> {
  const [row] = await q
    .select({ id: people.id })
    .from(people)
    .where(and(eq(people.codiceFiscale, codiceFiscale), exceptId ? sql`${people.id} <> ${exceptId}` : undefined));
  return row?.id;
}

export async function insertPerson(q: Queryable, values: PersonValues): Promise<PersonRow> {
  const [row] = await q.insert(people).values(values).returning();
  return row!;
}

export async function findPerson(q: Queryable, id: string): Promise<PersonRow | undefined> {
  const [row] = await q.select().from(people).where(and(eq(people.id, id), isNull(people.erasedAt)));
  return row;
}

/** The person row, locked until the transaction ends (concurrent edits queue up). */
export async function lockPerson(q: Queryable, id: string): Promise<PersonRow | undefined> {
  const [row] = await q.select().from(people).where(and(eq(people.id, id), isNull(people.erasedAt))).for('update');
  return row;
}

export async function updatePerson(q: Queryable, id: string, values: PersonValues, now: Date): Promise<PersonRow> {
  const [row] = await q.update(people).set({ ...values, updatedAt: now }).where(eq(people.id, id)).returning();
  return row!;
}

/** True for a unique-constraint violation (PostgreSQL 23505), whichever driver raised it. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === '23505') return true;
  }
  return false;
}

export interface DelegateRow {
  delegationId: string;
  kind: DelegateKind;
  relationship: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  person: { id: string; comuneId: string | null; givenName: string | null; familyName: string | null; phone: string | null; email: string | null };
}

/** Who acts for the person (revoked delegations included, newest first). */
export async function listDelegatesOf(q: Queryable, personId: string): Promise<DelegateRow[]> {
  const rows = await q
    .select({
      delegationId: delegations.id,
      kind: delegations.kind,
      relationship: delegations.relationship,
      createdAt: delegations.createdAt,
      revokedAt: delegations.revokedAt,
      id: people.id,
      comuneId: people.comuneId,
      givenName: people.givenName,
      familyName: people.familyName,
      phone: people.phone,
      email: people.email,
    })
    .from(delegations)
    .innerJoin(people, eq(people.id, delegations.delegatePersonId))
    .where(eq(delegations.personId, personId))
    .orderBy(sql`${delegations.revokedAt} is not null`, sql`${delegations.createdAt} desc`, asc(delegations.id));
  return rows.map(({ delegationId, kind, relationship, createdAt, revokedAt, ...person }) => ({ delegationId, kind, relationship, createdAt, revokedAt, person }));
}

/** The people this person acts for (active delegations only). */
export async function listDelegatedFor(q: Queryable, delegatePersonId: string) {
  return q
    .select({ delegationId: delegations.id, kind: delegations.kind, relationship: delegations.relationship, personId: people.id, comuneId: people.comuneId })
    .from(delegations)
    .innerJoin(people, eq(people.id, delegations.personId))
    .where(and(eq(delegations.delegatePersonId, delegatePersonId), isNull(delegations.revokedAt)))
    .orderBy(asc(delegations.createdAt), asc(delegations.id));
}

export type ConsentRow = typeof consents.$inferSelect;

export async function listConsents(q: Queryable, personId: string): Promise<ConsentRow[]> {
  return q.select().from(consents).where(eq(consents.personId, personId)).orderBy(asc(consents.givenAt), asc(consents.id));
}

export interface ChannelIdentityRow {
  id: string;
  channel: Channel;
  address: string;
  locale: string;
  reachable: boolean;
  createdAt: Date;
}

export async function listChannelIdentities(q: Queryable, personId: string): Promise<ChannelIdentityRow[]> {
  return q
    .select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address, locale: channelIdentities.locale, reachable: channelIdentities.reachable, createdAt: channelIdentities.createdAt })
    .from(channelIdentities)
    .where(eq(channelIdentities.personId, personId))
    .orderBy(asc(channelIdentities.createdAt), asc(channelIdentities.id));
}

export type DelegationRow = typeof delegations.$inferSelect;

export async function findActiveDelegation(q: Queryable, personId: string, delegatePersonId: string): Promise<DelegationRow | undefined> {
  const [row] = await q
    .select()
    .from(delegations)
    .where(and(eq(delegations.personId, personId), eq(delegations.delegatePersonId, delegatePersonId), isNull(delegations.revokedAt)));
  return row;
}

export async function insertDelegation(
  q: Queryable,
  values: { personId: string; delegatePersonId: string; kind: DelegateKind; relationship: string | null; createdBy: string },
): Promise<DelegationRow> {
  const [row] = await q.insert(delegations).values(values).returning();
  return row!;
}

/** A delegation of this person, locked until the transaction ends. */
export async function lockDelegation(q: Queryable, personId: string, delegationId: string): Promise<DelegationRow | undefined> {
  const [row] = await q.select().from(delegations).where(and(eq(delegations.id, delegationId), eq(delegations.personId, personId))).for('update');
  return row;
}

export async function revokeDelegation(q: Queryable, delegationId: string, at: Date): Promise<DelegationRow> {
  const [row] = await q.update(delegations).set({ revokedAt: at }).where(eq(delegations.id, delegationId)).returning();
  // The consent behind it no longer stands either.
  await q.update(consents).set({ withdrawnAt: at }).where(and(eq(consents.delegationId, delegationId), isNull(consents.withdrawnAt)));
  return row!;
}

export async function insertConsent(
  q: Queryable,
  values: { personId: string; delegationId: string | null; purpose: ConsentPurpose; method: ConsentMethod; givenAt: Date; givenBy: string | null; recordedBy: string },
): Promise<ConsentRow> {
  const [row] = await q.insert(consents).values(values).returning();
  return row!;
}

/** A consent of this person, locked until the transaction ends. */
export async function lockConsent(q: Queryable, personId: string, consentId: string): Promise<ConsentRow | undefined> {
  const [row] = await q.select().from(consents).where(and(eq(consents.id, consentId), eq(consents.personId, personId))).for('update');
  return row;
}

export async function withdrawConsent(q: Queryable, consentId: string, at: Date): Promise<ConsentRow> {
  const [row] = await q.update(consents).set({ withdrawnAt: at }).where(eq(consents.id, consentId)).returning();
  return row!;
}
