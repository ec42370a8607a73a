import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/documents.ts (see ./types.ts). */
export const documentsAuthz: AuthzEntry[] = [];
