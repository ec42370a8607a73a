/**
 * Record-level scope for the staff API. A record belongs to the comune of the person it is about;
 * providers see only the programmes (and so the people and visits) of the resources they work for.
 * Anything outside the caller's scope answers 404, as if it did not exist, and the refusal is
 * audited. Reads of a person's file that succeed are audited too (who, what, why).
 */
import type { Context } from 'hono';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { DomainError } from '../core/errors.ts';
import { recordAudit } from '../db/audit.ts';
import type { Queryable } from '../db/client.ts';
import { delegations, people, programmes } from '../db/schema.ts';
import type { StaffIdentity } from '../db/staff.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { canSeeComune } from './guard.ts';
import { isUuid } from './security.ts';

export { isUuid };

export function notFound(): DomainError {
  return new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
}

export function currentStaff(c: Context<AppEnv>): StaffIdentity {
  const staff = c.get('staff');
  if (!staff) throw new DomainError('UNAUTHORIZED', { key: 'errors:UNAUTHORIZED' });
  return staff;
}

/** Audits a refusal for scope and returns the 404 to throw. */
export async function deniedForScope(deps: AppDeps, c: Context<AppEnv>, subjectType: string, subjectId: string, comuneId?: string | null) {
  const staff = currentStaff(c);
  await recordAudit(deps.database.db, {
    actorType: 'staff', actorId: staff.id, action: `${c.req.method} ${c.req.routePath}`, subjectType, subjectId, comuneId: comuneId ?? null, outcome: 'denied', reason: 'scope', requestId: c.get('requestId'),
  });
  return notFound();
}

/** True when the staff member may see records of this person (comune, delegation or provider programme). */
export async function canSeePerson(q: Queryable, staff: StaffIdentity, person: { id: string; comuneId: string | null }): Promise<boolean> {
  if (staff.role === 'admin') return true;
  if (staff.role === 'provider') {
    if (staff.resources.length === 0) return false;
    const rows = await q
      .select({ id: programmes.id })
      .from(programmes)
      .where(and(eq(programmes.personId, person.id), inArray(programmes.resourceId, staff.resources)))
      .limit(1);
    return rows.length > 0;
  }
  if (person.comuneId) return canSeeComune(staff, person.comuneId);
  // A delegate living outside the ambito: visible to whoever sees a person they act for.
  if (staff.comuni.length === 0) return false;
  const rows = await q
    .select({ id: delegations.id })
    .from(delegations)
    .innerJoin(people, eq(people.id, delegations.personId))
    .where(and(eq(delegations.delegatePersonId, person.id), isNull(delegations.revokedAt), inArray(people.comuneId, staff.comuni)))
    .limit(1);
  return rows.length > 0;
}

export interface ScopedPerson {
  id: string;
  comuneId: string | null;
}

/**
 * Loads a person the caller may see, or throws 404 (audited). With `audit`, the successful read
 * is recorded as `audit` (e.g. "person.read") — every read of a person's file must be.
 */
export async function loadPersonInScope(deps: AppDeps, c: Context<AppEnv>, personId: string, audit?: { action: string; reason?: string }): Promise<ScopedPerson> {
  const staff = currentStaff(c);
  if (!isUuid(personId)) throw notFound();
  const { db } = deps.database;
  const [person] = await db.select({ id: people.id, comuneId: people.comuneId }).from(people).where(and(eq(people.id, personId), isNull(people.erasedAt)));
  if (!person) throw notFound();
  if (!(await canSeePerson(db, staff, person))) throw await deniedForScope(deps, c, 'person', personId, person.comuneId);
  if (audit) {
    await recordAudit(db, {
      actorType: 'staff', actorId: staff.id, action: audit.action, subjectType: 'person', subjectId: person.id, comuneId: person.comuneId, reason: audit.reason, requestId: c.get('requestId'),
    });
  }
  return person;
}

export interface ScopedProgramme {
  id: string;
  personId: string;
  comuneId: string;
  resourceId: string | null;
}

/** Loads a programme the caller may see (providers: their resources only), or throws 404 (audited). */
export async function loadProgrammeInScope(deps: AppDeps, c: Context<AppEnv>, programmeId: string, q: Queryable = deps.database.db): Promise<ScopedProgramme> {
  const staff = currentStaff(c);
  if (!isUuid(programmeId)) throw notFound();
  const [row] = await q
    .select({ id: programmes.id, personId: programmes.personId, comuneId: programmes.comuneId, resourceId: programmes.resourceId })
    .from(programmes)
    .where(eq(programmes.id, programmeId));
  if (!row) throw notFound();
  const visible =
    staff.role === 'admin' ||
    (staff.role === 'provider' ? row.resourceId !== null && staff.resources.includes(row.resourceId) : canSeeComune(staff, row.comuneId));
  if (!visible) throw await deniedForScope(deps, c, 'programme', programmeId, row.comuneId);
  return row;
}

/** SQL condition limiting `programmes` rows to the caller's scope (for lists). */
export function programmeScopeCondition(staff: StaffIdentity) {
  if (staff.role === 'admin') return sql`true`;
  if (staff.role === 'provider') return staff.resources.length ? inArray(programmes.resourceId, staff.resources) : sql`false`;
  return staff.comuni.length ? inArray(programmes.comuneId, staff.comuni) : sql`false`;
}
