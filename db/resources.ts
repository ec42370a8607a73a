/**
 * Resources of the "open system": accredited providers, volunteer associations, occasional
 * helpers and family assistants, with the services they offer and the comuni they serve.
 * `listAccreditedProviders` is the art. 10 list the citizen chooses from (also used by the chat).
 */
import { and, asc, eq, gte, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './client.ts';
import { comuneSettings, resourceComuni, resources, type ResourceKind } from './schema.ts';

export interface ResourceRecord {
  id: string;
  kind: ResourceKind;
  name: string;
  services: string[];
  comuni: string[];
  phone: string | null;
  email: string | null;
  address: string | null;
  availability: string | null;
  accreditedUntil: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResourceFilter {
  comuneId?: string;
  kind?: ResourceKind;
  service?: string;
  /** true: active only (default); false: inactive only; undefined: all. */
  active?: boolean | undefined;
}

const columns = {
  id: resources.id,
  kind: resources.kind,
  name: resources.name,
  services: resources.services,
  phone: resources.phone,
  email: resources.email,
  address: resources.address,
  availability: resources.availability,
  accreditedUntil: resources.accreditedUntil,
  active: resources.active,
  createdAt: resources.createdAt,
  updatedAt: resources.updatedAt,
};

async function withComuni(q: Queryable, rows: Omit<ResourceRecord, 'comuni'>[]): Promise<ResourceRecord[]> {
  if (rows.length === 0) return [];
  const links = await q
    .select({ resourceId: resourceComuni.resourceId, comuneId: resourceComuni.comuneId })
    .from(resourceComuni)
    .where(inArray(resourceComuni.resourceId, rows.map((r) => r.id)))
    .orderBy(asc(resourceComuni.comuneId));
  const byResource = new Map<string, string[]>();
  for (const link of links) byResource.set(link.resourceId, [...(byResource.get(link.resourceId) ?? []), link.comuneId]);
  return rows.map((r) => ({ ...r, comuni: byResource.get(r.id) ?? [] }));
}

const servesComune = (comuneId: string) =>
  sql`exists (select 1 from ${resourceComuni} where ${resourceComuni.resourceId} = ${resources.id} and ${resourceComuni.comuneId} = ${comuneId})`;

/**
 * The resource offers `code` (canonical, upper case): compared without case because older rows
 * and test fixtures hold codes like "2a". A bare art. 7 family ("2", what the chat stores when
 * the person named no precise service) is offered by any code of that family.
 */
export const offersService = (code: string) =>
  sql`exists (select 1 from unnest(${resources.services}) as offered(code) where upper(offered.code) = ${code} or (length(${code}) = 1 and left(offered.code, 1) = ${code}))`;

export async function listResources(q: Queryable, filter: ResourceFilter = {}): Promise<ResourceRecord[]> {
  const conditions: SQL[] = [];
  if (filter.comuneId !== undefined) conditions.push(servesComune(filter.comuneId));
  if (filter.kind !== undefined) conditions.push(eq(resources.kind, filter.kind));
  if (filter.service !== undefined) conditions.push(offersService(filter.service));
  if (filter.active !== undefined) conditions.push(eq(resources.active, filter.active));
  const rows = await q
    .select(columns)
    .from(resources)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(resources.kind), asc(resources.name), asc(resources.id));
  return withComuni(q, rows);
}

export async function findResource(q: Queryable, id: string): Promise<ResourceRecord | undefined> {
  const rows = await q.select(columns).from(resources).where(eq(resources.id, id));
  return (await withComuni(q, rows))[0];
}

/**
 * Art. 10: the accredited providers serving a comune, among whom the citizen freely chooses:
 * active, serving the comune, accreditation not expired on `today` ('YYYY-MM-DD'; no date = open).
 */
export async function listAccreditedProviders(q: Queryable, comuneId: string, today: string = new Date().toISOString().slice(0, 10)): Promise<ResourceRecord[]> {
  const rows = await q
    .select(columns)
    .from(resources)
    .where(
      and(
        eq(resources.kind, 'accredited_provider'),
        eq(resources.active, true),
        servesComune(comuneId),
        or(isNull(resources.accreditedUntil), gte(resources.accreditedUntil, today)),
      ),
    )
    .orderBy(asc(resources.name), asc(resources.id));
  return withComuni(q, rows);
}

export interface ResourceInput {
  kind: ResourceKind;
  name: string;
  services: string[];
  comuni: string[];
  phone?: string | null | undefined;
  email?: string | null | undefined;
  address?: string | null | undefined;
  availability?: string | null | undefined;
  accreditedUntil?: string | null | undefined;
}

export async function insertResource(q: Queryable, input: ResourceInput): Promise<string> {
  const [row] = await q
    .insert(resources)
    .values({
      kind: input.kind,
      name: input.name,
      services: input.services,
      phone: input.phone ?? null,
      email: input.email ?? null,
      address: input.address ?? null,
      availability: input.availability ?? null,
      accreditedUntil: input.accreditedUntil ?? null,
    })
    .returning({ id: resources.id });
  await q.insert(resourceComuni).values(input.comuni.map((comuneId) => ({ resourceId: row!.id, comuneId })));
  return row!.id;
}

export type ResourcePatch = Partial<Omit<ResourceInput, 'comuni'>> & { comuni?: string[] | undefined; active?: boolean | undefined };

/** Locks the resource row (for a read-modify-write), or undefined when it does not exist. */
export async function lockResource(q: Queryable, id: string): Promise<{ id: string } | undefined> {
  const [row] = await q.select({ id: resources.id }).from(resources).where(eq(resources.id, id)).for('update');
  return row;
}

export async function updateResource(q: Queryable, id: string, patch: ResourcePatch): Promise<void> {
  const { comuni: comuniList, ...fields } = patch;
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  await q.update(resources).set({ ...set, updatedAt: sql`now()` }).where(eq(resources.id, id));
  if (comuniList !== undefined) {
    await q.delete(resourceComuni).where(eq(resourceComuni.resourceId, id));
    await q.insert(resourceComuni).values(comuniList.map((comuneId) => ({ resourceId: id, comuneId })));
  }
}

/** The comuni's own extra service codes (art. 7 *Ad hoc* services), for checking resource services. */
export async function extraServiceCodes(q: Queryable, comuneIds: readonly string[]): Promise<Set<string>> {
  if (comuneIds.length === 0) return new Set();
  const rows = await q.select({ extra: comuneSettings.extraServices }).from(comuneSettings).where(inArray(comuneSettings.comuneId, [...comuneIds]));
  const codes = new Set<string>();
  for (const row of rows) for (const e of row.extra ?? []) if (typeof e.code === 'string') codes.add(e.code);
  return codes;
}

export async function activeResourceIds(q: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await q.select({ id: resources.id }).from(resources).where(and(inArray(resources.id, [...ids]), eq(resources.active, true)));
  return new Set(rows.map((r) => r.id));
}
