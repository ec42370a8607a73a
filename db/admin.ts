/**
 * Administration queries: staff accounts with their comuni and resources, comune settings,
 * the over-65 figures, yearly budgets and their allocations (art. 15).
 */
import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { FeeTariff } from '../core/regulation/fees.ts';
import type { ExtraServiceType } from '../core/regulation/services.ts';
import type { Queryable } from './client.ts';
import { staffSessionsChanged } from './session-cache.ts';
import {
  allocations,
  ambitoSettings,
  applications,
  budgets,
  comuneSettings,
  comuni,
  programmes,
  staffContacts,
  staffSessions,
  staffUserComuni,
  staffUserResources,
  staffUsers,
  voucherLedger,
  type OfficeHours,
  type StaffRole,
} from './schema.ts';

// ───────────── Staff ─────────────

/** Where a staff member is the on-call for emergencies: the comuni (by name) and whether for the whole ambito. */
export async function onCallDutiesOf(q: Queryable, staffId: string): Promise<{ comuni: string[]; central: boolean }> {
  const rows = await q
    .select({ name: comuni.name })
    .from(comuneSettings)
    .innerJoin(comuni, eq(comuni.id, comuneSettings.comuneId))
    .where(eq(comuneSettings.onCallStaffId, staffId))
    .orderBy(asc(comuni.name));
  const [central] = await q.select({ id: ambitoSettings.id }).from(ambitoSettings).where(eq(ambitoSettings.centralOnCallStaffId, staffId));
  return { comuni: rows.map((r) => r.name), central: central !== undefined };
}

export interface StaffRecord {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
  comuni: string[];
  resources: string[];
  createdAt: Date;
}

export async function listStaff(q: Queryable, ids?: readonly string[]): Promise<StaffRecord[]> {
  const users = await q
    .select({ id: staffUsers.id, username: staffUsers.username, displayName: staffUsers.displayName, role: staffUsers.role, active: staffUsers.active, createdAt: staffUsers.createdAt })
    .from(staffUsers)
    .where(ids ? inArray(staffUsers.id, [...ids]) : undefined)
    .orderBy(asc(staffUsers.username));
  if (users.length === 0) return [];
  const userIds = users.map((u) => u.id);
  const comuneLinks = await q.select().from(staffUserComuni).where(inArray(staffUserComuni.userId, userIds));
  const resourceLinks = await q.select().from(staffUserResources).where(inArray(staffUserResources.userId, userIds));
  const group = (links: { userId: string; value: string }[]) => {
    const map = new Map<string, string[]>();
    for (const l of links) map.set(l.userId, [...(map.get(l.userId) ?? []), l.value]);
    return map;
  };
  const comuniBy = group(comuneLinks.map((l) => ({ userId: l.userId, value: l.comuneId })));
  const resourcesBy = group(resourceLinks.map((l) => ({ userId: l.userId, value: l.resourceId })));
  return users.map((u) => ({ ...u, comuni: (comuniBy.get(u.id) ?? []).sort(), resources: (resourcesBy.get(u.id) ?? []).sort() }));
}

export async function findStaffRecord(q: Queryable, id: string): Promise<StaffRecord | undefined> {
  return (await listStaff(q, [id]))[0];
}

export async function usernameTaken(q: Queryable, username: string): Promise<boolean> {
  const rows = await q.select({ id: staffUsers.id }).from(staffUsers).where(sql`lower(${staffUsers.username}) = lower(${username})`);
  return rows.length > 0;
}

/** Locks a staff row for a read-modify-write. */
export async function lockStaff(q: Queryable, id: string) {
  const [row] = await q.select({ id: staffUsers.id, role: staffUsers.role, active: staffUsers.active }).from(staffUsers).where(eq(staffUsers.id, id)).for('update');
  return row;
}

export async function updateStaff(
  q: Queryable,
  id: string,
  patch: { displayName?: string | undefined; role?: StaffRole | undefined; active?: boolean | undefined; comuni?: string[] | undefined; resources?: string[] | undefined },
): Promise<void> {
  const set: Partial<typeof staffUsers.$inferInsert> = {};
  if (patch.displayName !== undefined) set.displayName = patch.displayName;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.active !== undefined) set.active = patch.active;
  if (Object.keys(set).length > 0) await q.update(staffUsers).set(set).where(eq(staffUsers.id, id));
  if (patch.comuni !== undefined) {
    await q.delete(staffUserComuni).where(eq(staffUserComuni.userId, id));
    if (patch.comuni.length) await q.insert(staffUserComuni).values(patch.comuni.map((comuneId) => ({ userId: id, comuneId })));
  }
  if (patch.resources !== undefined) await setStaffResources(q, id, patch.resources);
  // Who this person is has changed: no instance may keep serving the old identity from memory.
  await staffSessionsChanged(q);
}

export async function setStaffResources(q: Queryable, userId: string, resourceIds: readonly string[]): Promise<void> {
  await q.delete(staffUserResources).where(eq(staffUserResources.userId, userId));
  if (resourceIds.length) await q.insert(staffUserResources).values(resourceIds.map((resourceId) => ({ userId, resourceId })));
}

export async function setStaffPassword(q: Queryable, id: string, passwordHash: string): Promise<void> {
  await q.update(staffUsers).set({ passwordHash }).where(eq(staffUsers.id, id));
}

/** Ends every session of a staff member (deactivation): their next request is anonymous. */
export async function endStaffSessions(q: Queryable, userId: string): Promise<number> {
  const rows = await q.delete(staffSessions).where(eq(staffSessions.userId, userId)).returning({ id: staffSessions.id });
  await staffSessionsChanged(q);
  return rows.length;
}

// ───────────── Comuni and their settings ─────────────

export async function unknownComuni(q: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await q.select({ id: comuni.id }).from(comuni).where(inArray(comuni.id, [...ids]));
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

export interface ComuneSettingsRecord {
  comuneId: string;
  name: string;
  over65: number;
  over65Illustrative: boolean;
  patronDay: string | null;
  officeAddress: string | null;
  officeHours: OfficeHours | null;
  feeTariff: FeeTariff | null;
  onCallStaffId: string | null;
  extraServices: ExtraServiceType[];
  volunteerVoucherServices: string[];
  updatedAt: Date | null;
}

/** A comune with its settings (defaults when none were saved), or undefined if the comune does not exist. */
export async function loadComuneSettings(q: Queryable, comuneId: string): Promise<ComuneSettingsRecord | undefined> {
  const [row] = await q
    .select({
      comuneId: comuni.id,
      name: comuni.name,
      over65: comuni.over65,
      over65Illustrative: comuni.over65Illustrative,
      patronDay: comuni.patronDay,
      officeAddress: comuni.officeAddress,
      officeHours: comuni.officeHours,
      feeTariff: comuneSettings.feeTariff,
      onCallStaffId: comuneSettings.onCallStaffId,
      extraServices: comuneSettings.extraServices,
      volunteerVoucherServices: comuneSettings.volunteerVoucherServices,
      updatedAt: comuneSettings.updatedAt,
    })
    .from(comuni)
    .leftJoin(comuneSettings, eq(comuneSettings.comuneId, comuni.id))
    .where(eq(comuni.id, comuneId));
  if (!row) return undefined;
  return {
    ...row,
    feeTariff: (row.feeTariff as FeeTariff | null) ?? null,
    extraServices: (row.extraServices as ExtraServiceType[] | null) ?? [],
    volunteerVoucherServices: row.volunteerVoucherServices ?? [],
  };
}

/** The comune's fee tariff (art. 14), or null when none is configured: for the fee statements. */
export async function loadFeeTariff(q: Queryable, comuneId: string): Promise<FeeTariff | null> {
  const [row] = await q.select({ feeTariff: comuneSettings.feeTariff }).from(comuneSettings).where(eq(comuneSettings.comuneId, comuneId));
  return (row?.feeTariff as FeeTariff | null | undefined) ?? null;
}

export interface ComuneSettingsPatch {
  patronDay?: string | null | undefined;
  officeAddress?: string | null | undefined;
  officeHours?: OfficeHours | null | undefined;
  feeTariff?: FeeTariff | null | undefined;
  onCallStaffId?: string | null | undefined;
  extraServices?: ExtraServiceType[] | undefined;
  volunteerVoucherServices?: string[] | undefined;
}

/** Locks the comune row: settings writes of one comune are serialised. */
export async function lockComune(q: Queryable, comuneId: string): Promise<boolean> {
  const rows = await q.select({ id: comuni.id }).from(comuni).where(eq(comuni.id, comuneId)).for('update');
  return rows.length > 0;
}

export async function saveComuneSettings(q: Queryable, comuneId: string, patch: ComuneSettingsPatch, staffId: string): Promise<void> {
  const comuneSet: Partial<typeof comuni.$inferInsert> = {};
  if (patch.patronDay !== undefined) comuneSet.patronDay = patch.patronDay;
  if (patch.officeAddress !== undefined) comuneSet.officeAddress = patch.officeAddress;
  if (patch.officeHours !== undefined) comuneSet.officeHours = patch.officeHours;
  if (Object.keys(comuneSet).length > 0) await q.update(comuni).set(comuneSet).where(eq(comuni.id, comuneId));
  const settingsSet: Partial<typeof comuneSettings.$inferInsert> = {};
  if (patch.feeTariff !== undefined) settingsSet.feeTariff = patch.feeTariff as unknown as Record<string, unknown> | null;
  if (patch.onCallStaffId !== undefined) settingsSet.onCallStaffId = patch.onCallStaffId;
  if (patch.extraServices !== undefined) settingsSet.extraServices = patch.extraServices as unknown as Record<string, unknown>[];
  if (patch.volunteerVoucherServices !== undefined) settingsSet.volunteerVoucherServices = patch.volunteerVoucherServices;
  await q
    .insert(comuneSettings)
    .values({ comuneId, ...settingsSet, updatedBy: staffId })
    .onConflictDoUpdate({ target: comuneSettings.comuneId, set: { ...settingsSet, updatedBy: staffId, updatedAt: sql`now()` } });
}

/** Whether a staff member is active and works for the comune (admins and operators of every comune count). */
export async function staffServesComune(q: Queryable, staffId: string, comuneId: string): Promise<boolean> {
  const [row] = await q
    .select({ role: staffUsers.role, active: staffUsers.active, linked: sql<boolean>`exists (select 1 from ${staffUserComuni} where ${staffUserComuni.userId} = ${staffUsers.id} and ${staffUserComuni.comuneId} = ${comuneId})` })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId));
  if (!row || !row.active || row.role === 'provider') return false;
  return row.role === 'admin' || row.linked;
}

export async function listComuniNames(q: Queryable) {
  return q.select({ id: comuni.id, name: comuni.name, over65: comuni.over65, over65Illustrative: comuni.over65Illustrative }).from(comuni).orderBy(asc(comuni.id));
}

/** Sets ISTAT over-65 figures: no longer illustrative. */
export async function saveOver65(q: Queryable, figures: readonly { comuneId: string; over65: number }[]): Promise<void> {
  for (const f of figures) await q.update(comuni).set({ over65: f.over65, over65Illustrative: false }).where(eq(comuni.id, f.comuneId));
}

// ───────────── Ambito settings (one row) ─────────────

export interface AmbitoSettingsRecord {
  centralOnCallStaffId: string | null;
  /** Whether the central on-call member is active and has a Telegram chat id or a phone: alerts can leave. */
  centralOnCallReachable: boolean;
  updatedAt: Date | null;
}

export async function loadAmbitoSettings(q: Queryable): Promise<AmbitoSettingsRecord> {
  const [row] = await q
    .select({
      centralOnCallStaffId: ambitoSettings.centralOnCallStaffId,
      updatedAt: ambitoSettings.updatedAt,
      reachable: sql<boolean>`coalesce(${staffUsers.active} and (${staffContacts.telegramChatId} is not null or ${staffContacts.phone} is not null), false)`,
    })
    .from(ambitoSettings)
    .leftJoin(staffUsers, eq(staffUsers.id, ambitoSettings.centralOnCallStaffId))
    .leftJoin(staffContacts, eq(staffContacts.staffUserId, ambitoSettings.centralOnCallStaffId));
  if (!row) return { centralOnCallStaffId: null, centralOnCallReachable: false, updatedAt: null };
  return { centralOnCallStaffId: row.centralOnCallStaffId, centralOnCallReachable: row.centralOnCallStaffId !== null && row.reachable === true, updatedAt: row.updatedAt };
}

/** Creates the single row if missing and locks it: ambito settings writes are serialised. */
export async function lockAmbitoSettings(q: Queryable): Promise<void> {
  await q.insert(ambitoSettings).values({ id: true }).onConflictDoNothing();
  await q.select({ id: ambitoSettings.id }).from(ambitoSettings).where(eq(ambitoSettings.id, true)).for('update');
}

export async function saveAmbitoSettings(q: Queryable, patch: { centralOnCallStaffId?: string | null | undefined }, staffId: string): Promise<void> {
  const set: Partial<typeof ambitoSettings.$inferInsert> = { updatedBy: staffId, updatedAt: new Date() };
  if (patch.centralOnCallStaffId !== undefined) set.centralOnCallStaffId = patch.centralOnCallStaffId;
  await q.update(ambitoSettings).set(set).where(eq(ambitoSettings.id, true));
}

/** Whether a staff member may be the central on-call: an active account that is not a provider's. */
export async function staffCanBeOnCall(q: Queryable, staffId: string): Promise<boolean> {
  const [row] = await q.select({ role: staffUsers.role, active: staffUsers.active }).from(staffUsers).where(eq(staffUsers.id, staffId));
  return !!row && row.active && row.role !== 'provider';
}

// ───────────── Budgets and allocations (art. 15) ─────────────

export interface BudgetRecord {
  year: number;
  totalHours: number;
  weeks: number;
  savedBy: string | null;
  savedAt: Date;
  allocations: { comuneId: string; hours: number }[];
  redistribution: { comuneId: string; hours: number }[] | null;
}

export async function loadBudget(q: Queryable, year: number): Promise<BudgetRecord | undefined> {
  const [budget] = await q.select().from(budgets).where(eq(budgets.year, year));
  if (!budget) return undefined;
  const rows = await q
    .select({ comuneId: allocations.comuneId, kind: allocations.kind, hours: allocations.hours })
    .from(allocations)
    .where(eq(allocations.year, year))
    .orderBy(asc(allocations.comuneId));
  const initial = rows.filter((r) => r.kind === 'initial').map(({ comuneId, hours }) => ({ comuneId, hours }));
  const redistribution = rows.filter((r) => r.kind === 'redistribution').map(({ comuneId, hours }) => ({ comuneId, hours }));
  return { ...budget, allocations: initial, redistribution: redistribution.length ? redistribution : null };
}

/** Locks a year's budget row (or learns there is none) before replacing it. */
export async function lockBudget(q: Queryable, year: number) {
  const [row] = await q.select({ year: budgets.year, totalHours: budgets.totalHours, weeks: budgets.weeks }).from(budgets).where(eq(budgets.year, year)).for('update');
  return row;
}

export async function hasRedistribution(q: Queryable, year: number): Promise<boolean> {
  const rows = await q.select({ year: allocations.year }).from(allocations).where(and(eq(allocations.year, year), eq(allocations.kind, 'redistribution'))).limit(1);
  return rows.length > 0;
}

/** Saves (or replaces) a year's budget and its initial allocation. */
export async function saveBudget(
  q: Queryable,
  input: { year: number; totalHours: number; weeks: number; shares: readonly { comuneId: string; hours: number }[]; staffId: string },
): Promise<void> {
  await q
    .insert(budgets)
    .values({ year: input.year, totalHours: input.totalHours, weeks: input.weeks, savedBy: input.staffId })
    .onConflictDoUpdate({ target: budgets.year, set: { totalHours: input.totalHours, weeks: input.weeks, savedBy: input.staffId, savedAt: sql`now()` } });
  await q.delete(allocations).where(and(eq(allocations.year, input.year), eq(allocations.kind, 'initial')));
  await q.insert(allocations).values(input.shares.map((s) => ({ year: input.year, comuneId: s.comuneId, kind: 'initial' as const, hours: s.hours, savedBy: input.staffId })));
}

export async function saveRedistribution(q: Queryable, year: number, shares: readonly { comuneId: string; hours: number }[], staffId: string): Promise<void> {
  await q.delete(allocations).where(and(eq(allocations.year, year), eq(allocations.kind, 'redistribution')));
  await q.insert(allocations).values(shares.map((s) => ({ year, comuneId: s.comuneId, kind: 'redistribution' as const, hours: s.hours, savedBy: staffId })));
}

/**
 * A year's activity per comune from the voucher ledger joined to programmes: hours issued and
 * redeemed with `on` inside the year, and applications on the waiting list now.
 */
export async function yearActivityByComune(q: Queryable, year: number): Promise<Map<string, { issuedHours: number; usedHours: number; waitingApplications: number }>> {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const ledger = await q
    .select({
      comuneId: programmes.comuneId,
      issued: sql<number>`coalesce(sum(case when ${voucherLedger.kind} = 'issue' then ${voucherLedger.hours} else 0 end), 0)::int`,
      used: sql<number>`coalesce(sum(case when ${voucherLedger.kind} = 'redeem' then ${voucherLedger.hours} else 0 end), 0)::int`,
    })
    .from(voucherLedger)
    .innerJoin(programmes, eq(programmes.id, voucherLedger.programmeId))
    .where(and(gte(voucherLedger.on, from), lte(voucherLedger.on, to)))
    .groupBy(programmes.comuneId);
  const waiting = await q
    .select({ comuneId: applications.comuneId, n: sql<number>`count(*)::int` })
    .from(applications)
    .where(eq(applications.status, 'waiting_list'))
    .groupBy(applications.comuneId);
  const result = new Map<string, { issuedHours: number; usedHours: number; waitingApplications: number }>();
  const entry = (id: string) => {
    let e = result.get(id);
    if (!e) result.set(id, (e = { issuedHours: 0, usedHours: 0, waitingApplications: 0 }));
    return e;
  };
  for (const r of ledger) Object.assign(entry(r.comuneId), { issuedHours: Number(r.issued), usedHours: Number(r.used) });
  for (const r of waiting) entry(r.comuneId).waitingApplications = Number(r.n);
  return result;
}

/** True for a unique-constraint violation (PostgreSQL 23505), whichever driver raised it. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === '23505') return true;
  }
  return false;
}
