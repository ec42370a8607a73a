import type { AuthzEntry } from './types.ts';
import { ALL_ROLES } from './types.ts';

/** Authorization matrix rows for api/routes/resources.ts (see ./types.ts). */
let counter = 0;

export const resourcesAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/resources', roles: ALL_ROLES, scoped: false, request: (_f, side) => ({ url: `/api/v1/resources?comune=${side}` }) },
  { method: 'get', path: '/api/v1/resources/{id}', roles: ALL_ROLES, scoped: false, request: (f, side) => ({ url: `/api/v1/resources/${f[side].resourceId}` }) },
  {
    method: 'post',
    path: '/api/v1/resources',
    roles: ['admin'],
    scoped: false,
    request: (_f, side) => ({ url: '/api/v1/resources', body: { kind: 'occasional_helper', name: `Aiuto ${++counter}`, services: ['8A'], comuni: [side] } }),
  },
  { method: 'patch', path: '/api/v1/resources/{id}', roles: ['admin'], scoped: false, request: (f, side) => ({ url: `/api/v1/resources/${f[side].resourceId}`, body: { availability: 'lun–sab 8–20' } }) },
  { method: 'get', path: '/api/v1/comuni/{id}/providers', roles: ALL_ROLES, scoped: false, request: (_f, side) => ({ url: `/api/v1/comuni/${side}/providers` }) },
];
