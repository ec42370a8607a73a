/**
 * Console pages for cases (issue #7): segnalazioni, chat requests, applications with the
 * assessment form, the waiting list. Server-rendered shells (hono/html escapes every value, every
 * sentence from the `consoleCases` namespace); /static/console-cases.js fills them from the JSON
 * API and places citizen text with textContent only.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { CRITERION_MAXIMA, ITEM_SCALES, SCORED_CRITERIA } from '../../../core/regulation/assessment.ts';
import { ART7_SERVICES, SERVICE_FAMILIES } from '../../../core/regulation/services.ts';
import type { Locale } from '../../../locales/index.ts';
import type { StaffIdentity } from '../../../db/staff.ts';
import { layout } from './pages.ts';

export interface ComuneOption {
  id: string;
  name: string;
}

interface PageInput {
  i18n: I18n;
  locale: Locale;
  staff: StaffIdentity;
  /** The comuni the viewer may choose (all of them for an admin). */
  comuni: readonly ComuneOption[];
}

const SEG_STATUSES = ['received', 'taken_in_charge', 'closed'] as const;
const REQ_STATUSES = ['new', 'assigned', 'scheduled', 'done', 'cancelled'] as const;
const APP_STATUSES = ['received', 'under_investigation', 'assessed', 'waiting_list', 'admitted', 'not_eligible', 'closed'] as const;
const CLIENT_PREFIXES = ['js.', 'items.', 'criteria.'];

function tr(i18n: I18n, locale: Locale) {
  return (key: string, params: Record<string, string | number> = {}) => i18n.t(`consoleCases:${key}`, { ...params, lng: locale });
}

/** Every client string of the namespace (js.*, items.*, criteria.*) plus the application statuses. */
function clientKeys(i18n: I18n): string[] {
  const out: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
    else if (CLIENT_PREFIXES.some((p) => prefix.startsWith(p))) out.push(`consoleCases:${prefix}`);
  };
  walk(i18n.getResourceBundle('it', 'consoleCases'), '');
  for (const s of APP_STATUSES) out.push(`applications:status.${s}`);
  // Services in words next to their code ("2A · Igiene intima a letto"; a bare family "2" too).
  for (const s of ART7_SERVICES) out.push(`services:${s.code}`);
  for (const f of SERVICE_FAMILIES) out.push(`services:family.${f}`);
  return out;
}

function page(p: PageInput, name: string, title: string, path: string, data: Record<string, unknown>, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return layout({
    i18n: p.i18n,
    locale: p.locale,
    page: name,
    title,
    staff: p.staff,
    path,
    data: { cases: { comuni: p.comuni, canApply: p.staff.role === 'admin' || p.staff.role === 'social_worker', ...data } },
    clientKeys: clientKeys(p.i18n),
    scripts: ['/static/console-cases.js'],
    styles: ['/static/console-cases.css'],
    body,
  });
}

function comuneSelect(p: PageInput, id: string, withAll: boolean) {
  const t = tr(p.i18n, p.locale);
  return html`<select id="${id}" name="comuneId">
  ${withAll ? html`<option value="">${t('common.allComuni')}</option>` : ''}
  ${p.comuni.map((c) => html`<option value="${c.id}">${c.name}</option>`)}
</select>`;
}

function statusSelect(p: PageInput, statuses: readonly string[], labelOf: (s: string) => string) {
  const t = tr(p.i18n, p.locale);
  return html`<select id="f-status" name="status">
  <option value="">${t('common.anyStatus')}</option>
  ${statuses.map((s) => html`<option value="${s}">${labelOf(s)}</option>`)}
</select>`;
}

function filters(p: PageInput, statuses: readonly string[], labelOf: (s: string) => string, csvList: string, extra: HtmlEscapedString | Promise<HtmlEscapedString> | string = '') {
  const t = tr(p.i18n, p.locale);
  return html`<form id="filters" class="card row wrap filters" role="search">
  <div class="field"><label for="f-comune">${t('common.comune')}</label>${comuneSelect(p, 'f-comune', true)}</div>
  <div class="field"><label for="f-status">${t('common.status')}</label>${statusSelect(p, statuses, labelOf)}</div>
  ${extra}
  <button type="submit">${t('common.filter')}</button>
  <a id="csv" class="csv" href="/api/v1/exports/${csvList}" data-base="/api/v1/exports/${csvList}">${t('common.csv')}</a>
</form>`;
}

const notice = html`<p id="notice" class="status" role="status" aria-live="polite"></p>`;

/** A form field with its label, hint and error slot wired for screen readers. */
function field(id: string, label: string, control: HtmlEscapedString | Promise<HtmlEscapedString>, hint?: string) {
  return html`<div class="field">
  <label for="${id}">${label}</label>
  ${hint ? html`<p id="${id}-hint" class="hint">${hint}</p>` : ''}
  ${control}
  <p id="${id}-error" class="error" hidden></p>
</div>`;
}

// ───────────────────────────── segnalazioni ─────────────────────────────

export function renderSegnalazioni(p: PageInput) {
  const t = tr(p.i18n, p.locale);
  return page(p, 'segnalazioni', t('segnalazioni.title'), '/staff/segnalazioni', {}, html`<h1>${t('segnalazioni.heading')}</h1>
<p>${t('segnalazioni.intro')}</p>
${filters(p, SEG_STATUSES, (s) => t(`js.segStatus.${s}`), 'segnalazioni')}
${notice}
<ul id="list" class="cases" aria-label="${t('segnalazioni.listLabel')}"></ul>
<button type="button" id="more" class="secondary" hidden>${t('common.more')}</button>`);
}

export function renderSegnalazione(p: PageInput, id: string) {
  const t = tr(p.i18n, p.locale);
  const canApply = p.staff.role === 'admin' || p.staff.role === 'social_worker';
  return page(p, 'segnalazione', t('segnalazione.title'), `/staff/segnalazioni/${id}`, { id }, html`<p><a href="/staff/segnalazioni?lang=${p.locale}">← ${t('common.back')}</a></p>
<h1>${t('segnalazione.heading')} <span id="d-reference"></span></h1>
${notice}
<div id="record" hidden>
<section class="card" aria-labelledby="details-h">
  <h2 id="details-h">${t('common.details')}</h2>
  <dl class="details">
    <div><dt>${t('common.status')}</dt><dd id="d-status"></dd></div>
    <div><dt>${t('segnalazione.urgency')}</dt><dd id="d-urgency"></dd></div>
    <div><dt>${t('common.comune')}</dt><dd id="d-comune"></dd></div>
    <div><dt>${t('segnalazione.created')}</dt><dd id="d-created"></dd></div>
    <div><dt>${t('segnalazione.reporter')}</dt><dd id="d-reporter"></dd></div>
    <div><dt>${t('segnalazione.subject')}</dt><dd id="d-subject"></dd></div>
    <div><dt>${t('segnalazione.address')}</dt><dd id="d-address"></dd></div>
    <div><dt>${t('segnalazione.problems')}</dt><dd id="d-problems"></dd></div>
    <div><dt>${t('segnalazione.livesAlone')}</dt><dd id="d-livesAlone"></dd></div>
    <div><dt>${t('segnalazione.personAware')}</dt><dd id="d-personAware"></dd></div>
    <div><dt>${t('segnalazione.consent')}</dt><dd id="d-consent"></dd></div>
    <div><dt>${t('segnalazione.application')}</dt><dd id="d-application"></dd></div>
  </dl>
  <p class="text" id="d-details"></p>
</section>
<section class="card" aria-labelledby="triage-h">
  <h2 id="triage-h">${t('segnalazione.triage')}</h2>
  <p class="hint">${t('segnalazione.triageHint')}</p>
  <form id="triage" novalidate class="row wrap">
    ${field('urgency', t('segnalazione.urgency'), html`<select id="urgency" name="urgency" aria-describedby="urgency-error">${['normal', 'high', 'immediate'].map((u) => html`<option value="${u}">${t(`js.urgency.${u}`)}</option>`)}</select>`)}
    ${field('comuneId', t('common.comune'), html`<select id="comuneId" name="comuneId" aria-describedby="comuneId-error">${p.comuni.map((c) => html`<option value="${c.id}">${c.name}</option>`)}</select>`)}
    <button type="submit">${t('segnalazione.saveTriage')}</button>
  </form>
</section>
<section class="card" aria-labelledby="actions-h">
  <h2 id="actions-h">${t('common.actions')}</h2>
  <p class="hint">${t('segnalazione.informHint')}</p>
  <div class="row wrap">
    <button type="button" id="take">${t('segnalazione.takeInCharge')}</button>
    <button type="button" id="close" class="secondary">${t('segnalazione.close')}</button>
  </div>
</section>
${canApply
  ? html`<section class="card" aria-labelledby="apply-h" id="apply-section">
  <h2 id="apply-h">${t('segnalazione.exOfficio')}</h2>
  <p class="hint">${t('segnalazione.exOfficioHint')}</p>
  <form id="search" class="row wrap" role="search" novalidate>
    ${field('q', t('segnalazione.search'), html`<input id="q" name="q" maxlength="100" autocomplete="off">`)}
    <button type="submit" class="secondary">${t('segnalazione.searchButton')}</button>
  </form>
  <form id="apply" novalidate>
    ${field('personId', t('segnalazione.person'), html`<select id="personId" name="personId" aria-describedby="personId-error"></select>`)}
    <button type="submit">${t('segnalazione.openApplication')}</button>
  </form>
</section>`
  : ''}
</div>`);
}

// ───────────────────────────── requests ─────────────────────────────

export function renderRequests(p: PageInput) {
  const t = tr(p.i18n, p.locale);
  return page(p, 'requests', t('requests.title'), '/staff/requests', {}, html`<h1>${t('requests.heading')}</h1>
${filters(p, REQ_STATUSES, (s) => t(`js.reqStatus.${s}`), 'requests')}
${notice}
<ul id="list" class="cases" aria-label="${t('requests.listLabel')}"></ul>
<button type="button" id="more" class="secondary" hidden>${t('common.more')}</button>`);
}

export function renderRequest(p: PageInput, id: string) {
  const t = tr(p.i18n, p.locale);
  const hours = Array.from({ length: 12 }, (_, i) => `${String(8 + i).padStart(2, '0')}:00`);
  return page(p, 'request', t('request.title'), `/staff/requests/${id}`, { id }, html`<p><a href="/staff/requests?lang=${p.locale}">← ${t('common.back')}</a></p>
<h1>${t('request.heading')} <span id="d-reference"></span></h1>
${notice}
<div id="record" hidden>
<section class="card" aria-labelledby="details-h">
  <h2 id="details-h">${t('common.details')}</h2>
  <dl class="details">
    <div><dt>${t('common.status')}</dt><dd id="d-status"></dd></div>
    <div><dt>${t('request.kind')}</dt><dd id="d-kind"></dd></div>
    <div><dt>${t('request.service')}</dt><dd id="d-service"></dd></div>
    <div><dt>${t('common.comune')}</dt><dd id="d-comune"></dd></div>
    <div><dt>${t('request.requested')}</dt><dd id="d-requested"></dd></div>
    <div><dt>${t('request.resource')}</dt><dd id="d-resource"></dd></div>
    <div><dt>${t('request.created')}</dt><dd id="d-created"></dd></div>
  </dl>
  <div class="row wrap"><button type="button" id="take" class="secondary">${t('request.takeInCharge')}</button></div>
</section>
<section class="card" aria-labelledby="confirm-h">
  <h2 id="confirm-h">${t('request.confirm')}</h2>
  <p class="hint">${t('request.confirmHint')}</p>
  <form id="confirm" novalidate>
    ${field('resourceId', t('request.resourceLabel'), html`<select id="resourceId" name="resourceId" aria-describedby="resourceId-error"></select>`)}
    <div class="row wrap">
      ${field('date', t('request.date'), html`<input id="date" name="date" type="date" aria-describedby="date-error">`)}
      ${field('time', t('request.time'), html`<select id="time" name="time" aria-describedby="time-error">${hours.map((h) => html`<option value="${h}">${h}</option>`)}</select>`)}
      ${field('hours', t('request.hours'), html`<input id="hours" name="hours" type="number" min="1" max="10" step="1" value="1" inputmode="numeric" aria-describedby="hours-error">`)}
    </div>
    <div class="check" aria-live="polite"><h3>${t('request.check')}</h3><ul id="check"></ul></div>
    <button type="submit">${t('request.confirmButton')}</button>
  </form>
</section>
<section class="card" aria-labelledby="close-h">
  <h2 id="close-h">${t('common.actions')}</h2>
  <p class="hint">${t('request.closeHint')}</p>
  <div class="row wrap">
    <button type="button" id="done">${t('request.done')}</button>
    <button type="button" id="cancel" class="secondary">${t('request.cancel')}</button>
  </div>
</section>
</div>`);
}

// ───────────────────────────── applications ─────────────────────────────

export function renderApplications(p: PageInput) {
  const t = tr(p.i18n, p.locale);
  const status = (s: string) => p.i18n.t(`applications:status.${s}`, { lng: p.locale });
  const overdue = html`<div class="field check-field"><input type="checkbox" id="f-overdue" name="overdue" value="true"><label for="f-overdue">${t('applications.overdueOnly')}</label></div>`;
  return page(p, 'applications', t('applications.title'), '/staff/applications', {}, html`<h1>${t('applications.heading')}</h1>
<p>${t('applications.intro')} <a href="/staff/waiting-list?lang=${p.locale}">${t('applications.waitingList')}</a></p>
${filters(p, APP_STATUSES, status, 'applications', overdue)}
${notice}
<table class="table">
  <caption>${t('applications.listLabel')}</caption>
  <thead><tr><th scope="col">${t('js.person')}</th><th scope="col">${t('js.comuneHead')}</th><th scope="col">${t('js.date')}</th><th scope="col">${t('js.statusHead')}</th><th scope="col">${t('js.pointsHead')}</th><th scope="col">${t('js.dueHead')}</th></tr></thead>
  <tbody id="list"></tbody>
</table>
<button type="button" id="more" class="secondary" hidden>${t('common.more')}</button>`);
}

export function renderApplication(p: PageInput, id: string, isee: { year: number }) {
  const t = tr(p.i18n, p.locale);
  const criteria = SCORED_CRITERIA.map((criterion) => {
    const items = ITEM_SCALES[criterion].map((scale) => {
      const fid = `item-${criterion}-${scale.id}`;
      return field(fid, `${scale.indicator} ${t(`items.${scale.id}`)}`, html`<select id="${fid}" class="item" data-criterion="${criterion}" data-item="${scale.id}" aria-describedby="${fid}-error">${Array.from({ length: scale.maxLevel + 1 }, (_, level) => html`<option value="${level}">${level}</option>`)}</select>`);
    });
    return html`<fieldset class="criterion" id="criterion-${criterion}" aria-describedby="criteria.${criterion}-error">
  <legend>${t(`criteria.${criterion}`)} (max ${CRITERION_MAXIMA[criterion]})</legend>
  <div class="items">${items}</div>
  <p id="criteria.${criterion}-error" class="error" hidden></p>
</fieldset>`;
  });
  return page(p, 'application', t('application.title'), `/staff/applications/${id}`, { id, itemScales: ITEM_SCALES, maxima: CRITERION_MAXIMA, criteria: SCORED_CRITERIA }, html`<p><a href="/staff/applications?lang=${p.locale}">← ${t('common.back')}</a></p>
<h1>${t('application.heading')}: <span id="d-person"></span></h1>
${notice}
<div id="record" hidden>
<section class="card" aria-labelledby="details-h">
  <h2 id="details-h">${t('common.details')}</h2>
  <dl class="details">
    <div><dt>${t('common.status')}</dt><dd id="d-status"></dd></div>
    <div><dt>${t('common.comune')}</dt><dd id="d-comune"></dd></div>
    <div><dt>${t('application.origin')}</dt><dd id="d-origin"></dd></div>
    <div><dt>${t('application.date')}</dt><dd id="d-date"></dd></div>
    <div><dt>${t('application.due')}</dt><dd id="d-due"></dd></div>
    <div><dt>${t('application.birthDate')}</dt><dd id="d-birth"></dd></div>
    <div><dt>${t('application.address')}</dt><dd id="d-address"></dd></div>
    <div><dt>${t('application.position')}</dt><dd id="d-position"></dd></div>
    <div><dt>${t('application.eligibility')}</dt><dd id="d-eligibility"></dd></div>
    <div><dt>ISEE</dt><dd id="d-isee"></dd></div>
  </dl>
</section>
<section class="card" aria-labelledby="workflow-h">
  <h2 id="workflow-h">${t('application.workflow')}</h2>
  <p class="hint">${t('application.workflowHint')}</p>
  <form id="transition" novalidate>
    ${field('note', t('application.note'), html`<input id="note" name="note" maxlength="2000" aria-describedby="note-error">`)}
    <div id="moves" class="row wrap"></div>
  </form>
</section>
<section class="card" aria-labelledby="assessment-h">
  <h2 id="assessment-h">${t('application.assessment')}</h2>
  <p class="hint">${t('application.assessmentHint')}</p>
  <form id="assessment" novalidate>
    <div class="assessment-grid">
      <div>${criteria}
        <div class="row wrap">
          ${field('iseeEuro', t('application.isee'), html`<input id="iseeEuro" name="iseeEuro" type="number" min="0" step="0.01" inputmode="decimal" aria-describedby="iseeEuro-error">`)}
          ${field('iseeYear', t('application.iseeYear'), html`<input id="iseeYear" name="iseeYear" type="number" min="1990" max="${isee.year}" step="1" value="${isee.year}" aria-describedby="iseeYear-error">`)}
        </div>
        ${field('special', t('application.special'), html`<textarea id="special" name="special" rows="2" maxlength="2000" aria-describedby="special-hint special-error"></textarea>`, t('application.specialHint'))}
      </div>
      <aside class="preview card" aria-labelledby="preview-h">
        <h3 id="preview-h">${t('application.preview')}</h3>
        <p id="score" class="score" aria-live="polite" data-total=""></p>
        <p>${t('js.explainIntro')}</p>
        <ul id="explain"></ul>
      </aside>
    </div>
    <button type="submit">${t('application.saveAssessment')}</button>
  </form>
  <h3>${t('application.assessments')}</h3>
  <ul id="assessments"></ul>
</section>
<section class="card" aria-labelledby="isee-h">
  <h2 id="isee-h">${t('application.iseeSection')}</h2>
  <form id="isee" class="row wrap" novalidate>
    ${field('newIseeEuro', t('application.isee'), html`<input id="newIseeEuro" name="iseeEuro" type="number" min="0" step="0.01" inputmode="decimal" aria-describedby="newIseeEuro-error">`)}
    ${field('newIseeYear', t('application.iseeYear'), html`<input id="newIseeYear" name="iseeYear" type="number" min="1990" max="${isee.year}" step="1" value="${isee.year}" aria-describedby="newIseeYear-error">`)}
    <button type="submit" class="secondary">${t('application.saveIsee')}</button>
  </form>
</section>
<section class="card" aria-labelledby="answer-h">
  <h2 id="answer-h">${t('application.answer')}</h2>
  <p class="hint">${t('application.answerHint')}</p>
  <p id="answer-state"></p>
  <p><a id="answer-link" href="/api/v1/applications/${id}/written-answer?lang=${p.locale}" target="_blank" rel="noopener">${t('application.openAnswer')}</a></p>
  <form id="sent" class="row wrap" novalidate>
    ${field('sentOn', t('application.sentOn'), html`<input id="sentOn" name="sentOn" type="date" aria-describedby="sentOn-error">`)}
    ${field('via', t('application.via'), html`<select id="via" name="via" aria-describedby="via-error">${['post', 'email', 'hand', 'pec'].map((v) => html`<option value="${v}">${t(`js.via.${v}`)}</option>`)}</select>`)}
    <button type="submit" class="secondary">${t('application.markSent')}</button>
  </form>
</section>
<section class="card" aria-labelledby="history-h">
  <h2 id="history-h">${t('application.history')}</h2>
  <ul id="history"></ul>
</section>
</div>`);
}

export function renderWaitingList(p: PageInput, selected: string | undefined) {
  const t = tr(p.i18n, p.locale);
  return page(p, 'waiting-list', t('waitingList.title'), '/staff/waiting-list', { selected: selected ?? p.comuni[0]?.id ?? null }, html`<h1>${t('waitingList.heading')}</h1>
<p>${t('waitingList.intro')}</p>
<form id="chooser" class="card row wrap">
  <div class="field"><label for="wl-comune">${t('common.comune')}</label>${comuneSelect(p, 'wl-comune', false)}</div>
  <button type="submit">${t('waitingList.choose')}</button>
  <a id="csv" class="csv" href="/api/v1/exports/waiting-list" data-base="/api/v1/exports/waiting-list">${t('common.csv')}</a>
</form>
${notice}
<table class="table">
  <caption id="wl-caption">${t('waitingList.title')}</caption>
  <thead><tr><th scope="col">${t('js.positionHead')}</th><th scope="col">${t('js.application')}</th><th scope="col">${t('js.date')}</th><th scope="col">${t('js.total')}</th><th scope="col">${t('js.autonomy')}</th></tr></thead>
  <tbody id="list"></tbody>
</table>
<button type="button" id="more" class="secondary" hidden>${t('common.more')}</button>`);
}
