/**
 * Case records for integration tests, inserted straight into the database: one complete file in
 * Albairate (Sara's comune, served by the provider account `ilsole` through the resource
 * "Cooperativa Il Sole (test)") and one in Abbiategrasso (Giorgio's, served by another resource).
 * So every scope check has an in-scope and an out-of-scope record for each demo account:
 *   paola/admin, marco (operator, all comuni): both sides visible;
 *   sara: albairate in, abbiategrasso out; giorgio: the reverse;
 *   ilsole (provider): the albairate programme (its resource) in, the abbiategrasso one out.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  accessRecordChanges,
  applicationDetails,
  applications,
  consents,
  delegations,
  documents,
  feeStatements,
  helpRequests,
  people,
  programmes,
  programmeSuspensions,
  resourceComuni,
  resources,
  segnalazioni,
  staffUserResources,
  staffUsers,
  visits,
  voucherLedger,
} from '../../db/schema.ts';

export type Side = 'albairate' | 'abbiategrasso';
export const SIDES: readonly Side[] = ['albairate', 'abbiategrasso'];

export interface CaseFile {
  comuneId: Side;
  personId: string;
  delegatePersonId: string;
  delegationId: string;
  consentId: string;
  applicationId: string;
  resourceId: string;
  programmeId: string;
  /** A planned visit tomorrow at 09:00 Rome time, and a done one yesterday (not yet redeemed). */
  plannedVisitId: string;
  doneVisitId: string;
  documentId: string;
  feeStatementId: string;
  suspensionId: string;
  accessRecordChangeId: string;
  helpRequestId: string;
  segnalazioneId: string;
}

export type CaseFixtures = Record<Side, CaseFile> & {
  db: Db;
  /** Creates one more complete file (for tests that change or remove records). */
  createFile(side: Side, options?: { issuedHours?: number }): Promise<CaseFile>;
};

let counter = 0;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Puts the provider account `username` (default `ilsole`) to work for the resource. */
export async function linkProviderAccount(db: Db, resourceId: string, username = 'ilsole'): Promise<void> {
  const [user] = await db.select({ id: staffUsers.id }).from(staffUsers).where(sql`lower(${staffUsers.username}) = ${username}`);
  if (!user) throw new Error(`no staff user ${username}`);
  await db.insert(staffUserResources).values({ userId: user.id, resourceId }).onConflictDoNothing();
}

async function createResource(db: Db, name: string, comuneId: string): Promise<string> {
  const [r] = await db
    .insert(resources)
    .values({ kind: 'accredited_provider', name, services: ['1a', '2a', '4a'], phone: '0290000000', availability: 'lun–sab 8–20' })
    .returning({ id: resources.id });
  await db.insert(resourceComuni).values({ resourceId: r!.id, comuneId });
  return r!.id;
}

export async function createCaseFile(db: Db, side: Side, resourceId: string, options: { issuedHours?: number; now?: Date } = {}): Promise<CaseFile> {
  const n = ++counter;
  const now = options.now ?? new Date();
  const today = isoDay(now);
  const end = isoDay(new Date(now.getTime() + 100 * 86_400_000));
  const [person] = await db
    .insert(people)
    .values({ comuneId: side, givenName: `Persona${n}`, familyName: 'Prova', birthDate: '1940-03-15', phone: `+39333000${String(n).padStart(4, '0')}`, livesAlone: true, familySupport: false })
    .returning({ id: people.id });
  const [delegate] = await db.insert(people).values({ comuneId: null, givenName: `Delegata${n}`, familyName: 'Prova', phone: `+39347000${String(n).padStart(4, '0')}` }).returning({ id: people.id });
  const [delegation] = await db.insert(delegations).values({ personId: person!.id, delegatePersonId: delegate!.id, kind: 'relative', relationship: 'figlia' }).returning({ id: delegations.id });
  const [consent] = await db
    .insert(consents)
    .values({ personId: person!.id, delegationId: delegation!.id, purpose: 'delegation', method: 'signed_form', givenAt: now })
    .returning({ id: consents.id });
  const [application] = await db
    .insert(applications)
    .values({ personId: person!.id, comuneId: side, origin: 'citizen', status: 'received', applicationDate: today })
    .returning({ id: applications.id });
  await db.insert(applicationDetails).values({ applicationId: application!.id, iseeCents: 1_200_000, iseeYear: now.getUTCFullYear() });
  const [programme] = await db
    .insert(programmes)
    .values({ personId: person!.id, comuneId: side, applicationId: application!.id, resourceId, services: ['1a', '2a'], weeklyHours: 3, operators: 1, visitsPerWeek: 2, periodStart: today, periodEnd: end, status: 'active', contractSignedAt: now })
    .returning({ id: programmes.id });
  const issued = options.issuedHours ?? 40;
  await db.insert(voucherLedger).values({ programmeId: programme!.id, kind: 'issue', hours: issued, on: today });
  const tomorrow9 = new Date(`${isoDay(new Date(now.getTime() + 86_400_000))}T08:00:00Z`);
  const yesterday9 = new Date(`${isoDay(new Date(now.getTime() - 86_400_000))}T08:00:00Z`);
  const [planned] = await db.insert(visits).values({ programmeId: programme!.id, resourceId, startsAt: tomorrow9, hours: 2, services: ['1a'] }).returning({ id: visits.id });
  const [done] = await db.insert(visits).values({ programmeId: programme!.id, resourceId, startsAt: yesterday9, hours: 1, services: ['2a'], status: 'done', statusChangedAt: now }).returning({ id: visits.id });
  const content = Buffer.from(`%PDF-1.4 test document ${n}\n`);
  const [document] = await db
    .insert(documents)
    .values({ personId: person!.id, comuneId: side, applicationId: application!.id, type: 'isee', mediaType: 'application/pdf', filename: `isee-${n}.pdf`, sizeBytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), content, source: 'staff' })
    .returning({ id: documents.id });
  const [fee] = await db
    .insert(feeStatements)
    .values({ programmeId: programme!.id, personId: person!.id, comuneId: side, month: today.slice(0, 7), redeemedHours: 0, amountCents: 0, dueOn: end })
    .returning({ id: feeStatements.id });
  const [suspension] = await db
    .insert(programmeSuspensions)
    .values({ programmeId: programme!.id, fromDate: end, reason: 'hospital', source: 'staff' })
    .returning({ id: programmeSuspensions.id });
  const [change] = await db
    .insert(accessRecordChanges)
    .values({ personId: person!.id, applicationId: application!.id, source: 'chat', changes: { phone: '+393330009999' } })
    .returning({ id: accessRecordChanges.id });
  const [request] = await db
    .insert(helpRequests)
    .values({ reference: `T-${process.pid}-${n}`, personId: person!.id, comuneId: side, kind: 'visit', service: '2a', family: '2', programmeId: programme!.id })
    .returning({ id: helpRequests.id });
  const [segnalazione] = await db
    .insert(segnalazioni)
    .values({ reference: `S-${process.pid}-${n}`, reporterRole: 'portiere', subjectName: `Persona${n}`, comuneId: side, problems: ['alone'], urgency: 'normal' })
    .returning({ id: segnalazioni.id });
  return {
    comuneId: side,
    personId: person!.id,
    delegatePersonId: delegate!.id,
    delegationId: delegation!.id,
    consentId: consent!.id,
    applicationId: application!.id,
    resourceId,
    programmeId: programme!.id,
    plannedVisitId: planned!.id,
    doneVisitId: done!.id,
    documentId: document!.id,
    feeStatementId: fee!.id,
    suspensionId: suspension!.id,
    accessRecordChangeId: change!.id,
    helpRequestId: request!.id,
    segnalazioneId: segnalazione!.id,
  };
}

/** Both sides, with `ilsole` linked to the Albairate resource only. Needs the demo staff accounts. */
export async function createCaseFixtures(db: Db): Promise<CaseFixtures> {
  const sole = await createResource(db, 'Cooperativa Il Sole (test)', 'albairate');
  const other = await createResource(db, 'Cooperativa Aurora (test)', 'abbiategrasso');
  await linkProviderAccount(db, sole);
  const resourceFor = (side: Side) => (side === 'albairate' ? sole : other);
  return {
    db,
    albairate: await createCaseFile(db, 'albairate', sole),
    abbiategrasso: await createCaseFile(db, 'abbiategrasso', other),
    createFile: (side, options) => createCaseFile(db, side, resourceFor(side), options),
  };
}

/** Current balance of a programme straight from the ledger (for assertions). */
export async function ledgerBalance(db: Db, programmeId: string): Promise<number> {
  const rows = await db
    .select({ kind: voucherLedger.kind, hours: voucherLedger.hours })
    .from(voucherLedger)
    .where(eq(voucherLedger.programmeId, programmeId));
  return rows.reduce((sum, r) => sum + (r.kind === 'issue' || r.kind === 'adjustment' ? r.hours : -r.hours), 0);
}
