import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/reports.ts (see ./types.ts). */

const exportRow = (list: string, roles: AuthzEntry['roles']): AuthzEntry => ({
  method: 'get',
  path: `/api/v1/exports/${list}`,
  roles,
  scoped: true,
  request: (_f, side) => ({ url: `/api/v1/exports/${list}?comuneId=${side}` }),
});

export const reportsAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/dashboard', roles: ['admin', 'social_worker'], scoped: false, request: () => ({ url: '/api/v1/dashboard?year=2026' }) },
  { method: 'get', path: '/api/v1/admin/budgets/{year}/preview', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/admin/budgets/2030/preview?totalHours=100000&weeks=52' }) },
  exportRow('applications', ['admin', 'social_worker']),
  exportRow('waiting-list', ['admin', 'social_worker']),
  exportRow('people', ['admin', 'social_worker']),
  exportRow('programmes', ['admin', 'social_worker']),
  exportRow('requests', ['admin', 'social_worker', 'operator']),
  exportRow('segnalazioni', ['admin', 'social_worker', 'operator']),
];
