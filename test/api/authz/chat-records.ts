import type { AuthzEntry } from './types.ts';

const STAFF = ['admin', 'social_worker', 'operator'] as const;

/** Authorization matrix rows for api/routes/chat-records.ts (see ./types.ts). */
export const chatRecordsAuthz: AuthzEntry[] = [
  { method: 'post', path: '/api/v1/people/{id}/link-codes', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/link-codes` }) },
  { method: 'get', path: '/api/v1/help-requests', roles: STAFF, scoped: false, request: () => ({ url: '/api/v1/help-requests?limit=5' }) },
  { method: 'get', path: '/api/v1/help-requests/{id}', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/help-requests/${f[side].helpRequestId}` }) },
  { method: 'patch', path: '/api/v1/help-requests/{id}', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/help-requests/${f[side].helpRequestId}`, body: { takeInCharge: true } }) },
  { method: 'get', path: '/api/v1/segnalazioni', roles: STAFF, scoped: false, request: () => ({ url: '/api/v1/segnalazioni?limit=5' }) },
  { method: 'get', path: '/api/v1/segnalazioni/{id}', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/segnalazioni/${f[side].segnalazioneId}` }) },
  { method: 'patch', path: '/api/v1/segnalazioni/{id}', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/segnalazioni/${f[side].segnalazioneId}`, body: { status: 'taken_in_charge' } }) },
];
