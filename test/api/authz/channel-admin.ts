import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/channel-admin.ts (see ./types.ts). */
export const channelAdminAuthz: AuthzEntry[] = [];
