/**
 * The custode's console page (issue #9): today's check-ins in the viewer's comuni — who answered,
 * who is still awaited, who did not answer, who asked for help — with one-click follow-up. A shell:
 * /static/console-checkins.js fills it from GET /api/v1/checkins/today (text placed with
 * textContent). Sentences come from the `checkins` namespace.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { clientKeysUnder, layout } from './pages.ts';

/** Every `checkins:page.*` string, for the page script. */
export function checkinClientKeys(i18n: I18n): string[] {
  return clientKeysUnder(i18n, 'checkins', 'page');
}

/** A form field with its label, optional hint and the slot for the API's field-level message. */
function field(name: string, label: string, input: ReturnType<typeof html>, hint?: string) {
  return html`<div class="field" data-field="${name}">
  <label for="enrol-${name}">${label}</label>
  ${hint ? html`<p class="hint" id="enrol-${name}-hint">${hint}</p>` : ''}
  ${input}
  <p class="error" id="enrol-${name}-error" hidden></p>
</div>`;
}

/**
 * The enrolment of one person (`?person=<id>`, linked from the person's file): the form when they
 * are not enrolled, their enrolment with pause / resume / stop when they are.
 */
function enrolSection(t: (key: string) => string) {
  const days = [1, 2, 3, 4, 5, 6, 7];
  return html`<section id="checkin-person" class="card" aria-labelledby="checkin-person-title" hidden>
  <h2 id="checkin-person-title"></h2>
  <div id="checkin-current" hidden>
    <p id="checkin-current-text"></p>
    <div class="row wrap">
      <button type="button" id="checkin-pause" class="secondary">${t('enrol.pause')}</button>
      <button type="button" id="checkin-resume" class="secondary">${t('enrol.resume')}</button>
      <button type="button" id="checkin-stop" class="secondary">${t('enrol.stop')}</button>
    </div>
  </div>
  <form id="checkin-enrol" novalidate hidden>
    <p class="error" id="enrol-form-error" role="alert" hidden></p>
    <fieldset class="field checkin-days" data-field="weekdays" aria-describedby="enrol-weekdays-error">
      <legend>${t('enrol.weekdays')}</legend>
      ${days.map((d) => html`<label class="checkin-day"><input type="checkbox" name="weekdays" value="${d}"${d <= 5 ? html` checked` : ''}> ${t(`enrol.day.${d}`)}</label>`)}
      <p class="error" id="enrol-weekdays-error" hidden></p>
    </fieldset>
    ${field('windowStart', t('enrol.windowStart'), html`<input type="time" id="enrol-windowStart" name="windowStart" value="10:00" min="08:00" max="19:30" required aria-describedby="enrol-windowStart-hint enrol-windowStart-error">`, t('enrol.windowStartHint'))}
    ${field('channel', t('enrol.channel'), html`<select id="enrol-channel" name="channel" aria-describedby="enrol-channel-error">
      <option value="">${t('enrol.channelPreferred')}</option>
      <option value="telegram">Telegram</option>
      <option value="sms">SMS</option>
      <option value="web">${t('enrol.channelWeb')}</option>
    </select>`)}
    ${field('graceMinutes', t('enrol.graceMinutes'), html`<input type="number" id="enrol-graceMinutes" name="graceMinutes" value="30" min="10" max="180" step="5" aria-describedby="enrol-graceMinutes-hint enrol-graceMinutes-error">`, t('enrol.graceMinutesHint'))}
    <div class="field"><label class="checkin-check"><input type="checkbox" id="enrol-onHolidays" name="onHolidays"> ${t('enrol.onHolidays')}</label></div>
    <fieldset class="field" data-field="contacts" aria-describedby="enrol-contacts-error">
      <legend>${t('enrol.contacts')}</legend>
      <label class="checkin-check"><input type="checkbox" id="enrol-alertMe" name="alertMe" checked> ${t('enrol.alertMe')}</label>
      <div id="enrol-delegates"></div>
      <p class="error" id="enrol-contacts-error" hidden></p>
    </fieldset>
    <button type="submit">${t('enrol.submit')}</button>
  </form>
</section>`;
}

export function renderCheckinsPage(i18n: I18n, locale: Locale, staff: StaffIdentity, personId?: string) {
  const t = (key: string) => i18n.t(`checkins:page.${key}`, { lng: locale });
  return layout({
    i18n,
    locale,
    page: 'checkins',
    title: t('title'),
    staff,
    path: personId ? `/staff/checkins?person=${personId}` : '/staff/checkins',
    data: personId ? { personId } : {},
    clientKeys: checkinClientKeys(i18n),
    scripts: ['/static/console-checkins.js'],
    styles: ['/static/console-checkins.css'],
    body: html`<h1>${t('title')}</h1>
<p>${t('intro')}</p>
${personId ? enrolSection(t) : ''}
<div class="row wrap">
  <button type="button" id="checkins-refresh" class="secondary">${t('refresh')}</button>
  <p id="checkins-notice" class="status" role="status" aria-live="polite"></p>
</div>
<section aria-labelledby="checkins-summary-title" class="card">
  <h2 id="checkins-summary-title">${t('summary')}</h2>
  <ul id="checkins-summary" class="checkins-summary"></ul>
</section>
<ul id="checkins-list" class="checkins-list" aria-busy="true"><li class="empty">${t('loading')}</li></ul>`,
  });
}
