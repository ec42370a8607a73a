import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/applications.ts (see ./types.ts). */
export const applicationsAuthz: AuthzEntry[] = [];
