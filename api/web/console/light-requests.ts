/**
 * The light on-demand requests page (issue #9): accompaniment, shopping, errands and company that
 * volunteer associations and occasional helpers take. A volunteer account takes an open request,
 * sees whom to help, confirms the day and time, or gives it back; staff assign requests to a
 * resource and follow them. A shell: /static/console-light.js fills it from /api/v1/light-requests
 * (text placed with textContent). Sentences come from the `consoleLight` namespace.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import type { StaffIdentity } from '../../../db/staff.ts';
import type { Locale } from '../../../locales/index.ts';
import { clientKeysUnder, layout } from './pages.ts';

export interface LightPageData {
  comuneNames: Record<string, string>;
  /** Provider accounts: the active volunteer associations / helpers they act for (empty for staff). */
  resources: readonly { id: string; name: string }[];
}

export function renderLightRequests(i18n: I18n, locale: Locale, staff: StaffIdentity, p: LightPageData) {
  const t = (key: string) => i18n.t(`consoleLight:${key}`, { lng: locale });
  const volunteer = staff.role === 'provider';
  return layout({
    i18n,
    locale,
    page: 'light-requests',
    title: t('title'),
    staff,
    path: '/staff/light-requests',
    data: { light: p },
    clientKeys: clientKeysUnder(i18n, 'consoleLight', 'js'),
    scripts: ['/static/console-light.js'],
    styles: ['/static/console-light.css'],
    body: html`<h1>${t('title')}</h1>
<p>${t(volunteer ? 'intro' : 'introStaff')}</p>
${volunteer && p.resources.length === 0 ? html`<p class="card light-note">${t('noResource')}</p>` : ''}
<div class="row wrap">
  <button type="button" id="light-refresh" class="secondary">${t('refresh')}</button>
  <p id="light-notice" class="status light-notice" role="status" tabindex="-1"></p>
</div>
<section class="card" aria-labelledby="light-open-h">
  <h2 id="light-open-h">${t('open')}</h2>
  <ul id="light-open" class="light-list" aria-busy="true"><li class="empty">${t('loading')}</li></ul>
</section>
<section class="card" aria-labelledby="light-mine-h">
  <h2 id="light-mine-h">${t(volunteer ? 'mine' : 'assigned')}</h2>
  <ul id="light-mine" class="light-list" aria-busy="true"><li class="empty">${t('loading')}</li></ul>
</section>
<dialog id="light-confirm" class="light-confirm" aria-labelledby="light-confirm-h" aria-describedby="light-confirm-text">
  <h2 id="light-confirm-h">${t('confirm.title')}</h2>
  <p id="light-confirm-text"></p>
  <div class="row wrap">
    <button type="button" id="light-confirm-yes">${t(volunteer ? 'confirm.yes' : 'confirm.yesStaff')}</button>
    <button type="button" id="light-confirm-no" class="secondary" autofocus>${t('confirm.no')}</button>
  </div>
</dialog>`,
  });
}
