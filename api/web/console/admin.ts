/**
 * The administration pages of the staff console (issue #7, admins only): shells that
 * /static/console-admin.js fills from the JSON API (/api/v1/admin/…, /api/v1/resources,
 * /api/v1/comuni/{id}/settings, /api/v1/inbox/canned-replies). Every field has a label and an
 * error slot (`data-for` = the API's field name) where the API's Italian message appears.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { RESOURCE_KINDS, STAFF_ROLES } from '../../../db/schema.ts';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { adminTranslator } from './dashboard.ts';
import { layout } from './pages.ts';

export interface ComuneOption {
  id: string;
  name: string;
}

/** Strings console-admin.js needs (namespace included, as layout() expects). */
const CLIENT_KEYS = [
  'common.saved', 'common.failed', 'common.loading', 'common.edit', 'common.delete', 'common.none', 'common.all',
  'staff.newHeading', 'staff.editHeading', 'staff.active', 'staff.inactive', 'staff.disable', 'staff.enable', 'staff.resetPassword', 'staff.password', 'staff.created', 'staff.updated',
  ...STAFF_ROLES.map((r) => `role.${r}`),
  ...RESOURCE_KINDS.map((k) => `kind.${k}`),
  'resources.newHeading', 'resources.editHeading', 'resources.disable', 'resources.enable', 'resources.created', 'resources.updated',
  'comuni.saved', 'comuni.noOnCall', 'comuni.canned.ambito', 'comuni.canned.added', 'comuni.canned.deleted', 'comuni.canned.none', 'comuni.band.upTo', 'comuni.band.euro', 'comuni.band.remove', 'comuni.band.open',
  'import.checked', 'import.saved', 'import.unknown', 'import.missing', 'import.illustrative', 'import.noFile',
  'budget.notSaved', 'budget.savedInfo', 'budget.saved', 'budget.redistributed', 'budget.previewReady', 'budget.redistributionReady', 'budget.atFloor',
].map((k) => `consoleAdmin:${k}`).concat(['settings.none', 'settings.saved', 'settings.reachable', 'settings.unreachable', 'settings.missing'].map((k) => `alerts:${k}`));

/** A labelled input with its hint and error slot; `control` gets id, name and aria-describedby from here. */
function field(prefix: string, name: string, label: string, control: (attrs: { id: string; describedBy: string }) => HtmlEscapedString | Promise<HtmlEscapedString>, hint?: string) {
  const id = `${prefix}-${name.replace(/\./g, '-')}`;
  const describedBy = `${hint ? `${id}-hint ` : ''}${id}-error`;
  return html`<div class="field">
  <label for="${id}">${label}</label>
  ${hint ? html`<p id="${id}-hint" class="hint">${hint}</p>` : ''}
  ${control({ id, describedBy })}
  <p id="${id}-error" class="error" data-for="${name}" hidden></p>
</div>`;
}

/** Checkboxes of a list (comuni, resources): one fieldset, one error slot for the whole list. */
function checkboxes(prefix: string, name: string, legend: string, options: readonly ComuneOption[]) {
  return html`<fieldset class="field checks" id="${prefix}-${name}" data-field="${name}" aria-describedby="${prefix}-${name}-error">
  <legend>${legend}</legend>
  <div class="check-grid">${options.map((o) => html`<label class="check"><input type="checkbox" name="${name}" value="${o.id}"> ${o.name}</label>`)}</div>
  <p id="${prefix}-${name}-error" class="error" data-for="${name}" hidden></p>
</fieldset>`;
}

function frame(i18n: I18n, locale: Locale, staff: StaffIdentity, page: string, path: string, title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>, data: Record<string, unknown> = {}) {
  const t = adminTranslator(i18n, locale);
  return layout({
    i18n, locale, page, title, staff, path, data, clientKeys: CLIENT_KEYS,
    scripts: ['/static/console-admin.js'],
    styles: ['/static/console-admin.css'],
    body: html`${page === 'admin' ? '' : html`<p><a href="/staff/admin?lang=${locale}">← ${t('home.back')}</a></p>`}
${body}`,
  });
}

export function renderAdminHome(i18n: I18n, locale: Locale, staff: StaffIdentity) {
  const t = adminTranslator(i18n, locale);
  const links = (['staff', 'resources', 'comuni', 'import', 'budget'] as const).map(
    (p) => html`<li class="card"><h2><a href="/staff/admin/${p}?lang=${locale}">${t(`home.${p}.title`)}</a></h2><p>${t(`home.${p}.text`)}</p></li>`,
  );
  return frame(i18n, locale, staff, 'admin', '/staff/admin', t('home.title'), html`<h1>${t('home.heading')}</h1>
<p>${t('home.intro')}</p>
<ul class="admin-links">${links}
<li class="card"><h2><a href="/staff/dashboard?lang=${locale}">${t('home.dashboard.title')}</a></h2><p>${t('home.dashboard.text')}</p></li>
</ul>`);
}

const notice = html`<p id="notice" class="status" role="status" aria-live="polite"></p>
<p id="form-error" class="error" role="alert" hidden></p>`;

export function renderAdminStaff(i18n: I18n, locale: Locale, staff: StaffIdentity, comuni: readonly ComuneOption[]) {
  const t = adminTranslator(i18n, locale);
  const f = (name: string, label: string, control: Parameters<typeof field>[3], hint?: string) => field('sf', name, label, control, hint);
  return frame(i18n, locale, staff, 'admin-staff', '/staff/admin/staff', t('staff.title'), html`<h1>${t('staff.heading')}</h1>
${notice}
<section id="password-box" class="card password" hidden aria-labelledby="password-h">
  <h2 id="password-h">${t('staff.passwordHeading')}</h2>
  <p id="password-text"></p>
  <p class="hint">${t('staff.passwordHint')}</p>
</section>
<section class="card" aria-labelledby="staff-list-h">
  <h2 id="staff-list-h">${t('staff.listHeading')}</h2>
  <div class="table-wrap" role="region" tabindex="0" aria-labelledby="staff-list-h"><table>
    <thead><tr><th scope="col">${t('staff.username')}</th><th scope="col">${t('staff.displayName')}</th><th scope="col">${t('staff.role')}</th><th scope="col">${t('staff.comuni')}</th><th scope="col">${t('staff.state')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
    <tbody id="staff-rows"><tr><td colspan="6">${t('common.loading')}</td></tr></tbody>
  </table></div>
</section>
<section class="card" aria-labelledby="staff-form-h">
  <h2 id="staff-form-h">${t('staff.newHeading')}</h2>
  <form id="staff-form" novalidate>
    ${f('username', t('staff.username'), (a) => html`<input id="${a.id}" name="username" maxlength="40" autocomplete="off" aria-describedby="${a.describedBy}">`, t('staff.usernameHint'))}
    ${f('displayName', t('staff.displayName'), (a) => html`<input id="${a.id}" name="displayName" maxlength="200" autocomplete="off" aria-describedby="${a.describedBy}">`)}
    ${f('role', t('staff.role'), (a) => html`<select id="${a.id}" name="role" aria-describedby="${a.describedBy}">${STAFF_ROLES.map((r) => html`<option value="${r}">${t(`role.${r}`)}</option>`)}</select>`)}
    ${checkboxes('sf', 'comuni', t('staff.comuniLegend'), comuni)}
    <fieldset class="field checks" id="sf-resources" data-field="resources" aria-describedby="sf-resources-error">
      <legend>${t('staff.resourcesLegend')}</legend>
      <div class="check-grid" id="sf-resource-list"></div>
      <p id="sf-resources-error" class="error" data-for="resources" hidden></p>
    </fieldset>
    <div class="row wrap">
      <button type="submit">${t('common.save')}</button>
      <button type="button" id="staff-cancel" class="secondary" hidden>${t('common.cancel')}</button>
    </div>
  </form>
</section>`, { comuni });
}

export function renderAdminResources(i18n: I18n, locale: Locale, staff: StaffIdentity, comuni: readonly ComuneOption[]) {
  const t = adminTranslator(i18n, locale);
  const f = (name: string, label: string, control: Parameters<typeof field>[3], hint?: string) => field('rf', name, label, control, hint);
  return frame(i18n, locale, staff, 'admin-resources', '/staff/admin/resources', t('resources.title'), html`<h1>${t('resources.heading')}</h1>
${notice}
<section class="card" aria-labelledby="res-list-h">
  <h2 id="res-list-h">${t('resources.listHeading')}</h2>
  <div class="table-wrap" role="region" tabindex="0" aria-labelledby="res-list-h"><table>
    <thead><tr><th scope="col">${t('resources.name')}</th><th scope="col">${t('resources.kind')}</th><th scope="col">${t('resources.services')}</th><th scope="col">${t('resources.comuni')}</th><th scope="col">${t('resources.accreditedUntil')}</th><th scope="col">${t('staff.state')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
    <tbody id="resource-rows"><tr><td colspan="7">${t('common.loading')}</td></tr></tbody>
  </table></div>
</section>
<section class="card" aria-labelledby="res-form-h">
  <h2 id="res-form-h">${t('resources.newHeading')}</h2>
  <form id="resource-form" novalidate>
    ${f('kind', t('resources.kind'), (a) => html`<select id="${a.id}" name="kind" aria-describedby="${a.describedBy}">${RESOURCE_KINDS.map((k) => html`<option value="${k}">${t(`kind.${k}`)}</option>`)}</select>`)}
    ${f('name', t('resources.name'), (a) => html`<input id="${a.id}" name="name" maxlength="200" aria-describedby="${a.describedBy}">`)}
    ${f('services', t('resources.services'), (a) => html`<input id="${a.id}" name="services" maxlength="400" aria-describedby="${a.describedBy}">`, t('resources.servicesHint'))}
    ${checkboxes('rf', 'comuni', t('resources.comuniLegend'), comuni)}
    ${f('phone', t('resources.phone'), (a) => html`<input id="${a.id}" name="phone" maxlength="40" type="tel" aria-describedby="${a.describedBy}">`)}
    ${f('email', t('resources.email'), (a) => html`<input id="${a.id}" name="email" maxlength="200" type="email" aria-describedby="${a.describedBy}">`)}
    ${f('address', t('resources.address'), (a) => html`<input id="${a.id}" name="address" maxlength="300" aria-describedby="${a.describedBy}">`)}
    ${f('availability', t('resources.availability'), (a) => html`<input id="${a.id}" name="availability" maxlength="500" aria-describedby="${a.describedBy}">`, t('resources.availabilityHint'))}
    ${f('accreditedUntil', t('resources.accreditedUntil'), (a) => html`<input id="${a.id}" name="accreditedUntil" type="date" aria-describedby="${a.describedBy}">`)}
    <div class="row wrap">
      <button type="submit">${t('common.save')}</button>
      <button type="button" id="resource-cancel" class="secondary" hidden>${t('common.cancel')}</button>
    </div>
  </form>
</section>`, { comuni });
}

export function renderAdminComuni(i18n: I18n, locale: Locale, staff: StaffIdentity, comuni: readonly ComuneOption[]) {
  const t = adminTranslator(i18n, locale);
  const f = (name: string, label: string, control: Parameters<typeof field>[3], hint?: string) => field('cf', name, label, control, hint);
  const days = [1, 2, 3, 4, 5, 6, 7].map((d) =>
    f(`officeHours.${d}`, t(`comuni.day.${d}`), (a) => html`<input id="${a.id}" name="officeHours.${d}" maxlength="60" aria-describedby="${a.describedBy}">`),
  );
  return frame(i18n, locale, staff, 'admin-comuni', '/staff/admin/comuni', t('comuni.title'), html`<h1>${t('comuni.heading')}</h1>
<div class="field narrow">
  <label for="comune-select">${t('comuni.choose')}</label>
  <select id="comune-select">${comuni.map((c) => html`<option value="${c.id}">${c.name}</option>`)}</select>
</div>
${notice}
<section class="card" aria-labelledby="central-h">
  <h2 id="central-h">${i18n.t('alerts:settings.heading', { lng: locale })}</h2>
  <p>${i18n.t('alerts:settings.intro', { lng: locale })}</p>
  <form id="central-form" novalidate>
    ${field('ca', 'centralOnCallStaffId', i18n.t('alerts:settings.label', { lng: locale }), (a) => html`<select id="${a.id}" name="centralOnCallStaffId" aria-describedby="${a.describedBy}"></select>`, i18n.t('alerts:settings.hint', { lng: locale }))}
    <p id="central-state" class="status" role="status"></p>
    <button type="submit">${i18n.t('alerts:settings.save', { lng: locale })}</button>
  </form>
</section>
<section class="card" aria-labelledby="settings-h">
  <h2 id="settings-h">${t('comuni.settingsHeading')}</h2>
  <form id="settings-form" novalidate>
    ${f('patronDay', t('comuni.patronDay'), (a) => html`<input id="${a.id}" name="patronDay" maxlength="5" placeholder="06-29" aria-describedby="${a.describedBy}">`, t('comuni.patronDayHint'))}
    ${f('officeAddress', t('comuni.officeAddress'), (a) => html`<input id="${a.id}" name="officeAddress" maxlength="300" aria-describedby="${a.describedBy}">`)}
    <fieldset class="field" data-field="officeHours" aria-describedby="cf-officeHours-error">
      <legend>${t('comuni.officeHours')}</legend>
      <p class="hint">${t('comuni.officeHoursHint')}</p>
      <div class="days">${days}</div>
      <p id="cf-officeHours-error" class="error" data-for="officeHours" hidden></p>
    </fieldset>
    <fieldset class="field" data-field="feeTariff" aria-describedby="cf-feeTariff-error">
      <legend>${t('comuni.tariff')}</legend>
      <p class="hint">${t('comuni.tariffHint')}</p>
      <div id="bands"></div>
      <button type="button" id="band-add" class="secondary">${t('comuni.band.add')}</button>
      <p id="cf-feeTariff-error" class="error" data-for="feeTariff" hidden></p>
    </fieldset>
    ${f('onCallStaffId', t('comuni.onCall'), (a) => html`<select id="${a.id}" name="onCallStaffId" aria-describedby="${a.describedBy}"></select>`, t('comuni.onCallHint'))}
    ${f('extraServices', t('comuni.extraServices'), (a) => html`<textarea id="${a.id}" name="extraServices" rows="3" maxlength="4000" aria-describedby="${a.describedBy}"></textarea>`, t('comuni.extraServicesHint'))}
    ${f('volunteerVoucherServices', t('comuni.volunteer'), (a) => html`<input id="${a.id}" name="volunteerVoucherServices" maxlength="400" aria-describedby="${a.describedBy}">`, t('comuni.volunteerHint'))}
    <button type="submit">${t('common.save')}</button>
  </form>
</section>
<section class="card" aria-labelledby="canned-h">
  <h2 id="canned-h">${t('comuni.canned.heading')}</h2>
  <ul id="canned-list" class="canned"></ul>
  <form id="canned-form" novalidate>
    ${field('cr', 'title', t('comuni.canned.titleLabel'), (a) => html`<input id="${a.id}" name="title" maxlength="120" aria-describedby="${a.describedBy}">`)}
    ${field('cr', 'text', t('comuni.canned.textLabel'), (a) => html`<textarea id="${a.id}" name="text" rows="3" maxlength="4000" aria-describedby="${a.describedBy}"></textarea>`)}
    ${field('cr', 'comuneId', t('comuni.canned.scope'), (a) => html`<select id="${a.id}" name="comuneId" aria-describedby="${a.describedBy}"><option value="comune">${t('comuni.canned.thisComune')}</option><option value="">${t('comuni.canned.ambito')}</option></select>`)}
    <button type="submit" class="secondary">${t('comuni.canned.add')}</button>
  </form>
</section>`, { comuni });
}

export function renderAdminImport(i18n: I18n, locale: Locale, staff: StaffIdentity) {
  const t = adminTranslator(i18n, locale);
  return frame(i18n, locale, staff, 'admin-import', '/staff/admin/import', t('import.title'), html`<h1>${t('import.heading')}</h1>
<p>${t('import.intro')}</p>
${notice}
<section class="card" aria-labelledby="import-h">
  <h2 id="import-h">${t('import.step1')}</h2>
  <form id="import-form" novalidate>
    ${field('if', 'file', t('import.file'), (a) => html`<input id="${a.id}" name="file" type="file" accept=".csv,text/csv" aria-describedby="${a.describedBy}">`, t('import.fileHint'))}
    ${field('if', 'csv', t('import.paste'), (a) => html`<textarea id="${a.id}" name="csv" rows="6" maxlength="70000" aria-describedby="${a.describedBy}"></textarea>`)}
    <button type="submit">${t('import.check')}</button>
  </form>
</section>
<section class="card" id="import-result" hidden aria-labelledby="result-h">
  <h2 id="result-h">${t('import.step2')}</h2>
  <div class="table-wrap" role="region" tabindex="0" aria-labelledby="result-h"><table>
    <caption>${t('import.caption')}</caption>
    <thead><tr><th scope="col">${t('import.comune')}</th><th scope="col">${t('import.istatCode')}</th><th scope="col">${t('import.before')}</th><th scope="col">${t('import.after')}</th></tr></thead>
    <tbody id="import-rows"></tbody>
  </table></div>
  <p id="import-unknown"></p>
  <p id="import-missing"></p>
  <button type="button" id="import-commit">${t('import.confirm')}</button>
</section>`);
}

export function renderAdminBudget(i18n: I18n, locale: Locale, staff: StaffIdentity, year: number) {
  const t = adminTranslator(i18n, locale);
  const f = (name: string, label: string, control: Parameters<typeof field>[3], hint?: string) => field('bf', name, label, control, hint);
  const sharesTable = (id: string, caption: string, cols: string[]) => html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="${id}-caption"><table>
    <caption id="${id}-caption">${caption}</caption>
    <thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody id="${id}"></tbody>
  </table></div>`;
  return frame(i18n, locale, staff, 'admin-budget', '/staff/admin/budget', t('budget.title'), html`<h1>${t('budget.heading')}</h1>
<p>${t('budget.intro')}</p>
${notice}
<section class="card" aria-labelledby="budget-h">
  <h2 id="budget-h">${t('budget.formHeading')}</h2>
  <form id="budget-form" novalidate>
    ${f('year', t('budget.year'), (a) => html`<input id="${a.id}" name="year" type="number" min="2000" max="2100" value="${year}" aria-describedby="${a.describedBy}">`)}
    ${f('totalHours', t('budget.totalHours'), (a) => html`<input id="${a.id}" name="totalHours" type="number" min="0" step="1" aria-describedby="${a.describedBy}">`)}
    ${f('weeks', t('budget.weeks'), (a) => html`<input id="${a.id}" name="weeks" type="number" min="1" max="53" step="1" value="52" aria-describedby="${a.describedBy}">`, t('budget.weeksHint'))}
    <div class="row wrap">
      <button type="submit" class="secondary">${t('budget.preview')}</button>
      <button type="button" id="budget-save" hidden>${t('budget.save')}</button>
    </div>
  </form>
  <p id="budget-state" class="status"></p>
  <div id="budget-preview" hidden>
    ${sharesTable('preview-rows', t('budget.previewCaption'), [t('import.comune'), t('budget.over65'), t('budget.hours')])}
  </div>
</section>
<section class="card" aria-labelledby="redis-h">
  <h2 id="redis-h">${t('budget.redistributionHeading')}</h2>
  <p class="hint">${t('budget.redistributionHint')}</p>
  <div class="row wrap">
    <button type="button" id="redis-preview" class="secondary">${t('budget.redistributionPreview')}</button>
    <button type="button" id="redis-save" hidden>${t('budget.redistributionSave')}</button>
  </div>
  <div id="redis-result" hidden>
    <p id="redis-summary"></p>
    ${sharesTable('redis-rows', t('budget.redistributionCaption'), [t('import.comune'), t('budget.allocated'), t('budget.used'), t('budget.need'), t('budget.unspent'), t('budget.received'), t('budget.final')])}
  </div>
</section>`, { year });
}
