import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { helpRequests, programmes, resourceComuni, resources } from '../../../db/schema.ts';
import { lightRequestAssignments } from '../../../db/schema-community.ts';
import { linkProviderAccount, type CaseFixtures, type Side } from '../../helpers/case-fixtures.ts';
import type { AuthzEntry } from './types.ts';
import { ALL_ROLES } from './types.ts';

/**
 * Authorization matrix rows for api/routes/community.ts (see ./types.ts).
 * Each side gets a volunteer association offering 8A; the provider account `ilsole` also works
 * for the Albairate one, so its in-scope calls act as a volunteer association and its
 * out-of-scope calls (Abbiategrasso) reach records of a volunteer it does not work for.
 */
const STAFF = ['admin', 'social_worker'] as const;
const STAFF_AND_PROVIDER = ['admin', 'social_worker', 'provider'] as const;

const volunteers = new WeakMap<CaseFixtures, Promise<Record<Side, string>>>();
let counter = 0;

async function createVolunteer(db: Db, side: Side): Promise<string> {
  const [r] = await db.insert(resources).values({ kind: 'volunteer_association', name: `Volontari ${side} (test)`, services: ['8A'] }).returning({ id: resources.id });
  await db.insert(resourceComuni).values({ resourceId: r!.id, comuneId: side });
  return r!.id;
}

function volunteersOf(f: CaseFixtures): Promise<Record<Side, string>> {
  let found = volunteers.get(f);
  if (!found) {
    found = (async () => {
      const albairate = await createVolunteer(f.db, 'albairate');
      const abbiategrasso = await createVolunteer(f.db, 'abbiategrasso');
      await linkProviderAccount(f.db, albairate);
      return { albairate, abbiategrasso };
    })();
    volunteers.set(f, found);
  }
  return found;
}

/** A fresh open on-demand shopping request (8A) for the side's person; assigned to the side's volunteer when asked. */
async function lightRequest(f: CaseFixtures, side: Side, options: { assigned?: boolean; personId?: string } = {}): Promise<string> {
  const v = await volunteersOf(f);
  const [row] = await f.db
    .insert(helpRequests)
    .values({ reference: `L-${process.pid}-${++counter}`, personId: options.personId ?? f[side].personId, comuneId: side, kind: 'on_demand', service: '8A', family: '8', status: options.assigned ? 'assigned' : 'new', resourceId: options.assigned ? v[side] : null })
    .returning({ id: helpRequests.id });
  if (options.assigned) await f.db.insert(lightRequestAssignments).values({ helpRequestId: row!.id, resourceId: v[side], assignedAt: new Date() });
  return row!.id;
}

const tomorrowTen = () => `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T10:00`;
const yesterdayTen = () => `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T10:00`;

export const communityAuthz: AuthzEntry[] = [
  {
    method: 'get',
    path: '/api/v1/light-requests',
    roles: ALL_ROLES,
    scoped: false,
    request: async (f) => {
      await volunteersOf(f);
      return { url: '/api/v1/light-requests?limit=5' };
    },
  },
  { method: 'get', path: '/api/v1/light-requests/{id}', roles: ALL_ROLES, scoped: true, request: async (f, side) => ({ url: `/api/v1/light-requests/${await lightRequest(f, side)}` }) },
  {
    method: 'post',
    path: '/api/v1/light-requests/{id}/assignment',
    roles: ALL_ROLES,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/light-requests/${await lightRequest(f, side)}/assignment`, body: { resourceId: (await volunteersOf(f))[side] } }),
  },
  {
    method: 'delete',
    path: '/api/v1/light-requests/{id}/assignment',
    roles: ALL_ROLES,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/light-requests/${await lightRequest(f, side, { assigned: true })}/assignment` }),
  },
  {
    method: 'post',
    path: '/api/v1/light-requests/{id}/schedule',
    roles: ALL_ROLES,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/light-requests/${await lightRequest(f, side, { assigned: true })}/schedule`, body: { startsAt: tomorrowTen() } }),
  },
  { method: 'get', path: '/api/v1/programmes/{id}/volunteer-redemptions', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/volunteer-redemptions` }) },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/volunteer-redemptions',
    roles: STAFF_AND_PROVIDER,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      await f.db.update(programmes).set({ services: ['1A', '2A', '8A'] }).where(eq(programmes.id, file.programmeId));
      // The volunteer has met the person: it took a light request for them.
      await lightRequest(f, side, { assigned: true, personId: file.personId });
      return { url: `/api/v1/programmes/${file.programmeId}/volunteer-redemptions`, body: { hours: 1, deliveredAt: yesterdayTen(), resourceId: (await volunteersOf(f))[side], service: '8A' } };
    },
  },
  { method: 'get', path: '/api/v1/programmes/{id}/family-assistants', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/family-assistants` }) },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/family-assistants',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({
      url: `/api/v1/programmes/${f[side].programmeId}/family-assistants`,
      body: { name: 'Ana Popescu', contractStart: '2026-01-01', weeklyHours: 25, employmentReference: `INPS-${++counter}` },
    }),
  },
  {
    method: 'get',
    path: '/api/v1/programmes/{id}/family-assistant-incentive',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/family-assistant-incentive?month=2026-03` }),
  },
  { method: 'get', path: '/api/v1/comuni/{id}/community-settings', roles: STAFF, scoped: true, request: (_f, side) => ({ url: `/api/v1/comuni/${side}/community-settings` }) },
  {
    method: 'patch',
    path: '/api/v1/comuni/{id}/community-settings',
    roles: STAFF,
    scoped: true,
    request: (_f, side) => ({ url: `/api/v1/comuni/${side}/community-settings`, body: { incentive: { centsPerHour: 100, monthlyCapCents: 16000 } } }),
  },
];
