import { sql } from 'drizzle-orm';
import { checkinEnrolments, checkinOccurrences } from '../../../db/schema-checkins.ts';
import { consents } from '../../../db/schema.ts';
import type { CaseFixtures, Side } from '../../helpers/case-fixtures.ts';
import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/checkins.ts (see ./types.ts). */
const ROLES = ['admin', 'social_worker', 'operator'] as const;

/** A fresh file with a check-ins consent (each enrolment needs its own person). */
async function consentedPerson(f: CaseFixtures, side: Side): Promise<string> {
  const file = await f.createFile(side);
  await f.db.insert(consents).values({ personId: file.personId, purpose: 'check_ins', method: 'signed_form', givenAt: new Date() });
  return file.personId;
}

/** An enrolment (and today's occurrence) on the side's standing file, made once per side. */
const made: Partial<Record<Side, Promise<{ enrolmentId: string; occurrenceId: string }>>> = {};
function enrolled(f: CaseFixtures, side: Side) {
  made[side] ??= (async () => {
    const personId = await consentedPerson(f, side);
    const [consent] = await f.db.select({ id: consents.id }).from(consents).where(sql`${consents.personId} = ${personId} and ${consents.purpose} = 'check_ins'`);
    const [e] = await f.db
      .insert(checkinEnrolments)
      .values({ personId, comuneId: side, weekdays: [1, 2, 3, 4, 5, 6, 7], windowStart: '10:00', consentId: consent!.id })
      .returning({ id: checkinEnrolments.id });
    const [o] = await f.db
      .insert(checkinOccurrences)
      .values({ enrolmentId: e!.id, personId, comuneId: side, localDate: '2026-01-05', dueAt: new Date('2026-01-05T09:00:00Z'), status: 'no_answer', promptedAt: new Date('2026-01-05T09:00:00Z') })
      .returning({ id: checkinOccurrences.id });
    return { enrolmentId: e!.id, occurrenceId: o!.id };
  })();
  return made[side]!;
}

export const checkinsAuthz: AuthzEntry[] = [
  {
    method: 'post',
    path: '/api/v1/checkins/enrolments',
    roles: ROLES,
    scoped: true,
    request: async (f, side) => ({ url: '/api/v1/checkins/enrolments', body: { personId: await consentedPerson(f, side), weekdays: [1, 3, 5], windowStart: '10:00' } }),
  },
  { method: 'get', path: '/api/v1/checkins/enrolments/{id}', roles: ROLES, scoped: true, request: async (f, side) => ({ url: `/api/v1/checkins/enrolments/${(await enrolled(f, side)).enrolmentId}` }) },
  {
    method: 'patch',
    path: '/api/v1/checkins/enrolments/{id}',
    roles: ROLES,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/checkins/enrolments/${(await enrolled(f, side)).enrolmentId}`, body: { graceMinutes: 45 } }),
  },
  { method: 'get', path: '/api/v1/people/{id}/checkins', roles: ROLES, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/checkins` }) },
  { method: 'get', path: '/api/v1/checkins/today', roles: ROLES, scoped: true, request: (_f, side) => ({ url: `/api/v1/checkins/today?comune=${side}` }) },
  {
    method: 'post',
    path: '/api/v1/checkins/occurrences/{id}/follow-up',
    roles: ROLES,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/checkins/occurrences/${(await enrolled(f, side)).occurrenceId}/follow-up`, body: { action: 'called' } }),
  },
];
