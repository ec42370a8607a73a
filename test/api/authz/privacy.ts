import { eq } from 'drizzle-orm';
import { programmes } from '../../../db/schema.ts';
import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/privacy.ts (see ./types.ts). */
export const privacyAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/people/{id}/export', roles: ['admin', 'social_worker'], scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/export` }) },
  {
    method: 'post',
    path: '/api/v1/people/{id}/erasure',
    roles: ['admin'],
    scoped: true,
    // A fresh file whose programme has ended: erasable, and the shared fixtures stay untouched.
    request: async (f, side) => {
      const file = await f.createFile(side);
      await f.db.update(programmes).set({ status: 'ended' }).where(eq(programmes.id, file.programmeId));
      return { url: `/api/v1/people/${file.personId}/erasure`, body: { confirm: true } };
    },
  },
];
