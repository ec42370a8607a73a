/**
 * Who may call what. A route the role may not use answers 403; a record outside the caller's
 * comuni answers 404 (its existence is not revealed). Both refusals are audited.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { DomainError } from '../core/errors.ts';
import { recordAudit } from '../db/audit.ts';
import type { StaffRole } from '../db/schema.ts';
import type { StaffIdentity } from '../db/staff.ts';
import type { AppDeps, AppEnv } from './context.ts';

export function requireRole(deps: AppDeps, roles: readonly StaffRole[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const staff = c.get('staff');
    if (!staff) throw new DomainError('UNAUTHORIZED', { key: 'errors:UNAUTHORIZED' });
    if (!roles.includes(staff.role)) {
      await recordAudit(deps.database.db, {
        actorType: 'staff', actorId: staff.id, action: `${c.req.method} ${c.req.routePath}`, outcome: 'denied', reason: 'role', requestId: c.get('requestId'),
      });
      throw new DomainError('FORBIDDEN', { key: 'errors:FORBIDDEN' });
    }
    await next();
  };
}

export function canSeeComune(staff: StaffIdentity, comuneId: string): boolean {
  return staff.role === 'admin' || staff.comuni.includes(comuneId);
}

/** Throws 404 (audited) when the comune is outside the caller's scope. */
export async function assertComuneInScope(deps: AppDeps, c: Context<AppEnv>, comuneId: string): Promise<StaffIdentity> {
  const staff = c.get('staff');
  if (!staff) throw new DomainError('UNAUTHORIZED', { key: 'errors:UNAUTHORIZED' });
  if (!canSeeComune(staff, comuneId)) {
    await recordAudit(deps.database.db, {
      actorType: 'staff', actorId: staff.id, action: `${c.req.method} ${c.req.routePath}`, subjectType: 'comune', subjectId: comuneId, comuneId, outcome: 'denied', reason: 'scope', requestId: c.get('requestId'),
    });
    throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
  }
  return staff;
}
