/**
 * Console pages of the people area (issue #7): the search with the "new person" form and the
 * person file. Shells only: /static/console-people.js fills them from the JSON API (text placed
 * with textContent). Sentences come from the `consolePeople` namespace; values are escaped by
 * hono/html. Sections a role may not use (the API would answer 403) are not rendered at all.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import { ART7_SERVICES } from '../../../core/regulation/services.ts';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { layout } from './pages.ts';

export interface ComuneOption {
  id: string;
  name: string;
}

export function peopleTranslator(i18n: I18n, locale: Locale) {
  return (key: string, params: Record<string, string | number> = {}) => i18n.t(`consolePeople:${key}`, { ...params, lng: locale });
}

/** Every `consolePeople:js.*` string and the art. 7 service names, for the page script. */
export function peopleClientKeys(i18n: I18n): string[] {
  const bundle = (i18n.getResourceBundle('it', 'consolePeople') ?? {}) as { js?: Record<string, string> };
  return [...Object.keys(bundle.js ?? {}).map((k) => `consolePeople:js.${k}`), ...ART7_SERVICES.map((s) => `services:${s.code}`)];
}

export const PEOPLE_SCRIPTS = ['/static/console-people.js'] as const;
export const PEOPLE_STYLES = ['/static/console-people.css'] as const;

/** A form field with its label, hint and the slot for the API's field-level message. */
export function field(form: string, name: string, label: string, input: ReturnType<typeof html>, hint?: string) {
  const hintId = hint ? `${form}-${name}-hint` : '';
  return html`<div class="field" data-field="${name}">
  <label for="${form}-${name}">${label}</label>
  ${hint ? html`<p class="hint" id="${hintId}">${hint}</p>` : ''}
  ${input}
  <p class="error" id="${form}-${name}-error" hidden></p>
</div>`;
}

export function describedBy(form: string, name: string, hint = false) {
  return `${hint ? `${form}-${name}-hint ` : ''}${form}-${name}-error`;
}

export function renderNotFound(i18n: I18n, locale: Locale, staff: StaffIdentity) {
  const t = peopleTranslator(i18n, locale);
  return layout({
    i18n, locale, page: 'not-found', title: t('notFound.title'), staff, path: '/staff',
    styles: PEOPLE_STYLES,
    body: html`<h1>${t('notFound.title')}</h1><p>${t('notFound.body')}</p><p><a href="/staff/people?lang=${locale}">${t('notFound.back')}</a></p>`,
  });
}

const yesNoSelect = (t: ReturnType<typeof peopleTranslator>, form: string, name: string) =>
  html`<select id="${form}-${name}" name="${name}" aria-describedby="${describedBy(form, name)}">
    <option value="">${t('form.unknown')}</option>
    <option value="true">${t('form.yes')}</option>
    <option value="false">${t('form.no')}</option>
  </select>`;

export function renderPeople(i18n: I18n, locale: Locale, staff: StaffIdentity, comuni: ComuneOption[], comuneNames: Record<string, string>) {
  const t = peopleTranslator(i18n, locale);
  const f = 'new-person';
  const comuneOptions = comuni.map((c) => html`<option value="${c.id}">${c.name}</option>`);
  return layout({
    i18n, locale, page: 'people', title: t('people.title'), staff, path: '/staff/people',
    data: { comuneNames }, clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: PEOPLE_STYLES,
    body: html`<h1>${t('people.heading')}</h1>
<section class="card" aria-labelledby="search-h">
  <h2 id="search-h">${t('people.searchHeading')}</h2>
  <form id="search" role="search" class="row wrap" novalidate>
    <div class="field grow">
      <label for="search-q">${t('people.query')}</label>
      <p class="hint" id="search-q-hint">${t('people.queryHint')}</p>
      <input id="search-q" name="q" maxlength="100" autocomplete="off" aria-describedby="search-q-hint search-q-error">
      <p class="error" id="search-q-error" hidden></p>
    </div>
    <div class="field">
      <label for="search-comune">${t('people.comune')}</label>
      <select id="search-comune" name="comuneId">
        <option value="">${t('people.allComuni')}</option>
        ${comuneOptions}
      </select>
    </div>
    <button type="submit">${t('people.search')}</button>
  </form>
  <p><a id="export" href="/api/v1/exports/people" download>${t('people.export')}</a></p>
  <p id="results-status" class="status" role="status"></p>
  <ul id="results" class="results"></ul>
</section>
<section class="card" aria-labelledby="new-h">
  <h2 id="new-h">${t('people.newHeading')}</h2>
  <p class="hint">${t('people.newHint')}</p>
  <form id="${f}" novalidate>
    <p id="${f}-error" class="error" role="alert" hidden></p>
    <div class="grid">
      ${field(f, 'givenName', t('form.givenName'), html`<input id="${f}-givenName" name="givenName" maxlength="100" autocomplete="off" aria-describedby="${describedBy(f, 'givenName')}">`)}
      ${field(f, 'familyName', t('form.familyName'), html`<input id="${f}-familyName" name="familyName" maxlength="100" autocomplete="off" aria-describedby="${describedBy(f, 'familyName')}">`)}
      ${field(f, 'birthDate', t('form.birthDate'), html`<input id="${f}-birthDate" name="birthDate" type="date" aria-describedby="${describedBy(f, 'birthDate')}">`)}
      ${field(f, 'codiceFiscale', t('form.codiceFiscale'), html`<input id="${f}-codiceFiscale" name="codiceFiscale" maxlength="32" autocomplete="off" aria-describedby="${describedBy(f, 'codiceFiscale')}">`)}
      ${field(f, 'phone', t('form.phone'), html`<input id="${f}-phone" name="phone" type="tel" maxlength="40" autocomplete="off" aria-describedby="${describedBy(f, 'phone')}">`)}
      ${field(f, 'address', t('form.address'), html`<input id="${f}-address" name="address" maxlength="300" autocomplete="off" aria-describedby="${describedBy(f, 'address')}">`)}
      ${field(f, 'comuneId', t('form.comune'), html`<select id="${f}-comuneId" name="comuneId" aria-describedby="${describedBy(f, 'comuneId')}"><option value="">${t('form.choose')}</option>${comuneOptions}</select>`)}
      ${field(f, 'livesAlone', t('form.livesAlone'), yesNoSelect(t, f, 'livesAlone'))}
      ${field(f, 'familySupport', t('form.familySupport'), yesNoSelect(t, f, 'familySupport'))}
    </div>
    <button type="submit">${t('people.create')}</button>
  </form>
</section>`,
  });
}

export function renderPerson(i18n: I18n, locale: Locale, staff: StaffIdentity, personId: string, comuneNames: Record<string, string>, comuni: ComuneOption[] = []) {
  const t = peopleTranslator(i18n, locale);
  const full = staff.role === 'admin' || staff.role === 'social_worker';
  const doc = 'upload';
  return layout({
    i18n, locale, page: 'person', title: t('person.title'), staff, path: `/staff/people/${personId}`,
    data: { personId, comuneNames, full }, clientKeys: peopleClientKeys(i18n), scripts: PEOPLE_SCRIPTS, styles: PEOPLE_STYLES,
    body: html`<p><a href="/staff/people?lang=${locale}">← ${t('person.back')}</a></p>
<h1 id="person-name">${t('person.heading')}</h1>
<p id="notice" class="status" role="status">${t('person.loading')}</p>
<div id="file" hidden>
  <section class="card" aria-labelledby="profile-h">
    <h2 id="profile-h">${t('person.profile')}</h2>
    <dl class="details" id="profile"></dl>
    <p><a href="/staff/checkins?person=${personId}&amp;lang=${locale}">${t('person.checkins')}</a></p>
    ${full ? profileForm(t) : ''}
  </section>
  <section class="card" aria-labelledby="delegates-h">
    <h2 id="delegates-h">${t('person.delegates')}</h2>
    <ul id="delegates" class="plain"></ul>
    ${full ? delegateForm(t, comuni) : ''}
    <h3>${t('person.consents')}</h3>
    <ul id="consents" class="plain"></ul>
    ${full ? consentForm(t) : ''}
  </section>
  <section class="card" aria-labelledby="channels-h">
    <h2 id="channels-h">${t('person.channels')}</h2>
    <ul id="channels" class="plain"></ul>
    <p class="hint">${t('person.linkCodeHint')}</p>
    <button type="button" id="link-code" class="secondary">${t('person.linkCode')}</button>
    <div id="link-code-box" class="code-box" role="status" hidden>
      <p>${t('person.linkCodeIs')} <strong id="link-code-value" class="code"></strong></p>
      <p id="link-code-expiry"></p>
      <p>${t('person.linkCodeHow')}</p>
    </div>
  </section>
  <section class="card" aria-labelledby="documents-h">
    <h2 id="documents-h">${t('person.documents')}</h2>
    ${full ? html`<ul id="documents" class="plain"></ul>` : html`<p class="hint">${t('person.documentsUploadOnly')}</p>`}
    <form id="${doc}" novalidate>
      <p id="${doc}-error" class="error" role="alert" hidden></p>
      <div class="row wrap">
        ${field(doc, 'type', t('person.documentType'), html`<select id="${doc}-type" name="type" aria-describedby="${describedBy(doc, 'type')}">
          ${['isee', 'certificate', 'identity', 'care_contract', 'other', 'photo'].map((k) => html`<option value="${k}">${t(`documentType.${k}`)}</option>`)}
        </select>`)}
        ${field(doc, 'file', t('person.documentFile'), html`<input id="${doc}-file" name="file" type="file" aria-describedby="${describedBy(doc, 'file', true)}">`, t('person.documentFileHint'))}
      </div>
      <button type="submit" class="secondary">${t('person.upload')}</button>
    </form>
  </section>
  ${full
    ? html`<section class="card" aria-labelledby="programmes-h" id="programmes-section">
    <h2 id="programmes-h">${t('person.programmes')}</h2>
    <p id="vouchers" class="balance"></p>
    <div id="programmes"></div>
    <p id="programme-actions"></p>
  </section>
  <section class="card" aria-labelledby="fees-h" id="fees-section">
    <h2 id="fees-h">${t('person.fees')}</h2>
    <p id="fees-warning" class="warning-box" role="status" hidden></p>
    <div id="fees"></div>
    ${feeForms(t)}
  </section>`
    : ''}
</div>`,
  });
}

// ─── Write forms of the person file (admin and social workers only: the API refuses others) ───

const CONSENT_PURPOSES = ['data_processing', 'contact', 'delegation', 'check_ins', 'segnalazione_contact'] as const;
const CONSENT_METHODS = ['signed_form', 'verbal', 'chat', 'email'] as const;
const DELEGATE_KINDS = ['relative', 'support_administrator', 'guardian', 'other'] as const;
type T = ReturnType<typeof peopleTranslator>;

const methodSelect = (t: T, f: string) =>
  html`<select id="${f}-method" name="method" aria-describedby="${describedBy(f, 'method')}">${CONSENT_METHODS.map((m) => html`<option value="${m}">${t(`forms.method.${m}`)}</option>`)}</select>`;
const givenAtInput = (f: string) => html`<input id="${f}-givenAt" name="givenAt" type="datetime-local" aria-describedby="${describedBy(f, 'givenAt', true)}">`;

/** Collapsed by default (<details>): the file stays short to read; the form opens with one click or Enter. */
function profileForm(t: T) {
  const f = 'profile-edit';
  return html`<details class="form-box" id="${f}-box">
  <summary>${t('forms.profile.open')}</summary>
  <form id="${f}" novalidate>
    <p id="${f}-error" class="error" role="alert" hidden></p>
    <div class="grid">
      ${field(f, 'phone', t('form.phone'), html`<input id="${f}-phone" name="phone" type="tel" maxlength="40" autocomplete="off" aria-describedby="${describedBy(f, 'phone')}">`)}
      ${field(f, 'email', t('forms.email'), html`<input id="${f}-email" name="email" type="email" maxlength="200" autocomplete="off" aria-describedby="${describedBy(f, 'email')}">`)}
      ${field(f, 'address', t('form.address'), html`<input id="${f}-address" name="address" maxlength="300" autocomplete="off" aria-describedby="${describedBy(f, 'address')}">`)}
      ${field(f, 'livesAlone', t('form.livesAlone'), yesNoSelect(t, f, 'livesAlone'))}
      ${field(f, 'familySupport', t('form.familySupport'), yesNoSelect(t, f, 'familySupport'))}
      ${field(f, 'certifiedInvalidity', t('forms.profile.certifiedInvalidity'), html`<select id="${f}-certifiedInvalidity" name="certifiedInvalidity" aria-describedby="${describedBy(f, 'certifiedInvalidity')}"><option value="false">${t('form.no')}</option><option value="true">${t('form.yes')}</option></select>`)}
      ${field(f, 'preferredChannel', t('forms.profile.preferredChannel'), html`<select id="${f}-preferredChannel" name="preferredChannel" aria-describedby="${describedBy(f, 'preferredChannel')}">
        <option value="">${t('forms.profile.noChannel')}</option>
        ${['web', 'telegram', 'sms'].map((ch) => html`<option value="${ch}">${t(`forms.channel.${ch}`)}</option>`)}
      </select>`)}
    </div>
    <button type="submit">${t('forms.profile.submit')}</button>
  </form>
</details>`;
}

function delegateForm(t: T, comuni: ComuneOption[]) {
  const f = 'delegate';
  const text = (name: string, label: string, type = 'text', max = 100) =>
    field(f, name, label, html`<input id="${f}-${name}" name="${name}" type="${type}" maxlength="${max}" autocomplete="off" aria-describedby="${describedBy(f, name)}">`);
  return html`<details class="form-box" id="${f}-box">
  <summary>${t('forms.delegate.open')}</summary>
  <form id="${f}" novalidate>
    <p id="${f}-error" class="error" role="alert" hidden></p>
    <div class="grid">
      ${field(f, 'kind', t('forms.delegate.kind'), html`<select id="${f}-kind" name="kind" aria-describedby="${describedBy(f, 'kind')}">${DELEGATE_KINDS.map((k) => html`<option value="${k}">${t(`forms.kind.${k}`)}</option>`)}</select>`)}
      ${text('relationship', t('forms.delegate.relationship'))}
    </div>
    <fieldset class="group">
      <legend>${t('forms.delegate.who')}</legend>
      <p class="hint">${t('forms.delegate.whoHint')}</p>
      ${field(f, 'delegatePersonId', t('forms.delegate.existingCf'), html`<input id="${f}-delegatePersonId" name="existingCf" maxlength="32" autocomplete="off" aria-describedby="${describedBy(f, 'delegatePersonId', true)}">`, t('forms.delegate.existingHint'))}
      <div class="grid">
        ${text('givenName', t('form.givenName'))}
        ${text('familyName', t('form.familyName'))}
        ${text('phone', t('form.phone'), 'tel', 40)}
        ${text('email', t('forms.email'), 'email', 200)}
        ${field(f, 'comuneId', t('forms.delegate.comune'), html`<select id="${f}-comuneId" name="comuneId" aria-describedby="${describedBy(f, 'comuneId')}"><option value="">${t('forms.delegate.outside')}</option>${comuni.map((c) => html`<option value="${c.id}">${c.name}</option>`)}</select>`)}
      </div>
    </fieldset>
    <fieldset class="group">
      <legend>${t('forms.delegate.consent')}</legend>
      <div class="grid">
        ${field(f, 'method', t('forms.consent.method'), methodSelect(t, f))}
        ${field(f, 'givenAt', t('forms.consent.givenAt'), givenAtInput(f), t('forms.consent.givenAtHint'))}
        ${text('givenBy', t('forms.consent.givenBy'), 'text', 200)}
      </div>
    </fieldset>
    <button type="submit">${t('forms.delegate.submit')}</button>
  </form>
</details>`;
}

function consentForm(t: T) {
  const f = 'consent';
  return html`<details class="form-box" id="${f}-box">
  <summary>${t('forms.consent.open')}</summary>
  <form id="${f}" novalidate>
    <p id="${f}-error" class="error" role="alert" hidden></p>
    <div class="grid">
      ${field(f, 'purpose', t('forms.consent.purpose'), html`<select id="${f}-purpose" name="purpose" aria-describedby="${describedBy(f, 'purpose')}">${CONSENT_PURPOSES.filter((p) => p !== 'delegation').map((p) => html`<option value="${p}">${t(`forms.purpose.${p}`)}</option>`)}</select>`)}
      ${field(f, 'method', t('forms.consent.method'), methodSelect(t, f))}
      ${field(f, 'givenAt', t('forms.consent.givenAt'), givenAtInput(f), t('forms.consent.givenAtHint'))}
      ${field(f, 'givenBy', t('forms.consent.givenBy'), html`<input id="${f}-givenBy" name="givenBy" maxlength="200" autocomplete="off" aria-describedby="${describedBy(f, 'givenBy')}">`)}
    </div>
    <button type="submit">${t('forms.consent.submit')}</button>
  </form>
</details>`;
}

/** Compute a month's statement (art. 14) and record a payment; the selects are filled by the script. */
function feeForms(t: T) {
  const c = 'fee-compute';
  const p = 'payment';
  return html`<h3>${t('forms.fees.computeHeading')}</h3>
<form id="${c}" novalidate>
  <p id="${c}-error" class="error" role="alert" hidden></p>
  <div class="row wrap">
    ${field(c, 'programmeId', t('forms.fees.programme'), html`<select id="${c}-programmeId" name="programmeId" aria-describedby="${describedBy(c, 'programmeId')}"></select>`)}
    ${field(c, 'month', t('forms.fees.month'), html`<input id="${c}-month" name="month" type="month" aria-describedby="${describedBy(c, 'month', true)}">`, t('forms.fees.monthHint'))}
  </div>
  <button type="submit" class="secondary">${t('forms.fees.compute')}</button>
</form>
<h3>${t('forms.fees.paymentHeading')}</h3>
<form id="${p}" novalidate>
  <p id="${p}-error" class="error" role="alert" hidden></p>
  <div class="row wrap">
    ${field(p, 'statementId', t('forms.fees.statement'), html`<select id="${p}-statementId" name="statementId" aria-describedby="${describedBy(p, 'statementId')}"></select>`)}
    ${field(p, 'amountCents', t('forms.fees.amount'), html`<input id="${p}-amountCents" name="amount" inputmode="decimal" maxlength="12" autocomplete="off" aria-describedby="${describedBy(p, 'amountCents', true)}">`, t('forms.fees.amountHint'))}
    ${field(p, 'paidOn', t('forms.fees.paidOn'), html`<input id="${p}-paidOn" name="paidOn" type="date" aria-describedby="${describedBy(p, 'paidOn')}">`)}
    ${field(p, 'method', t('forms.fees.paymentMethod'), html`<input id="${p}-method" name="method" maxlength="100" autocomplete="off" aria-describedby="${describedBy(p, 'method', true)}">`, t('forms.fees.paymentMethodHint'))}
  </div>
  <button type="submit" class="secondary">${t('forms.fees.pay')}</button>
</form>`;
}
