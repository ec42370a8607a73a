/**
 * Console pages of the programmes area (issue #7): the list of active programmes, the form that
 * creates or renews a programme (art. 10–11), and one programme with its visits (art. 8),
 * suspensions (art. 13) and evaluations (art. 12). Shells filled by /static/console-people.js.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import { ART7_SERVICES } from '../../../core/regulation/services.ts';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { layout } from './pages.ts';
import { describedBy, field, PEOPLE_SCRIPTS, PEOPLE_STYLES, peopleClientKeys, peopleTranslator, type ComuneOption } from './people.ts';

export function renderProgrammes(i18n: I18n, locale: Locale, staff: StaffIdentity, comuni: ComuneOption[], comuneNames: Record<string, string>) {
  const t = peopleTranslator(i18n, locale);
  return layout({
    i18n, locale, page: 'programmes', title: t('programmes.title'), staff, path: '/staff/programmes',
    data: { comuneNames }, clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: PEOPLE_STYLES,
    body: html`<h1>${t('programmes.heading')}</h1>
<form id="programme-filter" class="row wrap" novalidate>
  <label for="filter-comune">${t('people.comune')}</label>
  <select id="filter-comune" name="comuneId">
    <option value="">${t('people.allComuni')}</option>
    ${comuni.map((c) => html`<option value="${c.id}">${c.name}</option>`)}
  </select>
  <a id="export" href="/api/v1/exports/programmes" download>${t('people.export')}</a>
</form>
<p id="list-status" class="status" role="status">${t('person.loading')}</p>
<table class="table" id="programme-table" hidden>
  <caption>${t('programmes.caption')}</caption>
  <thead><tr>
    <th scope="col">${t('programmes.person')}</th>
    <th scope="col">${t('people.comune')}</th>
    <th scope="col">${t('programmes.periodEnd')}</th>
    <th scope="col">${t('programmes.balance')}</th>
  </tr></thead>
  <tbody id="programme-rows"></tbody>
</table>`,
  });
}

export function renderProgrammeNew(i18n: I18n, locale: Locale, staff: StaffIdentity, p: { personId: string; comuneId: string; renew: string | null; today: string; comuneNames: Record<string, string> }) {
  const t = peopleTranslator(i18n, locale);
  const f = 'programme';
  const num = (name: string, min: number, max: number, hint?: string) =>
    field(f, name, t(`programme.${name}`), html`<input id="${f}-${name}" name="${name}" type="number" inputmode="numeric" min="${min}" max="${max}" step="1" aria-describedby="${describedBy(f, name, Boolean(hint))}">`, hint);
  return layout({
    i18n, locale, page: 'programme-new', title: t(p.renew ? 'programme.renewTitle' : 'programme.newTitle'), staff,
    path: `/staff/programmes/new?personId=${p.personId}${p.renew ? `&renew=${p.renew}` : ''}`,
    data: { personId: p.personId, comuneId: p.comuneId, renew: p.renew, comuneNames: p.comuneNames }, clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: PEOPLE_STYLES,
    body: html`<p><a href="/staff/people/${p.personId}?lang=${locale}">← ${t('programme.backToPerson')}</a></p>
<h1>${t(p.renew ? 'programme.renewHeading' : 'programme.newHeading')}</h1>
<p id="person-line" class="lead"></p>
<p class="hint">${t('programme.rules')}</p>
<form id="${f}" class="card" novalidate>
  <p id="${f}-error" class="error" role="alert" hidden></p>
  <div class="grid">
    ${field(f, 'start', t('programme.start'), html`<input id="${f}-start" name="start" type="date" value="${p.today}" aria-describedby="${describedBy(f, 'start')}">`)}
    ${field(f, 'plannedEnd', t('programme.plannedEnd'), html`<input id="${f}-plannedEnd" name="plannedEnd" type="date" aria-describedby="${describedBy(f, 'plannedEnd', true)}">`, t('programme.plannedEndHint'))}
    ${num('weeklyHours', 1, 40, t('programme.weeklyHoursHint'))}
    ${num('visitsPerWeek', 1, 14)}
    ${num('operators', 1, 4)}
    ${field(f, 'resourceId', t('programme.resourceId'), html`<select id="${f}-resourceId" name="resourceId" aria-describedby="${describedBy(f, 'resourceId', true)}"><option value="">${t('form.choose')}</option></select>`, t('programme.resourceHint'))}
  </div>
  <fieldset class="services" data-field="services" aria-describedby="${f}-services-error">
    <legend>${t('programme.services')}</legend>
    <div class="checks">
      ${ART7_SERVICES.map((s) => html`<label class="check"><input type="checkbox" name="services" value="${s.code}"> <span>${s.code} — ${i18n.t(`services:${s.code}`, { lng: locale })}</span></label>`)}
    </div>
    <p class="error" id="${f}-services-error" hidden></p>
  </fieldset>
  <div class="field" data-field="contractSignedAt">
    <label class="check"><input type="checkbox" id="${f}-contractSigned" name="contractSigned"> <span>${t('programme.contractSigned')}</span></label>
  </div>
  <button type="submit">${t(p.renew ? 'programme.renewSubmit' : 'programme.createSubmit')}</button>
</form>`,
  });
}

export function renderProgramme(i18n: I18n, locale: Locale, staff: StaffIdentity, programmeId: string, comuneNames: Record<string, string>) {
  const t = peopleTranslator(i18n, locale);
  const v = 'visit';
  const s = 'suspension';
  const e = 'evaluation';
  return layout({
    i18n, locale, page: 'programme', title: t('programme.title'), staff, path: `/staff/programmes/${programmeId}`,
    data: { programmeId, comuneNames }, clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: PEOPLE_STYLES,
    body: html`<p><a href="/staff/programmes?lang=${locale}">← ${t('programme.back')}</a></p>
<h1>${t('programme.heading')}</h1>
<p id="notice" class="status" role="status">${t('person.loading')}</p>
<div id="programme-view" hidden>
  <section class="card" aria-labelledby="summary-h">
    <h2 id="summary-h">${t('programme.summary')}</h2>
    <dl class="details" id="summary"></dl>
    <p class="row wrap">
      <a id="contract-link" href="/staff/programmes/${programmeId}/contract?lang=${locale}" target="_blank" rel="noopener">${t('programme.contract')}</a>
      <a id="person-link" href="#">${t('programme.openPerson')}</a>
      <a id="renew-link" href="#">${t('programme.renew')}</a>
    </p>
  </section>
  <section class="card" aria-labelledby="visits-h">
    <h2 id="visits-h">${t('programme.visits')}</h2>
    <div id="visits"></div>
    <h3>${t('programme.scheduleHeading')}</h3>
    <p class="hint">${t('programme.scheduleHint')}</p>
    <form id="${v}" novalidate>
      <p id="${v}-error" class="error" role="alert" hidden></p>
      <div class="row wrap">
        ${field(v, 'startsAt', t('programme.startsAt'), html`<input id="${v}-startsAt" name="startsAt" type="datetime-local" step="3600" aria-describedby="${describedBy(v, 'startsAt')}">`)}
        ${field(v, 'hours', t('programme.hours'), html`<input id="${v}-hours" name="hours" type="number" min="1" max="10" step="1" inputmode="numeric" aria-describedby="${describedBy(v, 'hours')}">`)}
        ${field(v, 'operators', t('programme.operators'), html`<input id="${v}-operators" name="operators" type="number" min="1" max="4" step="1" inputmode="numeric" aria-describedby="${describedBy(v, 'operators')}">`)}
      </div>
      <button type="submit">${t('programme.schedule')}</button>
      <ul id="${v}-warnings" class="warnings" hidden></ul>
    </form>
  </section>
  <section class="card" aria-labelledby="suspensions-h">
    <h2 id="suspensions-h">${t('programme.suspensions')}</h2>
    <ul id="suspensions" class="plain"></ul>
    <form id="${s}" novalidate>
      <p id="${s}-error" class="error" role="alert" hidden></p>
      <div class="row wrap">
        ${field(s, 'fromDate', t('programme.fromDate'), html`<input id="${s}-fromDate" name="fromDate" type="date" aria-describedby="${describedBy(s, 'fromDate')}">`)}
        ${field(s, 'toDate', t('programme.toDate'), html`<input id="${s}-toDate" name="toDate" type="date" aria-describedby="${describedBy(s, 'toDate')}">`)}
      </div>
      ${field(s, 'reason', t('programme.reason'), html`<input id="${s}-reason" name="reason" maxlength="500" aria-describedby="${describedBy(s, 'reason')}">`)}
      <button type="submit" class="secondary">${t('programme.suspend')}</button>
    </form>
  </section>
  <section class="card" aria-labelledby="evaluations-h">
    <h2 id="evaluations-h">${t('programme.evaluations')}</h2>
    <p id="evaluation-due"></p>
    <ul id="evaluations" class="plain"></ul>
    <form id="${e}" novalidate>
      <p id="${e}-error" class="error" role="alert" hidden></p>
      <div class="row wrap">
        ${field(e, 'evaluatedOn', t('programme.evaluatedOn'), html`<input id="${e}-evaluatedOn" name="evaluatedOn" type="date" aria-describedby="${describedBy(e, 'evaluatedOn')}">`)}
        ${field(e, 'outcome', t('programme.outcome'), html`<select id="${e}-outcome" name="outcome" aria-describedby="${describedBy(e, 'outcome')}">
          ${['continue', 'change', 'end'].map((o) => html`<option value="${o}">${t(`outcome.${o}`)}</option>`)}
        </select>`)}
      </div>
      ${field(e, 'notes', t('programme.notes'), html`<textarea id="${e}-notes" name="notes" rows="3" maxlength="4000" aria-describedby="${describedBy(e, 'notes')}"></textarea>`)}
      <button type="submit" class="secondary">${t('programme.evaluate')}</button>
    </form>
    <h3>${t('programme.questionnaires')}</h3>
    <ul id="questionnaires" class="plain"></ul>
    ${questionnaireForm(i18n, locale, t)}
  </section>
  ${interruptionForm(t)}
  <section class="card" aria-labelledby="ledger-h">
    <h2 id="ledger-h">${t('programme.ledger')}</h2>
    <div id="ledger"></div>
  </section>
</div>`,
  });
}

// The satisfaction questions the chat asks (core/conversation/flows/info.ts), so the answers a
// social worker records on paper read the same as the chat's. Labels come from the chat namespace.
const QUESTIONNAIRE: { id: string; answers: string[] }[] = [
  { id: 'overall', answers: ['very', 'quite', 'little', 'not_at_all'] },
  { id: 'operators', answers: ['very', 'quite', 'little', 'not_at_all'] },
  { id: 'times', answers: ['always', 'mostly', 'rarely'] },
  { id: 'continue', answers: ['yes', 'no', 'unsure'] },
];
const INTERRUPTION_REASONS = ['death', 'permanent_admission', 'no_longer_needed', 'fees_unpaid', 'renunciation'] as const;

function questionnaireForm(i18n: I18n, locale: Locale, t: ReturnType<typeof peopleTranslator>) {
  const f = 'questionnaire';
  const chat = (key: string) => i18n.t(`chat:questionnaire.${key}`, { lng: locale });
  return html`<details class="form-box" id="${f}-box">
  <summary>${t('forms.questionnaire.open')}</summary>
  <form id="${f}" novalidate>
    <p id="${f}-error" class="error" role="alert" hidden></p>
    <p class="hint">${t('forms.questionnaire.hint')}</p>
    <div class="grid">
      ${QUESTIONNAIRE.map((q) => field(f, q.id, chat(`${q.id}.question`), html`<select id="${f}-${q.id}" name="${q.id}" aria-describedby="${describedBy(f, q.id)}">
        <option value="">${t('form.choose')}</option>
        ${q.answers.map((a) => html`<option value="${a}">${chat(`${q.id}.${a}`)}</option>`)}
      </select>`))}
    </div>
    ${field(f, 'comment', t('forms.questionnaire.comment'), html`<textarea id="${f}-comment" name="comment" rows="2" maxlength="2000" aria-describedby="${describedBy(f, 'comment')}"></textarea>`)}
    <button type="submit" class="secondary">${t('forms.questionnaire.submit')}</button>
  </form>
</details>`;
}

/** Art. 13: the programme ends early; the API returns the unused hours. Hidden by the script once ended. */
function interruptionForm(t: ReturnType<typeof peopleTranslator>) {
  const f = 'interruption';
  return html`<section class="card" aria-labelledby="interruption-h" id="interruption-section">
  <h2 id="interruption-h">${t('forms.interruption.heading')}</h2>
  <p class="hint">${t('forms.interruption.hint')}</p>
  <form id="${f}" novalidate>
    <p id="${f}-error" class="error" role="alert" hidden></p>
    <div class="row wrap">
      ${field(f, 'reason', t('forms.interruption.reason'), html`<select id="${f}-reason" name="reason" aria-describedby="${describedBy(f, 'reason')}">
        <option value="">${t('form.choose')}</option>
        ${INTERRUPTION_REASONS.map((r) => html`<option value="${r}">${t(`forms.interruption.reasons.${r}`)}</option>`)}
      </select>`)}
      ${field(f, 'on', t('forms.interruption.on'), html`<input id="${f}-on" name="on" type="date" aria-describedby="${describedBy(f, 'on')}">`)}
    </div>
    ${field(f, 'note', t('forms.interruption.note'), html`<textarea id="${f}-note" name="note" rows="2" maxlength="2000" aria-describedby="${describedBy(f, 'note')}"></textarea>`)}
    <button type="submit" class="danger">${t('forms.interruption.submit')}</button>
  </form>
</section>`;
}
