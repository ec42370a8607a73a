import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/checkins.ts (see ./types.ts). */
export const checkinsAuthz: AuthzEntry[] = [];
