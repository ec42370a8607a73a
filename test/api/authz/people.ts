import type { AuthzEntry } from './types.ts';
import { ALL_ROLES } from './types.ts';

/** Authorization matrix rows for api/routes/people.ts (see ./types.ts). */
const WRITERS = ['admin', 'social_worker'] as const;
const consent = { method: 'signed_form', givenAt: '2026-01-10T10:00:00+01:00', givenBy: 'il beneficiario' };
let n = 0;

export const peopleAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/people', roles: ALL_ROLES, scoped: false, request: (_f, side) => ({ url: `/api/v1/people?comuneId=${side}&limit=5` }) },
  {
    method: 'post',
    path: '/api/v1/people',
    roles: ['admin', 'social_worker', 'operator'],
    scoped: true,
    request: (_f, side) => ({ url: '/api/v1/people', body: { givenName: `Authz${++n}`, familyName: 'Prova', comuneId: side } }),
  },
  { method: 'get', path: '/api/v1/people/{id}', roles: ALL_ROLES, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}` }) },
  { method: 'patch', path: '/api/v1/people/{id}', roles: WRITERS, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}`, body: { address: 'Via Roma 1' } }) },
  {
    method: 'post',
    path: '/api/v1/people/{id}/delegates',
    roles: WRITERS,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/delegates`, body: { delegate: { givenName: 'Delegato', familyName: `Authz${++n}`, comuneId: null }, kind: 'relative', relationship: 'nipote', consent } }),
  },
  {
    method: 'post',
    path: '/api/v1/people/{id}/delegates/{delegationId}/revoke',
    roles: WRITERS,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/people/${file.personId}/delegates/${file.delegationId}/revoke`, body: {} };
    },
  },
  {
    method: 'post',
    path: '/api/v1/people/{id}/consents',
    roles: WRITERS,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/consents`, body: { ...consent, purpose: 'contact' } }),
  },
  {
    method: 'post',
    path: '/api/v1/people/{id}/consents/{consentId}/withdraw',
    roles: WRITERS,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/people/${file.personId}/consents/${file.consentId}/withdraw`, body: {} };
    },
  },
];
