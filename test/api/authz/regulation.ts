import type { AuthzEntry } from './types.ts';
import { ALL_ROLES } from './types.ts';

const assessment = { criteria: { autonomy: 20, family: 5, network: 2, stress: 5, housing: 2 }, iseeCents: 1_000_000 };

export const regulationAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/auth/me', roles: ALL_ROLES, scoped: false, request: () => ({ url: '/api/v1/auth/me' }) },
  { method: 'get', path: '/api/v1/comuni', roles: ALL_ROLES, scoped: false, request: () => ({ url: '/api/v1/comuni' }) },
  { method: 'post', path: '/api/v1/assessments/preview', roles: ['admin', 'social_worker'], scoped: false, request: () => ({ url: '/api/v1/assessments/preview', body: assessment }) },
  { method: 'get', path: '/api/v1/comuni/{id}/waiting-list', roles: ['admin', 'social_worker'], scoped: true, request: (_f, side) => ({ url: `/api/v1/comuni/${side}/waiting-list?limit=5` }) },
  { method: 'post', path: '/api/v1/allocations/preview', roles: ['admin'], scoped: false, request: () => ({ url: '/api/v1/allocations/preview', body: { budgetHours: 1000, weeks: 1, comuni: [{ comuneId: 'a', over65: 10 }] } }) },
  {
    method: 'post',
    path: '/api/v1/programmes/preview',
    roles: ['admin', 'social_worker'],
    scoped: false,
    request: () => ({ url: '/api/v1/programmes/preview', body: { services: ['1a'], weeklyHours: 3, operators: 1, visitsPerWeek: 2, start: '2026-12-01', plannedEnd: '2027-03-31', providerId: 'x', contractSigned: true } }),
  },
  { method: 'post', path: '/api/v1/visits/check', roles: ALL_ROLES, scoped: false, request: () => ({ url: '/api/v1/visits/check', body: { visits: [{ start: '2026-11-23T09:00', hours: 1 }], livesAloneWithoutFamily: false } }) },
];
