/** The append-only audit log: who did what to which record, when and why. */
import type { Queryable } from './client.ts';
import { auditLog } from './schema.ts';

export interface AuditEntry {
  actorType: 'staff' | 'system' | 'person';
  actorId?: string | null;
  action: string;
  subjectType?: string;
  subjectId?: string;
  comuneId?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  reason?: string;
  requestId?: string;
}

export async function recordAudit(q: Queryable, entry: AuditEntry): Promise<void> {
  await q.insert(auditLog).values({
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    action: entry.action,
    subjectType: entry.subjectType ?? null,
    subjectId: entry.subjectId ?? null,
    comuneId: entry.comuneId ?? null,
    outcome: entry.outcome ?? 'ok',
    reason: entry.reason ?? null,
    requestId: entry.requestId ?? null,
  });
}
