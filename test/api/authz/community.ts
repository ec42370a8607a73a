import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/community.ts (see ./types.ts). */
export const communityAuthz: AuthzEntry[] = [];
