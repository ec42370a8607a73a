/**
 * Queries of the console's people, programme and provider pages (issue #7).
 *
 * The care contract needs in one place: the programme, the person, the
 * comune with its office, the chosen resource, the comune's co-payment tariff (art. 14) and the
 * household's ISEE. Read-only; the caller checks scope and audits the read.
 */
import { eq } from 'drizzle-orm';
import type { Queryable } from './client.ts';
import { findPerson, type PersonRow } from './people.ts';
import { findIseeCents, findProgramme } from './programmes.ts';
import { findResource, type ResourceRecord } from './resources.ts';
import { comuni, comuneSettings } from './schema.ts';
import type { ProgrammeRow } from './ledger.ts';

export interface CareContractData {
  programme: ProgrammeRow;
  person: PersonRow;
  comune: { id: string; name: string; officeAddress: string | null };
  resource: ResourceRecord | undefined;
  /** Tariff bands as configured (cents per hour up to an ISEE in cents; null = no upper limit), or null when none. */
  tariffBands: { upToIseeCents: number | null; centsPerHour: number }[] | null;
  iseeCents: number | null;
}

export async function loadCareContract(q: Queryable, programmeId: string): Promise<CareContractData | undefined> {
  const programme = await findProgramme(q, programmeId);
  if (!programme) return undefined;
  const person = await findPerson(q, programme.personId);
  if (!person) return undefined;
  const [comune] = await q.select({ id: comuni.id, name: comuni.name, officeAddress: comuni.officeAddress }).from(comuni).where(eq(comuni.id, programme.comuneId));
  if (!comune) return undefined;
  const resource = programme.resourceId ? await findResource(q, programme.resourceId) : undefined;
  const [settings] = await q.select({ tariff: comuneSettings.feeTariff }).from(comuneSettings).where(eq(comuneSettings.comuneId, programme.comuneId));
  const raw = settings?.tariff as { bands?: unknown } | null | undefined;
  const tariffBands = raw && Array.isArray(raw.bands) && raw.bands.length ? (raw.bands as CareContractData['tariffBands']) : null;
  const iseeCents = await findIseeCents(q, programme);
  return { programme, person, comune, resource, tariffBands, iseeCents };
}

