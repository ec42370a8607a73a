/**
 * Demo case management data, loaded after the demo applications on an empty database: the
 * resources of the open system (accredited cooperatives, volunteers, occasional helpers, a family
 * assistant), every comune's settings, and for some admitted applicants a running programme with
 * its vouchers, done (and redeemed) visits and planned visits next week; a delegate with consent.
 *
 * Everything is invented: names, contacts (example domains, no real numbers), tariffs and office
 * hours are plausible, not the comuni's real ones; patron days are left unset (not verified).
 * Deterministic apart from `today`; a handful of batched inserts, so start-up stays fast.
 */
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { addCalendarDays, romeDate, ROME_ZONE } from '../core/regulation/calendar.ts';
import { computeHoursIssued, computeMaxProgrammeEnd } from '../core/regulation/programme.ts';
import type { FeeTariff } from '../core/regulation/fees.ts';
import type { Tx } from './client.ts';
import { answerDay } from './demo-applications.ts';
import { DEMO_COMUNI } from './demo-comuni.ts';
import {
  applicationDetails,
  applications,
  comuneSettings,
  comuni,
  consents,
  delegations,
  people,
  programmes,
  resourceComuni,
  resources,
  staffUserResources,
  staffUsers,
  visits,
  voucherLedger,
  type OfficeHours,
  type ResourceKind,
} from './schema.ts';

export const DEMO_PROVIDER_NAME = 'Cooperativa Il Sole';

interface DemoResource {
  key: string;
  kind: ResourceKind;
  name: string;
  services: string[];
  comuni: string[];
  email: string;
  availability: string;
  accredited: boolean;
}

const DEMO_RESOURCES: readonly DemoResource[] = [
  {
    key: 'sole', kind: 'accredited_provider', name: DEMO_PROVIDER_NAME, accredited: true,
    services: ['1A', '1B', '2A', '2B', '2D', '3A', '3B', '4B', '5B', '6A', '7A', '8A'],
    comuni: ['abbiategrasso', 'albairate', 'cisliano', 'gaggiano', 'rosate'],
    email: 'servizi@ilsole.example', availability: 'lun–sab 8–20',
  },
  {
    key: 'aurora', kind: 'accredited_provider', name: 'Cooperativa Aurora Servizi', accredited: true,
    services: ['1A', '1B', '2A', '2B', '2C', '2E', '3A', '4A', '4B', '5A', '5C', '5E', '6B', '7A'],
    comuni: ['abbiategrasso', 'besate', 'motta-visconti', 'ozzero', 'morimondo'],
    email: 'sad@aurora.example', availability: 'lun–sab 7:30–20',
  },
  {
    key: 'rete', kind: 'accredited_provider', name: 'Cooperativa La Rete', accredited: true,
    services: ['1B', '2B', '2D', '3B', '4B', '5B', '5D', '5F', '6A', '7A', '7B', '8A'],
    comuni: ['albairate', 'bubbiano', 'calvignasco', 'cassinetta-di-lugagnano', 'gaggiano', 'gudo-visconti', 'vermezzo-con-zelo'],
    email: 'domiciliare@larete.example', availability: 'lun–ven 8–19, sab 8–13',
  },
  {
    key: 'auser', kind: 'volunteer_association', name: 'Auser Abbiategrasso', accredited: false,
    services: ['8A'], comuni: ['abbiategrasso', 'albairate', 'cassinetta-di-lugagnano', 'morimondo', 'ozzero'],
    email: 'volontari@auser-abbiategrasso.example', availability: 'lun–ven 9–17, su prenotazione',
  },
  {
    key: 'gudo', kind: 'volunteer_association', name: 'Associazione Amici di Gudo', accredited: false,
    services: ['8A'], comuni: ['gudo-visconti', 'vermezzo-con-zelo', 'gaggiano'],
    email: 'accompagnamenti@amicidigudo.example', availability: 'lun–sab 8–18, accompagnamenti a visite mediche',
  },
  {
    key: 'helper1', kind: 'occasional_helper', name: 'Giulia Sala (aiuto occasionale)', accredited: false,
    services: ['7A', '8A'], comuni: ['rosate', 'calvignasco'], email: 'giulia.sala@posta.example', availability: 'pomeriggi, lun–ven',
  },
  {
    key: 'helper2', kind: 'occasional_helper', name: 'Paolo Riva (aiuto occasionale)', accredited: false,
    services: ['6A', '8A'], comuni: ['motta-visconti', 'besate'], email: 'paolo.riva@posta.example', availability: 'mattine, mar e gio',
  },
  {
    key: 'ana', kind: 'family_assistant', name: 'Ana P. (assistente familiare)', accredited: false,
    services: ['1B', '2B', '6A', '7A', '8A'], comuni: ['rosate'], email: 'ana.assistente@posta.example', availability: 'convivente, giorni feriali',
  },
];

/** A plausible co-payment tariff (art. 14): exempt up to 7,290 € ISEE, then rising; varies a little by comune. */
function demoTariff(comuneId: string, index: number): FeeTariff {
  const step = (index % 3) * 50;
  return {
    comuneId,
    bands: [
      { upToIseeCents: 729_000, centsPerHour: 0 },
      { upToIseeCents: 1_275_000, centsPerHour: 250 + step },
      { upToIseeCents: 2_000_000, centsPerHour: 550 + step },
      { upToIseeCents: null, centsPerHour: 950 + step },
    ],
  };
}

/** Mornings Monday to Friday and one afternoon (a different weekday per comune). */
function demoOfficeHours(index: number): OfficeHours {
  const hours: OfficeHours = { '1': ['09:00-12:30'], '2': ['09:00-12:30'], '3': ['09:00-12:30'], '4': ['09:00-12:30'], '5': ['09:00-12:30'] };
  const afternoon = String((index % 4) + 1) as '1' | '2' | '3' | '4';
  hours[afternoon] = ['09:00-12:30', '14:30-17:00'];
  return hours;
}

interface DemoCase {
  comuneId: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  livesAlone: boolean;
  familySupport: boolean;
  resource: string;
  services: string[];
  weeklyHours: number;
  /** Weekdays of the visits (1 = Monday … 6 = Saturday) and each visit's length and start hour (Rome). */
  visitDays: number[];
  visitHours: number;
  startHour: number;
  /** Days since the programme started. */
  startedDaysAgo: number;
  iseeCents: number;
  totalPoints: number;
  autonomyPoints: number;
  delegate?: { givenName: string; familyName: string; relationship: string; email: string };
}

/** Maria (Abbiategrasso, alone, 6 h: hygiene 2B, meal 6A, shopping 8A) and Franco (Albairate, daughter Laura as delegate) are the personas. */
const DEMO_CASES: readonly DemoCase[] = [
  { comuneId: 'abbiategrasso', givenName: 'Maria', familyName: 'Ferrario', birthDate: '1939-02-11', livesAlone: true, familySupport: false, resource: 'sole', services: ['2B', '6A', '8A'], weeklyHours: 6, visitDays: [1, 3, 5], visitHours: 2, startHour: 9, startedDaysAgo: 40, iseeCents: 800_000, totalPoints: 78, autonomyPoints: 30 },
  { comuneId: 'albairate', givenName: 'Franco', familyName: 'Colombo', birthDate: '1942-06-03', livesAlone: true, familySupport: true, resource: 'sole', services: ['1B', '2B'], weeklyHours: 4, visitDays: [2, 4], visitHours: 2, startHour: 9, startedDaysAgo: 25, iseeCents: 1_150_000, totalPoints: 66, autonomyPoints: 26, delegate: { givenName: 'Laura', familyName: 'Colombo', relationship: 'figlia', email: 'laura.colombo@posta.example' } },
  { comuneId: 'abbiategrasso', givenName: 'Giovanni', familyName: 'Bianchi', birthDate: '1936-10-21', livesAlone: false, familySupport: true, resource: 'aurora', services: ['1A', '3A', '4A'], weeklyHours: 8, visitDays: [1, 2, 4, 5], visitHours: 2, startHour: 8, startedDaysAgo: 60, iseeCents: 1_500_000, totalPoints: 81, autonomyPoints: 36 },
  { comuneId: 'abbiategrasso', givenName: 'Teresa', familyName: 'Galli', birthDate: '1944-04-30', livesAlone: true, familySupport: false, resource: 'sole', services: ['7A', '8A'], weeklyHours: 3, visitDays: [3], visitHours: 3, startHour: 14, startedDaysAgo: 100, iseeCents: 650_000, totalPoints: 58, autonomyPoints: 18 },
  { comuneId: 'cisliano', givenName: 'Luigi', familyName: 'Sironi', birthDate: '1938-12-12', livesAlone: false, familySupport: true, resource: 'sole', services: ['2B', '5B'], weeklyHours: 4, visitDays: [1, 4], visitHours: 2, startHour: 10, startedDaysAgo: 30, iseeCents: 1_900_000, totalPoints: 62, autonomyPoints: 24 },
  { comuneId: 'gaggiano', givenName: 'Rosa', familyName: 'Brambilla', birthDate: '1935-08-08', livesAlone: true, familySupport: false, resource: 'rete', services: ['1B', '2D', '6A'], weeklyHours: 6, visitDays: [1, 3, 6], visitHours: 2, startHour: 9, startedDaysAgo: 45, iseeCents: 720_000, totalPoints: 84, autonomyPoints: 32 },
  { comuneId: 'rosate', givenName: 'Carlo', familyName: 'Mauri', birthDate: '1941-01-19', livesAlone: false, familySupport: true, resource: 'sole', services: ['3A', '5B'], weeklyHours: 2, visitDays: [5], visitHours: 2, startHour: 15, startedDaysAgo: 20, iseeCents: 2_400_000, totalPoints: 55, autonomyPoints: 20 },
  { comuneId: 'motta-visconti', givenName: 'Angela', familyName: 'Pozzi', birthDate: '1937-05-25', livesAlone: true, familySupport: false, resource: 'aurora', services: ['2A', '5C', '6B'], weeklyHours: 9, visitDays: [1, 3, 5], visitHours: 3, startHour: 9, startedDaysAgo: 50, iseeCents: 900_000, totalPoints: 88, autonomyPoints: 38 },
  { comuneId: 'vermezzo-con-zelo', givenName: 'Sergio', familyName: 'Longoni', birthDate: '1943-09-14', livesAlone: false, familySupport: false, resource: 'rete', services: ['4B', '7A'], weeklyHours: 4, visitDays: [2, 5], visitHours: 2, startHour: 16, startedDaysAgo: 15, iseeCents: 1_250_000, totalPoints: 60, autonomyPoints: 22 },
];

const romeTime = (date: string, hour: number) => DateTime.fromISO(`${date}T${String(hour).padStart(2, '0')}:00`, { zone: ROME_ZONE }).toJSDate();
const weekday = (date: string) => DateTime.fromISO(date, { zone: 'utc' }).weekday;

export interface DemoCaseReport {
  resources: number;
  programmes: number;
}

export async function seedDemoCase(tx: Tx, now: Date): Promise<DemoCaseReport> {
  const today = romeDate(now);
  const year = Number(today.slice(0, 4));

  // Resources and the comuni they serve.
  const resourceRows = await tx
    .insert(resources)
    .values(
      DEMO_RESOURCES.map((r) => ({
        kind: r.kind, name: r.name, services: r.services, email: r.email, availability: r.availability,
        accreditedUntil: r.accredited ? `${year + 1}-12-31` : null,
      })),
    )
    .returning({ id: resources.id });
  const resourceId = new Map(DEMO_RESOURCES.map((r, i) => [r.key, resourceRows[i]!.id]));
  await tx.insert(resourceComuni).values(DEMO_RESOURCES.flatMap((r) => r.comuni.map((comuneId) => ({ resourceId: resourceId.get(r.key)!, comuneId }))));

  // The demo provider account works for Cooperativa Il Sole.
  const staff = await tx.select({ id: staffUsers.id, username: staffUsers.username }).from(staffUsers);
  const staffId = new Map(staff.map((s) => [s.username.toLowerCase(), s.id]));
  const ilsole = staffId.get('ilsole');
  if (ilsole) await tx.insert(staffUserResources).values({ userId: ilsole, resourceId: resourceId.get('sole')! });

  // Settings of every comune.
  const volunteerComuni = new Set(DEMO_RESOURCES.filter((r) => r.kind === 'volunteer_association').flatMap((r) => r.comuni));
  const onCall = (comuneId: string) => staffId.get(comuneId === 'abbiategrasso' ? 'giorgio' : comuneId === 'albairate' || comuneId === 'cisliano' ? 'sara' : 'paola') ?? null;
  await tx.insert(comuneSettings).values(
    DEMO_COMUNI.map((c, i) => ({
      comuneId: c.id,
      feeTariff: demoTariff(c.id, i) as unknown as Record<string, unknown>,
      onCallStaffId: onCall(c.id),
      extraServices: c.id === 'abbiategrasso' ? [{ code: 'ACC-SCUOLA', name: 'Accompagnamento scolastico (Ad hoc)' }] : [],
      volunteerVoucherServices: volunteerComuni.has(c.id) ? ['8A'] : [],
    })),
  );
  // One statement for the 14 comuni (start-up time matters more than elegance here).
  const rows = DEMO_COMUNI.map((c, i) => sql`(${c.id}, ${`Municipio di ${c.name} – Ufficio servizi sociali`}, ${JSON.stringify(demoOfficeHours(i))})`);
  await tx.execute(
    sql`update ${comuni} set office_address = v.address, office_hours = v.hours::jsonb from (values ${sql.join(rows, sql`, `)}) as v(id, address, hours) where ${comuni.id} = v.id`,
  );

  // Admitted applicants with a running programme.
  const personRows = await tx
    .insert(people)
    .values(DEMO_CASES.map((d) => ({ comuneId: d.comuneId, givenName: d.givenName, familyName: d.familyName, birthDate: d.birthDate, livesAlone: d.livesAlone, familySupport: d.familySupport })))
    .returning({ id: people.id });
  const starts = DEMO_CASES.map((d) => addCalendarDays(today, -d.startedDaysAgo));
  const appRows = await tx
    .insert(applications)
    .values(
      DEMO_CASES.map((d, i) => ({
        personId: personRows[i]!.id, comuneId: d.comuneId, origin: (d.delegate ? 'delegate' : 'citizen') as 'delegate' | 'citizen', status: 'admitted' as const,
        applicationDate: addCalendarDays(starts[i]!, -35), totalPoints: d.totalPoints, autonomyPoints: d.autonomyPoints,
      })),
    )
    .returning({ id: applications.id, applicationDate: applications.applicationDate });

  // Delegates (a person row each, outside the ambito) with the beneficiary's consent.
  const delegateIds = new Map<number, string>();
  for (const [i, d] of DEMO_CASES.entries()) {
    if (!d.delegate) continue;
    const [delegate] = await tx.insert(people).values({ comuneId: null, givenName: d.delegate.givenName, familyName: d.delegate.familyName, email: d.delegate.email }).returning({ id: people.id });
    delegateIds.set(i, delegate!.id);
    const [delegation] = await tx
      .insert(delegations)
      .values({ personId: personRows[i]!.id, delegatePersonId: delegate!.id, kind: 'relative', relationship: d.delegate.relationship })
      .returning({ id: delegations.id });
    const givenAt = romeTime(addCalendarDays(starts[i]!, -35), 10);
    await tx.insert(consents).values([
      { personId: personRows[i]!.id, delegationId: delegation!.id, purpose: 'delegation' as const, method: 'signed_form' as const, givenAt, givenBy: 'beneficiary' },
      { personId: personRows[i]!.id, purpose: 'data_processing' as const, method: 'signed_form' as const, givenAt, givenBy: 'beneficiary' },
    ]);
  }
  await tx.insert(applicationDetails).values(
    DEMO_CASES.map((d, i) => ({
      applicationId: appRows[i]!.id, applicantPersonId: delegateIds.get(i) ?? null, iseeCents: d.iseeCents, iseeYear: year, iseeExpiresOn: `${year}-12-31`,
      // Admitted, so answered in writing (art. 4).
      answerOutcome: 'admitted', answerSentAt: answerDay(appRows[i]!.applicationDate, now), answerSentVia: 'post',
    })),
  );

  const programmeRows = await tx
    .insert(programmes)
    .values(
      DEMO_CASES.map((d, i) => ({
        personId: personRows[i]!.id, comuneId: d.comuneId, applicationId: appRows[i]!.id, resourceId: resourceId.get(d.resource)!, services: d.services,
        weeklyHours: d.weeklyHours, operators: 1, visitsPerWeek: d.visitDays.length, periodStart: starts[i]!, periodEnd: computeMaxProgrammeEnd(starts[i]!),
        status: 'active' as const, contractSignedAt: romeTime(starts[i]!, 11),
      })),
    )
    .returning({ id: programmes.id });

  // Visits: done on the programme's visit days from its start to yesterday, planned for next
  // week; every done visit is redeemed (Teresa, started 100 days ago, is running low on hours).
  const visitRows: (typeof visits.$inferInsert)[] = [];
  const nextMonday = addCalendarDays(today, 8 - weekday(today));
  for (const [i, d] of DEMO_CASES.entries()) {
    const rid = resourceId.get(d.resource)!;
    for (let day = starts[i]!; day < today; day = addCalendarDays(day, 1)) {
      if (!d.visitDays.includes(weekday(day))) continue;
      visitRows.push({ programmeId: programmeRows[i]!.id, resourceId: rid, startsAt: romeTime(day, d.startHour), hours: d.visitHours, services: d.services, status: 'done', statusChangedAt: romeTime(day, d.startHour + d.visitHours) });
    }
    for (const wd of d.visitDays) {
      visitRows.push({ programmeId: programmeRows[i]!.id, resourceId: rid, startsAt: romeTime(addCalendarDays(nextMonday, wd - 1), d.startHour), hours: d.visitHours, services: d.services });
    }
  }
  const insertedVisits = await tx.insert(visits).values(visitRows).returning({ id: visits.id, programmeId: visits.programmeId, status: visits.status, startsAt: visits.startsAt, hours: visits.hours, resourceId: visits.resourceId });
  await tx.insert(voucherLedger).values([
    ...DEMO_CASES.map((d, i) => ({ programmeId: programmeRows[i]!.id, kind: 'issue' as const, hours: computeHoursIssued(d.weeklyHours, starts[i]!, computeMaxProgrammeEnd(starts[i]!)), on: starts[i]! })),
    ...insertedVisits
      .filter((v) => v.status === 'done')
      .map((v) => ({ programmeId: v.programmeId, kind: 'redeem' as const, hours: v.hours, on: romeDate(v.startsAt), deliveredAt: v.startsAt, visitId: v.id, resourceId: v.resourceId, reason: null })),
  ]);
  return { resources: DEMO_RESOURCES.length, programmes: DEMO_CASES.length };
}
