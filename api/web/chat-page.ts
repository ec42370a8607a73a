/** The citizen's web chat page at "/" (Italian by default, "/?lang=en" in English). */
import type { i18n as I18n } from 'i18next';
import { html, raw } from 'hono/html';
import type { Locale } from '../../locales/index.ts';

const CLIENT_STRINGS = ['you', 'centrale', 'operator', 'connecting', 'offline', 'sendFailed', 'choices'] as const;

/** JSON safe to place inside a <script type="application/json"> element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function renderChatPage(i18n: I18n, locale: Locale) {
  const t = (key: string) => i18n.t(`web:${key}`, { lng: locale });
  const strings = Object.fromEntries(CLIENT_STRINGS.map((k) => [k, t(k)]));
  const other = locale === 'it' ? 'en' : 'it';
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('title')}</title>
<link rel="stylesheet" href="/static/chat.css">
</head>
<body>
<header>
  <h1>${t('heading')}</h1>
  <p>${t('intro')}</p>
  <p class="emergency" role="note"><strong>${t('emergency')}</strong></p>
  <nav><a href="/?lang=${other}" hreflang="${other}" lang="${other}">${t('languageSwitch')}</a></nav>
</header>
<main>
  <section aria-label="${t('conversationLabel')}">
    <ol id="messages" class="messages" aria-live="polite" aria-relevant="additions"></ol>
    <p id="status" class="status" role="status">${t('connecting')}</p>
  </section>
  <form id="composer" class="composer" autocomplete="off">
    <label for="text">${t('inputLabel')}</label>
    <div class="row">
      <textarea id="text" name="text" rows="2" maxlength="10000" placeholder="${t('placeholder')}" required></textarea>
      <button type="submit">${t('send')}</button>
    </div>
  </form>
  <p class="privacy">${t('privacyShort')}</p>
  <button type="button" id="restart" class="link">${t('newConversation')}</button>
</main>
<script type="application/json" id="strings">${raw(jsonForScript({ locale, strings }))}</script>
<script src="/static/chat.js" defer></script>
</body>
</html>`;
}
