import type { AuthzEntry } from './types.ts';

/** Authorization matrix rows for api/routes/programmes.ts (see ./types.ts). */
const STAFF = ['admin', 'social_worker'] as const;
const STAFF_AND_PROVIDER = ['admin', 'social_worker', 'provider'] as const;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** A weekday at least two days ahead, 10:00 Rome wall clock (inside every fixture programme). */
function weekdayMorning(): string {
  for (let i = 2; ; i++) {
    const d = new Date(Date.now() + i * 86_400_000);
    if (d.getUTCDay() !== 0) return `${d.toISOString().slice(0, 10)}T10:00`;
  }
}
const terms = (resourceId: string) => ({ resourceId, services: ['1A'], weeklyHours: 3, operators: 1, visitsPerWeek: 2 });

export const programmesAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/programmes', roles: STAFF_AND_PROVIDER, scoped: false, request: () => ({ url: '/api/v1/programmes?status=active' }) },
  {
    method: 'post',
    path: '/api/v1/programmes',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: '/api/v1/programmes', body: { personId: f[side].personId, start: '2030-01-07', plannedEnd: '2030-04-06', ...terms(f[side].resourceId) } }),
  },
  { method: 'get', path: '/api/v1/programmes/{id}', roles: STAFF_AND_PROVIDER, scoped: true, request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}` }) },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/renewals',
    roles: STAFF,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/programmes/${file.programmeId}/renewals`, body: { plannedEnd: day(160), ...terms(file.resourceId) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/suspensions',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/suspensions`, body: { fromDate: day(10), toDate: day(12), reason: 'ricovero' } }),
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/suspensions/{suspensionId}/decision',
    roles: STAFF,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/programmes/${file.programmeId}/suspensions/${file.suspensionId}/decision`, body: { decision: 'reject' } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/interruption',
    roles: STAFF,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/programmes/${file.programmeId}/interruption`, body: { reason: 'renunciation', on: day(1) } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/evaluations',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/evaluations`, body: { evaluatedOn: day(-1), outcome: 'continue' } }),
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/questionnaires',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/questionnaires`, body: { answers: { soddisfazione: 'molto' } } }),
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/visits',
    roles: STAFF_AND_PROVIDER,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/programmes/${file.programmeId}/visits`, body: { startsAt: weekdayMorning(), hours: 1 } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/visits/{id}/status',
    roles: STAFF_AND_PROVIDER,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/visits/${file.plannedVisitId}/status`, body: { status: 'cancelled' } };
    },
  },
  { method: 'get', path: '/api/v1/visits', roles: STAFF_AND_PROVIDER, scoped: false, request: () => ({ url: `/api/v1/visits?from=${day(-1)}&to=${day(7)}` }) },
  {
    method: 'get',
    path: '/api/v1/provider-statements',
    roles: STAFF_AND_PROVIDER,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/provider-statements?resourceId=${f[side].resourceId}&month=${day(0).slice(0, 7)}` }),
  },
  { method: 'get', path: '/api/v1/programmes/{id}/ledger', roles: STAFF_AND_PROVIDER, scoped: true, request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/ledger` }) },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/redemptions',
    roles: STAFF_AND_PROVIDER,
    scoped: true,
    request: async (f, side) => {
      const file = await f.createFile(side);
      return { url: `/api/v1/programmes/${file.programmeId}/redemptions`, body: { hours: 1, deliveredAt: new Date().toISOString() } };
    },
  },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/adjustments',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/adjustments`, body: { hours: 1, reason: 'correzione' } }),
  },
  { method: 'get', path: '/api/v1/people/{id}/vouchers', roles: STAFF_AND_PROVIDER, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/vouchers` }) },
  {
    method: 'post',
    path: '/api/v1/programmes/{id}/fee-statements',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/programmes/${f[side].programmeId}/fee-statements`, body: { month: day(0).slice(0, 7) } }),
  },
  {
    method: 'post',
    path: '/api/v1/fee-statements/{id}/payments',
    roles: STAFF,
    scoped: true,
    request: (f, side) => ({ url: `/api/v1/fee-statements/${f[side].feeStatementId}/payments`, body: { amountCents: 100, paidOn: day(0) } }),
  },
  { method: 'get', path: '/api/v1/people/{id}/fees', roles: STAFF, scoped: true, request: (f, side) => ({ url: `/api/v1/people/${f[side].personId}/fees` }) },
];
