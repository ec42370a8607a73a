import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/applications.ts (see ./types.ts). Admins and social workers only. */
const roles = ['admin', 'social_worker'] as const;

export const applicationsAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/applications', roles, scoped: true, request: (_f, side) => ({ url: `/api/v1/applications?comuneId=${side}&limit=5` }) },
  // The fixture person has no codice fiscale: in scope the answer is 400 (art. 3), outside 404.
  { method: 'post', path: '/api/v1/applications', roles, scoped: true, request: (f, side) => ({ url: '/api/v1/applications', body: { personId: f[side].personId, origin: 'citizen' } }) },
  { method: 'get', path: '/api/v1/applications/{id}', roles, scoped: true, request: (f, side) => ({ url: `/api/v1/applications/${f[side].applicationId}` }) },
  {
    method: 'post',
    path: '/api/v1/applications/{id}/transitions',
    roles,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/applications/${(await f.createFile(side)).applicationId}/transitions`, body: { to: 'under_investigation' } }),
  },
  {
    method: 'post',
    path: '/api/v1/applications/{id}/assessments',
    roles,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/applications/${f[side].applicationId}/assessments`, body: { criteria: { autonomy: 20, family: 5, network: 2, stress: 5, housing: 2 }, iseeCents: 1_000_000, iseeYear: 2025 } }),
  },
  { method: 'put', path: '/api/v1/applications/{id}/isee', roles, scoped: true, request: (f, side) => ({ url: `/api/v1/applications/${f[side].applicationId}/isee`, body: { iseeCents: 1_100_000, iseeYear: 2025 } }) },
  { method: 'get', path: '/api/v1/applications/{id}/written-answer', roles, scoped: true, request: (f, side) => ({ url: `/api/v1/applications/${f[side].applicationId}/written-answer` }) },
  {
    method: 'post',
    path: '/api/v1/applications/{id}/written-answer/sent',
    roles,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/applications/${f[side].applicationId}/written-answer/sent`, body: { sentOn: '2025-01-10', via: 'post' } }),
  },
  { method: 'get', path: '/api/v1/access-record-changes', roles, scoped: true, request: (_f, side) => ({ url: `/api/v1/access-record-changes?status=pending&comuneId=${side}` }) },
  {
    method: 'post',
    path: '/api/v1/access-record-changes/{id}/confirm',
    roles,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/access-record-changes/${(await f.createFile(side)).accessRecordChangeId}/confirm` }),
  },
  {
    method: 'post',
    path: '/api/v1/access-record-changes/{id}/reject',
    roles,
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/access-record-changes/${(await f.createFile(side)).accessRecordChangeId}/reject` }),
  },
];
