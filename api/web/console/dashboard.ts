/**
 * The staff dashboard (issue #7): the year's figures of the viewer's comuni as inline SVG charts,
 * each with the same figures in a table beside it. Rendered on the server from db/reports.ts
 * (the same figures GET /api/v1/dashboard returns), so it needs no client code at all.
 * Admins also see a banner while an emergency reached no on-call member (db/reminders.ts).
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import type { DashboardData } from '../../../db/reports.ts';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { EXPORT_LISTS, EXPORT_ROLES } from '../../routes/reports.ts';
import { barChart } from './charts.ts';
import { layout } from './pages.ts';

/**
 * The admins' banner for emergencies that alerted nobody and nobody has taken yet (GET
 * /api/v1/admin/urgent-alerts/unattended gives the same count). Nothing when there are none.
 */
export function unattendedBanner(i18n: I18n, locale: Locale, count: number) {
  if (count <= 0) return html``;
  const t = (key: string, params: Record<string, string | number> = {}) => i18n.t(`alerts:${key}`, { ...params, lng: locale });
  return html`<section class="card" id="unattended-emergencies" role="alert" aria-labelledby="unattended-h">
  <p id="unattended-h" class="error">${t('banner.unattended', { count })}</p>
  <p><a href="/staff/inbox?view=unassigned&amp;lang=${locale}">${t('banner.inbox')}</a> · <a href="/staff/admin/comuni?lang=${locale}">${t('banner.setCentral')}</a></p>
</section>`;
}

export function adminTranslator(i18n: I18n, locale: Locale) {
  return (key: string, params: Record<string, string | number> = {}) => i18n.t(`consoleAdmin:${key}`, { ...params, lng: locale });
}

const num = (v: number | null, locale: Locale) => (v === null ? '—' : v.toLocaleString(locale === 'en' ? 'en-GB' : 'it-IT', { maximumFractionDigits: 1 }));

export function renderDashboard(i18n: I18n, locale: Locale, staff: StaffIdentity, d: DashboardData, years: readonly number[], unattendedEmergencies = 0) {
  const t = adminTranslator(i18n, locale);
  const n = (v: number | null) => num(v, locale);
  const serviceName = (code: string | null) => (code ? `${code.toUpperCase()} · ${i18n.t(`services:${code.toUpperCase()}`, { lng: locale, defaultValue: code })}` : t('dashboard.noService'));
  const fr = d.firstResponse;

  const appsChart = barChart(
    {
      id: 'chart-applications',
      title: t('dashboard.applications.chartTitle', { year: d.year }),
      desc: t('dashboard.applications.chartDesc'),
      series: [
        { name: t('dashboard.applications.received'), className: 's1' },
        { name: t('dashboard.applications.open'), className: 's2' },
        { name: t('dashboard.applications.overdue'), className: 's3' },
      ],
      rows: d.applications.map((a) => ({ label: a.name, values: [a.received, a.open, a.overdue] })),
    },
    locale,
  );
  const waitChart = barChart(
    {
      id: 'chart-waiting',
      title: t('dashboard.waiting.chartTitle', { year: d.year }),
      desc: t('dashboard.waiting.chartDesc'),
      series: [{ name: t('dashboard.waiting.average'), className: 's1' }],
      markerName: t('dashboard.waiting.limit'),
      noValue: t('dashboard.waiting.noAnswers'),
      // No written answer yet: no bar, not a "0 days" that makes the slowest comune look the fastest.
      rows: d.applications.map((a) => ({ label: a.name, values: [a.averageDaysToAnswer], marker: 30 })),
    },
    locale,
  );
  const hoursChart = barChart(
    {
      id: 'chart-hours',
      title: t('dashboard.hours.chartTitle', { year: d.year }),
      desc: t('dashboard.hours.chartDesc'),
      series: [
        { name: t('dashboard.hours.issued'), className: 's1' },
        { name: t('dashboard.hours.used'), className: 's2' },
      ],
      markerName: t('dashboard.hours.allocated'),
      rows: d.hours.map((h) => ({ label: h.name, values: [h.issuedHours, h.usedHours], marker: h.allocatedHours })),
    },
    locale,
  );
  const requestsChart = barChart(
    {
      id: 'chart-requests',
      title: t('dashboard.requests.chartTitle', { year: d.year }),
      desc: t('dashboard.requests.chartDesc'),
      series: [{ name: t('dashboard.requests.count'), className: 's1' }],
      rows: d.requestsByService.map((r) => ({ label: r.service ? r.service.toUpperCase() : t('dashboard.noService'), values: [r.count] })),
    },
    locale,
  );
  const responseChart = barChart(
    {
      id: 'chart-response',
      title: t('dashboard.response.chartTitle', { year: d.year }),
      desc: t('dashboard.response.chartDesc', { target: fr.targetMinutes }),
      series: [{ name: t('dashboard.response.conversations'), className: 's1' }],
      rows: fr.buckets.map((b) => ({ label: t(`dashboard.response.bucket.${b.key}`), values: [b.count] })),
    },
    locale,
  );

  const exportLinks = EXPORT_LISTS.filter((list) => EXPORT_ROLES[list].includes(staff.role)).map(
    (list) => html`<li><a href="/api/v1/exports/${list}?lang=${locale}" download>${t(`dashboard.exports.${list}`)}</a></li>`,
  );

  return layout({
    i18n,
    locale,
    page: 'dashboard',
    title: t('dashboard.title'),
    staff,
    path: `/staff/dashboard?year=${d.year}`,
    styles: ['/static/console-admin.css'],
    body: html`${staff.role === 'admin' ? unattendedBanner(i18n, locale, unattendedEmergencies) : ''}<h1>${t('dashboard.heading', { year: d.year })}</h1>
<p class="hint">${staff.role === 'admin' ? t('dashboard.scopeAll') : t('dashboard.scopeOwn', { comuni: d.comuni.map((c) => c.name).join(', ') })}</p>
<form class="row wrap year-form" method="get" action="/staff/dashboard">
  <input type="hidden" name="lang" value="${locale}">
  <label for="year">${t('dashboard.year')}</label>
  <select id="year" name="year">${years.map((y) => html`<option value="${y}"${y === d.year ? html` selected` : ''}>${y}</option>`)}</select>
  <button type="submit" class="secondary">${t('dashboard.show')}</button>
</form>

<section class="card" aria-labelledby="apps-h">
  <h2 id="apps-h">${t('dashboard.applications.heading')}</h2>
  <div class="chart-pair">
    <figure>${appsChart}</figure>
    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="apps-h"><table>
      <caption>${t('dashboard.applications.caption', { year: d.year })}</caption>
      <thead><tr><th scope="col">${t('dashboard.comune')}</th><th scope="col">${t('dashboard.applications.received')}</th><th scope="col">${t('dashboard.applications.answered')}</th><th scope="col">${t('dashboard.applications.open')}</th><th scope="col">${t('dashboard.applications.overdue')}</th><th scope="col">${t('dashboard.applications.waitingList')}</th></tr></thead>
      <tbody>${d.applications.map((a) => html`<tr><th scope="row">${a.name}</th><td>${n(a.received)}</td><td>${n(a.answered)}</td><td>${n(a.open)}</td><td${a.overdue > 0 ? html` class="late"` : ''}>${n(a.overdue)}</td><td>${n(a.waitingList)}</td></tr>`)}</tbody>
    </table></div>
  </div>
</section>

<section class="card" aria-labelledby="wait-h">
  <h2 id="wait-h">${t('dashboard.waiting.heading')}</h2>
  <div class="chart-pair">
    <figure>${waitChart}</figure>
    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="wait-h"><table>
      <caption>${t('dashboard.waiting.caption', { year: d.year })}</caption>
      <thead><tr><th scope="col">${t('dashboard.comune')}</th><th scope="col">${t('dashboard.waiting.average')}</th><th scope="col">${t('dashboard.waiting.median')}</th><th scope="col">${t('dashboard.applications.answered')}</th></tr></thead>
      <tbody>${d.applications.map((a) => html`<tr><th scope="row">${a.name}</th><td>${n(a.averageDaysToAnswer)}</td><td>${n(a.medianDaysToAnswer)}</td><td>${n(a.answered)}</td></tr>`)}</tbody>
    </table></div>
  </div>
</section>

<section class="card" aria-labelledby="hours-h">
  <h2 id="hours-h">${t('dashboard.hours.heading')}</h2>
  <div class="chart-pair">
    <figure>${hoursChart}</figure>
    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="hours-h"><table>
      <caption>${t('dashboard.hours.caption', { year: d.year })}</caption>
      <thead><tr><th scope="col">${t('dashboard.comune')}</th><th scope="col">${t('dashboard.hours.allocated')}</th><th scope="col">${t('dashboard.hours.issued')}</th><th scope="col">${t('dashboard.hours.used')}</th></tr></thead>
      <tbody>${d.hours.map((h) => html`<tr><th scope="row">${h.name}</th><td>${n(h.allocatedHours)}</td><td>${n(h.issuedHours)}</td><td>${n(h.usedHours)}</td></tr>`)}</tbody>
    </table></div>
  </div>
</section>

<section class="card" aria-labelledby="req-h">
  <h2 id="req-h">${t('dashboard.requests.heading')}</h2>
  ${d.requestsByService.length === 0
    ? html`<p class="empty">${t('dashboard.requests.none')}</p>`
    : html`<div class="chart-pair">
    <figure>${requestsChart}</figure>
    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="req-h"><table>
      <caption>${t('dashboard.requests.caption', { year: d.year })}</caption>
      <thead><tr><th scope="col">${t('dashboard.requests.service')}</th><th scope="col">${t('dashboard.requests.count')}</th></tr></thead>
      <tbody>${d.requestsByService.map((r) => html`<tr><th scope="row">${serviceName(r.service)}</th><td>${n(r.count)}</td></tr>`)}</tbody>
    </table></div>
  </div>`}
</section>

<section class="card" aria-labelledby="resp-h">
  <h2 id="resp-h">${t('dashboard.response.heading')}</h2>
  <p>${fr.handedOver === 0
    ? t('dashboard.response.none')
    : t('dashboard.response.summary', { handed: fr.handedOver, answered: fr.answered, within: fr.withinTarget, target: fr.targetMinutes, median: fr.medianMinutes === null ? '—' : fr.medianMinutes })}</p>
  <div class="chart-pair">
    <figure>${responseChart}</figure>
    <div class="table-wrap" role="region" tabindex="0" aria-labelledby="resp-h"><table>
      <caption>${t('dashboard.response.caption', { year: d.year })}</caption>
      <thead><tr><th scope="col">${t('dashboard.response.time')}</th><th scope="col">${t('dashboard.response.conversations')}</th></tr></thead>
      <tbody>${fr.buckets.map((b) => html`<tr><th scope="row">${t(`dashboard.response.bucket.${b.key}`)}</th><td>${n(b.count)}</td></tr>`)}</tbody>
    </table></div>
  </div>
</section>

<section class="card" aria-labelledby="exp-h">
  <h2 id="exp-h">${t('dashboard.exports.heading')}</h2>
  <p class="hint">${t('dashboard.exports.hint')}</p>
  <ul class="links">${exportLinks}</ul>
</section>`,
  });
}
