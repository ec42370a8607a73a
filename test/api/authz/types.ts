import type { StaffRole } from '../../../db/schema.ts';
import type { CaseFixtures, Side } from '../../helpers/case-fixtures.ts';

/**
 * One row of the authorization matrix: a staff API route (as written in /openapi.json), the
 * roles that may use it (every other role gets 403), whether it reaches records of one comune
 * (then a caller outside that comune gets 404), and how to build a request for a record on a
 * given side. Requests may create fresh records through `f.createFile` when they change state.
 */
export interface AuthzEntry {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The OpenAPI path, e.g. "/api/v1/people/{id}". */
  path: string;
  roles: readonly StaffRole[];
  /** True when the route reaches a record of one comune (or of one provider's resource). */
  scoped: boolean;
  request(f: CaseFixtures, side: Side): AuthzRequest | Promise<AuthzRequest>;
}

export interface AuthzRequest {
  /** The concrete path with ids filled in, query string included. */
  url: string;
  /** JSON body (or FormData for uploads). */
  body?: unknown;
}

export const ALL_ROLES: readonly StaffRole[] = ['admin', 'social_worker', 'operator', 'provider'];
