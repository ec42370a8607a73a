import type { AuthzEntry } from './types.ts';

const STAFF = ['admin', 'social_worker', 'operator'] as const;

/** A weekday 09:00 (Rome wall clock) some days ahead: a valid art. 8 start. */
function nextWeekdayNine(): string {
  const d = new Date(Date.now() + 7 * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T09:00`;
}

/** Authorization matrix rows for the case actions of api/routes/console-cases.ts (see ./types.ts). */
export const consoleCasesAuthz: AuthzEntry[] = [
  { method: 'patch', path: '/api/v1/segnalazioni/{id}/triage', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/segnalazioni/${f[side].segnalazioneId}/triage`, body: { urgency: 'high' } }) },
  { method: 'post', path: '/api/v1/segnalazioni/{id}/status', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/segnalazioni/${f[side].segnalazioneId}/status`, body: { status: 'taken_in_charge' } }) },
  // The fixture person already has an open application: an allowed call answers 409, never 403/404.
  { method: 'post', path: '/api/v1/segnalazioni/{id}/application', roles: ['admin', 'social_worker'], scoped: true, request: (f, side) => ({ url: `/api/v1/segnalazioni/${f[side].segnalazioneId}/application`, body: { personId: f[side].personId } }) },
  {
    method: 'post', path: '/api/v1/help-requests/{id}/confirm', roles: STAFF, scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/help-requests/${file.helpRequestId}/confirm`, body: { resourceId: file.resourceId, start: nextWeekdayNine(), hours: 1 } };
    },
  },
  { method: 'post', path: '/api/v1/help-requests/{id}/check', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/help-requests/${f[side].helpRequestId}/check`, body: { start: nextWeekdayNine(), hours: 1 } }) },
  {
    method: 'post', path: '/api/v1/help-requests/{id}/status', roles: STAFF, scoped: true,
    request: async (f, side) => ({ url: `/api/v1/help-requests/${(await f.createFile(side)).helpRequestId}/status`, body: { status: 'cancelled' } }),
  },
];
