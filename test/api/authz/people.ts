import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/people.ts (see ./types.ts). */
export const peopleAuthz: AuthzEntry[] = [];
