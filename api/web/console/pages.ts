/**
 * The staff console's pages (issue #7), server-rendered with hono/html: every interpolated value
 * is escaped by the `html` tag, every sentence comes from the `console` i18next namespace.
 * Pages are shells: /static/console.js fills them from the JSON API (text placed with
 * textContent, never innerHTML) and keeps them live over server-sent events.
 */
import type { i18n as I18n } from 'i18next';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Locale } from '../../../locales/index.ts';
import type { StaffIdentity } from '../../../db/staff.ts';

/** Strings console.js needs, sent once per page as JSON. */
const CLIENT_KEYS = [
  'inbox.empty', 'inbox.urgent', 'inbox.live', 'inbox.offline', 'inbox.open', 'inbox.assignedTo', 'inbox.unassignedLabel', 'inbox.due', 'inbox.overdue',
  'inbox.answered', 'inbox.noComune', 'inbox.handedOver', 'inbox.noPreview', 'inbox.target',
  'channel.web', 'channel.telegram', 'channel.sms',
  'author.person', 'author.bot', 'author.staff', 'author.system',
  'status.waiting', 'status.human', 'status.bot', 'status.closed',
  'conversation.notFound', 'conversation.sent', 'conversation.done', 'conversation.failed', 'conversation.required', 'conversation.noNotes', 'conversation.cannedNone', 'conversation.started',
  'login.failed', 'login.error',
] as const;

/** JSON safe inside a <script type="application/json"> element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** A page's name: its <body data-page>, and which navigation entry is current. */
export type PageName = string;

export interface Layout {
  i18n: I18n;
  locale: Locale;
  page: PageName;
  title: string;
  staff?: StaffIdentity;
  /** The current path (without ?lang), for the language switch. */
  path: string;
  data?: Record<string, unknown>;
  /** Extra client strings: i18next keys with their namespace (namespace:key), sent as `strings`. */
  clientKeys?: readonly string[];
  /** Extra scripts of this page, served from api/web/static (e.g. '/static/console-cases.js'). */
  scripts?: readonly string[];
  /** Extra stylesheets of this page, served from api/web/static. */
  styles?: readonly string[];
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
}

type Role = StaffIdentity['role'];
/**
 * Every console area with the roles that may use it (the API enforces the same rules; this only
 * keeps the menu honest). `match` lists the page names that light the entry up.
 */
export const NAV: readonly { page: PageName; href: string; label: string; roles: readonly Role[]; match?: readonly PageName[] }[] = [
  { page: 'dashboard', href: '/staff/dashboard', label: 'nav.dashboard', roles: ['admin', 'social_worker'] },
  { page: 'inbox', href: '/staff/inbox', label: 'nav.inbox', roles: ['admin', 'social_worker', 'operator'], match: ['conversation'] },
  { page: 'segnalazioni', href: '/staff/segnalazioni', label: 'nav.segnalazioni', roles: ['admin', 'social_worker', 'operator'], match: ['segnalazione'] },
  { page: 'requests', href: '/staff/requests', label: 'nav.requests', roles: ['admin', 'social_worker', 'operator'], match: ['request'] },
  { page: 'applications', href: '/staff/applications', label: 'nav.applications', roles: ['admin', 'social_worker'], match: ['application', 'assessment', 'waiting-list'] },
  { page: 'people', href: '/staff/people', label: 'nav.people', roles: ['admin', 'social_worker', 'operator'], match: ['person'] },
  { page: 'programmes', href: '/staff/programmes', label: 'nav.programmes', roles: ['admin', 'social_worker'], match: ['programme', 'programme-new'] },
  { page: 'checkins', href: '/staff/checkins', label: 'nav.checkins', roles: ['admin', 'social_worker', 'operator'] },
  { page: 'provider', href: '/staff/provider', label: 'nav.provider', roles: ['provider'], match: ['provider-statement'] },
  // After the provider's calendar: /staff sends a provider to the first entry, and cooperatives work there.
  { page: 'light-requests', href: '/staff/light-requests', label: 'nav.lightRequests', roles: ['admin', 'social_worker', 'operator', 'provider'] },
  { page: 'admin', href: '/staff/admin', label: 'nav.admin', roles: ['admin'], match: ['admin-staff', 'admin-resources', 'admin-comuni', 'admin-import', 'admin-budget'] },
];

/** Every string key under `ns:section` (nested keys flattened), for a page script's `clientKeys`. */
export function clientKeysUnder(i18n: I18n, ns: string, section: string): string[] {
  const keys: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === 'string') keys.push(prefix);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, `${prefix}.${k}`);
  };
  walk((i18n.getResourceBundle('it', ns) as Record<string, unknown> | undefined)?.[section], `${ns}:${section}`);
  return keys;
}

export function translator(i18n: I18n, locale: Locale) {
  return (key: string, params: Record<string, string | number> = {}) => i18n.t(`console:${key}`, { ...params, lng: locale });
}

/** Navigation: only what the role may use. */
function nav(t: ReturnType<typeof translator>, staff: StaffIdentity, current: PageName, locale: Locale) {
  const items = NAV.filter((n) => n.roles.includes(staff.role)).map((n) => ({
    href: `${n.href}?lang=${locale}`,
    label: t(n.label),
    current: n.page === current || (n.match ?? []).includes(current),
  }));
  if (staff.role === 'admin') items.push({ href: '/docs', label: t('nav.docs'), current: false });
  return html`<nav aria-label="${t('nav.label')}" class="nav">
  <ul>
    ${items.map((i) => html`<li><a href="${i.href}"${i.current ? raw(' aria-current="page"') : ''}>${i.label}</a></li>`)}
  </ul>
  <p class="who">${t('nav.signedInAs', { name: staff.displayName })} · ${t(`role.${staff.role}`)}</p>
  <button type="button" id="logout" class="secondary">${t('nav.logout')}</button>
</nav>`;
}

/** The page frame every console page shares: head, skip link, menu, language switch, client data. */
export function layout(l: Layout) {
  const t = translator(l.i18n, l.locale);
  const strings: Record<string, string> = Object.fromEntries(CLIENT_KEYS.map((k) => [k, l.i18n.t(`console:${k}`, { lng: l.locale })]));
  for (const k of l.clientKeys ?? []) strings[k] = l.i18n.t(k, { lng: l.locale });
  const other = l.locale === 'it' ? 'en' : 'it';
  return html`<!doctype html>
<html lang="${l.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('title', { page: l.title })}</title>
<link rel="stylesheet" href="/static/console.css">
${(l.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}">`)}
</head>
<body data-page="${l.page}">
<a class="skip" href="#main">${t('skip')}</a>
<header class="top">
  <p class="brand">${t('brand')}</p>
  ${l.staff ? nav(t, l.staff, l.page, l.locale) : ''}
  <a class="lang" href="${l.path}${l.path.includes('?') ? '&' : '?'}lang=${other}" hreflang="${other}" lang="${other}">${t('nav.language')}</a>
</header>
<main id="main" tabindex="-1">
${l.body}
</main>
<script type="application/json" id="console-data">${raw(jsonForScript({ locale: l.locale, page: l.page, strings, staff: l.staff ? { id: l.staff.id, role: l.staff.role } : null, ...l.data }))}</script>
<script src="/static/console.js" defer></script>
${(l.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</body>
</html>`;
}

export function renderLogin(i18n: I18n, locale: Locale, next: string) {
  const t = translator(i18n, locale);
  return layout({
    i18n, locale, page: 'login', title: t('login.title'), path: '/staff/login', data: { next },
    body: html`<h1>${t('login.heading')}</h1>
<p>${t('login.intro')}</p>
<form id="login" class="card narrow" method="post" action="/staff/login" novalidate>
  <p id="login-error" class="error" role="alert" hidden></p>
  <div class="field">
    <label for="username">${t('login.username')}</label>
    <input id="username" name="username" autocomplete="username" maxlength="100" required>
  </div>
  <div class="field">
    <label for="password">${t('login.password')}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" maxlength="200" required>
  </div>
  <button type="submit">${t('login.submit')}</button>
</form>`,
  });
}

/** Comune id → name, for pages that show a conversation's comune. */
export type ComuneNames = Record<string, string>;

export function renderInbox(i18n: I18n, locale: Locale, staff: StaffIdentity, view: 'unassigned' | 'mine' | 'all', comuneNames: ComuneNames = {}, banner: HtmlEscapedString | Promise<HtmlEscapedString> | '' = '') {
  const t = translator(i18n, locale);
  const tabs = (['unassigned', 'mine', 'all'] as const).map(
    (v) => html`<li><a href="/staff/inbox?view=${v}&amp;lang=${locale}" data-view="${v}"${v === view ? raw(' aria-current="page"') : ''}>${t(`inbox.${v}`)} <span class="count" data-count="${v}"></span></a></li>`,
  );
  return layout({
    i18n, locale, page: 'inbox', title: t('inbox.title'), staff, path: `/staff/inbox?view=${view}`, data: { view, comuneNames },
    body: html`${banner}<h1>${t('inbox.heading')}</h1>
<nav aria-label="${t('inbox.tabs')}" class="tabs"><ul>${tabs}</ul></nav>
<p id="live" class="status" role="status">${t('inbox.loading')}</p>
<ul id="conversations" class="conversations" aria-live="polite"></ul>`,
  });
}

export function renderConversation(i18n: I18n, locale: Locale, staff: StaffIdentity, conversationId: string, comuneNames: ComuneNames = {}) {
  const t = translator(i18n, locale);
  return layout({
    i18n, locale, page: 'conversation', title: t('conversation.title'), staff, path: `/staff/conversations/${conversationId}`, data: { conversationId, comuneNames },
    body: html`<p><a href="/staff/inbox?lang=${locale}">← ${t('conversation.back')}</a></p>
<h1>${t('conversation.heading')}</h1>
<p id="notice" class="status" role="status"></p>
<div id="conversation" class="conversation" hidden>
  <section aria-labelledby="details-h" class="card">
    <h2 id="details-h">${t('conversation.details')}</h2>
    <dl class="details">
      <div><dt>${t('conversation.channelLabel')}</dt><dd id="d-channel"></dd></div>
      <div><dt>${t('conversation.comuneLabel')}</dt><dd id="d-comune"></dd></div>
      <div><dt>${t('conversation.statusLabel')}</dt><dd id="d-status"></dd></div>
      <div><dt>${t('conversation.assigneeLabel')}</dt><dd id="d-assignee"></dd></div>
      <div><dt>${t('conversation.timerLabel')}</dt><dd id="d-timer"></dd></div>
    </dl>
  </section>
  <section aria-labelledby="transcript-h" class="card">
    <h2 id="transcript-h">${t('conversation.transcript')}</h2>
    <ol id="messages" class="messages" tabindex="0" aria-labelledby="transcript-h" aria-live="polite" aria-relevant="additions"></ol>
  </section>
  <section aria-labelledby="reply-h" class="card">
    <h2 id="reply-h">${t('conversation.reply')}</h2>
    <form id="reply" novalidate>
      <div class="field">
        <label for="canned">${t('conversation.canned')}</label>
        <div class="row">
          <select id="canned"></select>
          <button type="button" id="canned-insert" class="secondary">${t('conversation.insert')}</button>
        </div>
      </div>
      <div class="field">
        <label for="reply-text">${t('conversation.reply')}</label>
        <p id="reply-hint" class="hint">${t('conversation.replyHint')}</p>
        <textarea id="reply-text" name="text" rows="4" maxlength="4000" aria-describedby="reply-hint reply-error"></textarea>
        <p id="reply-error" class="error" hidden></p>
      </div>
      <button type="submit">${t('conversation.send')}</button>
    </form>
  </section>
  <section aria-labelledby="actions-h" class="card">
    <h2 id="actions-h">${t('conversation.actions')}</h2>
    <div class="row wrap">
      <button type="button" id="assign-self">${t('conversation.assignSelf')}</button>
      <button type="button" id="resolve" class="secondary">${t('conversation.resolve')}</button>
      <button type="button" id="hand-back" class="secondary">${t('conversation.handBack')}</button>
    </div>
    <form id="assign" class="row wrap">
      <label for="assignee">${t('conversation.assignTo')}</label>
      <select id="assignee"></select>
      <button type="submit" class="secondary">${t('conversation.assign')}</button>
    </form>
  </section>
  <section aria-labelledby="notes-h" class="card notes">
    <h2 id="notes-h">${t('conversation.notes')}</h2>
    <p class="hint">${t('conversation.notesHint')}</p>
    <ul id="notes"></ul>
    <form id="note" novalidate>
      <div class="field">
        <label for="note-text">${t('conversation.noteLabel')}</label>
        <textarea id="note-text" rows="2" maxlength="4000" aria-describedby="note-error"></textarea>
        <p id="note-error" class="error" hidden></p>
      </div>
      <button type="submit" class="secondary">${t('conversation.addNote')}</button>
    </form>
  </section>
</div>`,
  });
}

export function renderForbidden(i18n: I18n, locale: Locale, staff: StaffIdentity) {
  const t = translator(i18n, locale);
  return layout({
    i18n, locale, page: 'forbidden', title: t('forbidden.title'), staff, path: '/staff',
    body: html`<h1>${t('forbidden.title')}</h1><p>${t('forbidden.body')}</p>`,
  });
}
