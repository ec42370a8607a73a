import { hash } from '@node-rs/argon2';
import { allocations, budgets } from '../../../db/schema.ts';
import { createStaffUser } from '../../../db/staff.ts';
import type { CaseFixtures } from '../../helpers/case-fixtures.ts';
import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/admin.ts (see ./types.ts). */

let counter = 0;
const ISTAT_SAMPLE = ['Codice comune;Comune;Età;Totale Maschi;Totale Femmine;Totale', '015002;Abbiategrasso;64;150;160;310', '015002;Abbiategrasso;65;150;170;320', '015002;Abbiategrasso;999;300;330;630'].join('\n');

/** A budget saved straight into the database, so that reading it or redistributing it finds one. */
async function ensureBudget(f: CaseFixtures, year: number): Promise<void> {
  await f.db.insert(budgets).values({ year, totalHours: 20_000, weeks: 52 }).onConflictDoNothing();
  await f.db.insert(allocations).values([
    { year, comuneId: 'albairate', kind: 'initial' as const, hours: 10_000 },
    { year, comuneId: 'abbiategrasso', kind: 'initial' as const, hours: 10_000 },
  ]).onConflictDoNothing();
}

export const adminAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/admin/staff', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/staff' }) },
  {
    method: 'post',
    path: '/api/v1/admin/staff',
    roles: ['admin'],
    scoped: false,
    request: () => ({ url: '/api/v1/admin/staff', body: { username: `authz.${process.pid}.${++counter}`, displayName: 'Operatore di prova', role: 'operator', comuni: ['albairate'] } }),
  },
  {
    method: 'patch',
    path: '/api/v1/admin/staff/{id}',
    roles: ['admin'],
    scoped: false,
    request: async (f) => {
      const id = await createStaffUser(f.db, { username: `authz.patch.${process.pid}.${++counter}`, passwordHash: await hash('not-a-real-password'), role: 'operator', displayName: 'Prova', comuni: ['albairate'] });
      return { url: `/api/v1/admin/staff/${id}`, body: { displayName: 'Prova rinominata' } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/staff/{id}/password',
    roles: ['admin'],
    scoped: false,
    request: async (f) => {
      const id = await createStaffUser(f.db, { username: `authz.pw.${process.pid}.${++counter}`, passwordHash: await hash('not-a-real-password'), role: 'operator', displayName: 'Prova', comuni: ['albairate'] });
      return { url: `/api/v1/admin/staff/${id}/password` };
    },
  },
  { method: 'get', path: '/api/v1/admin/ambito-settings', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/ambito-settings' }) },
  // An empty patch changes nothing: the matrix checks access without moving the central on-call.
  { method: 'patch', path: '/api/v1/admin/ambito-settings', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/ambito-settings', body: {} }) },
  { method: 'get', path: '/api/v1/admin/urgent-alerts/unattended', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/urgent-alerts/unattended' }) },
  { method: 'get', path: '/api/v1/comuni/{id}/settings', roles: ['admin', 'social_worker', 'operator'], scoped: true, request: (_f, side) => ({ url: `/api/v1/comuni/${side}/settings` }) },
  { method: 'patch', path: '/api/v1/comuni/{id}/settings', roles: ['admin'], scoped: false, request: (_f, side) => ({ url: `/api/v1/comuni/${side}/settings`, body: { officeAddress: 'Municipio, ufficio servizi sociali' } }) },
  { method: 'post', path: '/api/v1/admin/over65-import', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/over65-import', body: { csv: ISTAT_SAMPLE } }) },
  {
    method: 'get',
    path: '/api/v1/admin/budgets/{year}',
    roles: ['admin'],
    scoped: false,
    request: async (f) => {
      await ensureBudget(f, 2090);
      return { url: '/api/v1/admin/budgets/2090' };
    },
  },
  { method: 'put', path: '/api/v1/admin/budgets/{year}', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/budgets/2091', body: { totalHours: 100_000, weeks: 52 } }) },
  {
    method: 'post',
    path: '/api/v1/admin/budgets/{year}/redistribution',
    roles: ['admin'],
    scoped: false,
    request: async (f) => {
      await ensureBudget(f, 2092);
      return { url: '/api/v1/admin/budgets/2092/redistribution', body: { dryRun: true } };
    },
  },
];
