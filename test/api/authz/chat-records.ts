import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/chat-records.ts (see ./types.ts). */
export const chatRecordsAuthz: AuthzEntry[] = [];
