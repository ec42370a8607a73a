/**
 * Console pages of the provider view (issue #7): the week's calendar of the provider's visits,
 * where delivered hours are recorded (visit done, then the vouchers redeemed), and the monthly
 * statement of redeemed hours per comune, printable. Shells filled by /static/console-people.js.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import { DateTime } from 'luxon';
import { ROME_ZONE } from '../../../core/regulation/calendar.ts';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { layout } from './pages.ts';
import { PEOPLE_SCRIPTS, PEOPLE_STYLES, peopleClientKeys, peopleTranslator } from './people.ts';

/** The Monday of the week containing `date` (ISO), or of today's week when `date` is not a date. */
function mondayOf(date: string, today: string): string {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? DateTime.fromISO(date, { zone: ROME_ZONE }) : DateTime.invalid('none');
  const day = parsed.isValid ? parsed : DateTime.fromISO(today, { zone: ROME_ZONE });
  return day.minus({ days: day.weekday - 1 }).toISODate()!;
}

export function renderProvider(i18n: I18n, locale: Locale, staff: StaffIdentity, p: { week: string; today: string; comuni: Record<string, string>; resources: readonly string[] }) {
  const t = peopleTranslator(i18n, locale);
  const monday = mondayOf(p.week, p.today);
  const start = DateTime.fromISO(monday, { zone: ROME_ZONE });
  const days = Array.from({ length: 7 }, (_, i) => start.plus({ days: i }).toISODate()!);
  const prev = start.minus({ weeks: 1 }).toISODate()!;
  const next = start.plus({ weeks: 1 }).toISODate()!;
  const label = (d: string) => DateTime.fromISO(d, { zone: ROME_ZONE }).setLocale(locale === 'en' ? 'en-GB' : 'it-IT').toFormat('cccc d LLLL');
  return layout({
    i18n, locale, page: 'provider', title: t('provider.title'), staff, path: `/staff/provider?week=${monday}`,
    data: { from: days[0], to: days[6], today: p.today, resources: p.resources, comuneNames: p.comuni },
    clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: PEOPLE_STYLES,
    body: html`<h1>${t('provider.heading')}</h1>
<nav class="row wrap week-nav" aria-label="${t('provider.weekNav')}">
  <a href="/staff/provider?week=${prev}&amp;lang=${locale}">← ${t('provider.prevWeek')}</a>
  <p class="week-label">${t('provider.week', { from: label(days[0]!), to: label(days[6]!) })}</p>
  <a href="/staff/provider?week=${next}&amp;lang=${locale}">${t('provider.nextWeek')} →</a>
  <a href="/staff/provider/statement?month=${p.today.slice(0, 7)}&amp;lang=${locale}">${t('provider.statementLink')}</a>
</nav>
<p class="hint">${t('provider.recordHint')}</p>
<p id="notice" class="status" role="status">${t('person.loading')}</p>
<div class="calendar">
  ${days.map((d) => html`<section class="day card" aria-labelledby="day-${d}" data-day="${d}">
    <h2 id="day-${d}">${label(d)}</h2>
    <ul class="plain visits-of-day"></ul>
  </section>`)}
</div>`,
  });
}

export function renderProviderStatement(i18n: I18n, locale: Locale, staff: StaffIdentity, p: { month: string; comuni: Record<string, string>; resources: readonly string[] }) {
  const t = peopleTranslator(i18n, locale);
  const monthLabel = DateTime.fromISO(`${p.month}-01`, { zone: ROME_ZONE }).setLocale(locale === 'en' ? 'en-GB' : 'it-IT').toFormat('LLLL yyyy');
  return layout({
    i18n, locale, page: 'provider-statement', title: t('statement.title'), staff, path: `/staff/provider/statement?month=${p.month}`,
    data: { month: p.month, resources: p.resources, comuneNames: p.comuni },
    clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: [...PEOPLE_STYLES],
    body: html`<p class="no-print"><a href="/staff/provider?lang=${locale}">← ${t('statement.back')}</a></p>
<h1>${t('statement.heading', { month: monthLabel })}</h1>
<form class="row wrap no-print" method="get" action="/staff/provider/statement">
  <input type="hidden" name="lang" value="${locale}">
  <label for="month">${t('statement.month')}</label>
  <input id="month" name="month" type="month" value="${p.month}">
  <button type="submit" class="secondary">${t('statement.show')}</button>
  <button type="button" id="print" class="secondary">${t('statement.print')}</button>
</form>
<p id="notice" class="status" role="status">${t('person.loading')}</p>
<div id="statements"></div>`,
  });
}
