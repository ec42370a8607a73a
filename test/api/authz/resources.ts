import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/resources.ts (see ./types.ts). */
export const resourcesAuthz: AuthzEntry[] = [];
