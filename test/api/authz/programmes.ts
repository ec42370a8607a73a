import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/programmes.ts (see ./types.ts). */
export const programmesAuthz: AuthzEntry[] = [];
