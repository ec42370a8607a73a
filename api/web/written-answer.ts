/**
 * The art. 4 written answer as a printable HTML document (A4, print stylesheet
 * /static/written-answer.css). Every sentence comes from the `applications` namespace; every
 * value (names, addresses, the comune) is escaped by hono/html's template.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import type { WrittenAnswer } from '../../core/applications/written-answer.ts';
import type { MessageRef } from '../../core/errors.ts';
import { render, type Locale } from '../../locales/index.ts';

export interface WrittenAnswerPage {
  answer: WrittenAnswer;
  locale: Locale;
  /** Already formatted for the letter ("15 marzo 2026"). */
  issuedOn: string;
  comuneName: string;
  officeAddress: string | null;
  recipient: { name: string; address: string | null };
  /** Protocol-like reference shown on the letter: the application id. */
  reference: string;
}

export function renderWrittenAnswer(i18n: I18n, page: WrittenAnswerPage) {
  const t = (ref: MessageRef) => render(i18n, ref, page.locale);
  const l = (key: string, params?: MessageRef['params']) => t(params ? { key: `applications:${key}`, params } : { key: `applications:${key}` });
  const { answer } = page;
  const scoreTable = answer.scoreRows.length
    ? html`<table class="score">
  <caption>${l('answer.scoreCaption')}</caption>
  <thead><tr><th scope="col">${l('answer.criterion')}</th><th scope="col">${l('answer.points')}</th><th scope="col">${l('answer.maximum')}</th></tr></thead>
  <tbody>
${answer.scoreRows.map((r) => html`    <tr><th scope="row">${t(r.label)}</th><td>${r.points}</td><td>${r.max}</td></tr>\n`)}
  </tbody>
  <tfoot><tr><th scope="row">${l('answer.total')}</th><td>${answer.total ?? ''}</td><td>100</td></tr></tfoot>
</table>`
    : '';
  return html`<!doctype html>
<html lang="${page.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(answer.title)} — ${page.comuneName}</title>
<link rel="stylesheet" href="/static/written-answer.css">
</head>
<body>
<article class="letter" data-outcome="${answer.outcome}">
  <header class="sender">
    <p class="comune">${l('answer.sender', { comune: page.comuneName })}</p>
    <p>${l('answer.service')}</p>
    ${page.officeAddress ? html`<p>${page.officeAddress}</p>` : ''}
  </header>
  <address class="recipient">
    <span class="name">${page.recipient.name}</span>
    ${page.recipient.address ? html`<br><span>${page.recipient.address}</span>` : ''}
  </address>
  <p class="place-date">${l('answer.placeDate', { comune: page.comuneName, date: page.issuedOn })}</p>
  <p class="reference">${l('answer.reference', { reference: page.reference })}</p>
  <h1>${t(answer.subject)}</h1>
  <p>${l('answer.salutation', { name: page.recipient.name })}</p>
  <p>${t(answer.intro)}</p>
${answer.paragraphs.map((p) => html`  <p class="outcome">${t(p)}</p>\n`)}
  ${scoreTable}
${answer.closing.map((p) => html`  <p>${t(p)}</p>\n`)}
  <p class="regards">${l('answer.regards')}</p>
  <p class="signature">${t(answer.signature)}</p>
</article>
</body>
</html>`;
}
