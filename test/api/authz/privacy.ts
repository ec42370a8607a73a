import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/privacy.ts (see ./types.ts). */
export const privacyAuthz: AuthzEntry[] = [];
