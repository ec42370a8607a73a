/**
 * The care contract of a programme (art. 10–11, 14) as a printable A4 document, like the art. 4
 * written answer: parties, services, hours, period, co-payment tariff, how vouchers are redeemed,
 * signatures. Sentences from the `consolePeople` namespace; every value escaped by hono/html.
 */
import type { i18n as I18n } from 'i18next';
import { html } from 'hono/html';
import { DateTime } from 'luxon';
import { ROME_ZONE } from '../../../core/regulation/calendar.ts';
import type { CareContractData } from '../../../db/console-people.ts';
import type { Locale } from '../../../locales/index.ts';
import { peopleTranslator } from './people.ts';

function longDate(iso: string, locale: Locale): string {
  return DateTime.fromISO(iso, { zone: ROME_ZONE }).setLocale(locale === 'en' ? 'en-GB' : 'it-IT').toFormat('d LLLL yyyy');
}

function euro(cents: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'it-IT', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

export function renderCareContract(i18n: I18n, locale: Locale, d: CareContractData, today: string) {
  const t = peopleTranslator(i18n, locale);
  const p = d.programme;
  const name = [d.person.givenName, d.person.familyName].filter(Boolean).join(' ');
  const bands = d.tariffBands;
  // The band that applies to this household, when its ISEE is known (art. 14).
  const applicable = bands && d.iseeCents !== null ? bands.find((b) => b.upToIseeCents === null || d.iseeCents! <= b.upToIseeCents) : undefined;
  let lower = 0;
  const tariffRows = (bands ?? []).map((b) => {
    const from = lower;
    lower = b.upToIseeCents === null ? lower : b.upToIseeCents + 1;
    const range = b.upToIseeCents === null ? t('contract.bandFrom', { from: euro(from, locale) }) : t('contract.bandRange', { from: euro(from, locale), to: euro(b.upToIseeCents, locale) });
    return html`<tr${b === applicable ? html` class="applies"` : ''}><th scope="row">${range}</th><td>${b.centsPerHour === 0 ? t('contract.exempt') : euro(b.centsPerHour, locale)}</td></tr>`;
  });
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('contract.title')} — ${name}</title>
<link rel="stylesheet" href="/static/care-contract.css">
</head>
<body>
<article class="contract">
  <header>
    <p class="comune">${t('contract.sender', { comune: d.comune.name })}</p>
    ${d.comune.officeAddress ? html`<p>${d.comune.officeAddress}</p>` : ''}
    <p class="reference">${t('contract.reference', { reference: p.id, period: p.period })}</p>
  </header>
  <h1>${t('contract.heading')}</h1>
  <h2>${t('contract.parties')}</h2>
  <ol class="parties">
    <li>${t('contract.partyComune', { comune: d.comune.name })}</li>
    <li>${t('contract.partyPerson', { name })}${d.person.birthDate ? ` ${t('contract.bornOn', { date: longDate(d.person.birthDate, locale) })}` : ''}${d.person.codiceFiscale ? ` — ${t('contract.cf', { cf: d.person.codiceFiscale })}` : ''}${d.person.address ? ` — ${d.person.address}` : ''}</li>
    <li>${d.resource ? t('contract.partyProvider', { provider: d.resource.name }) : t('contract.noProvider')}</li>
  </ol>
  <h2>${t('contract.servicesHeading')}</h2>
  <ul>${p.services.map((code) => html`<li>${code} — ${i18n.t(`services:${code.toUpperCase()}`, { lng: locale, defaultValue: code })}</li>`)}</ul>
  <h2>${t('contract.hoursHeading')}</h2>
  <p>${t('contract.hours', { hours: p.weeklyHours, visits: p.visitsPerWeek, operators: p.operators })}</p>
  <p>${t('contract.period', { start: longDate(p.periodStart, locale), end: longDate(p.periodEnd, locale) })}</p>
  <h2>${t('contract.feesHeading')}</h2>
  ${bands
    ? html`<table class="tariff">
    <caption>${t('contract.tariffCaption', { comune: d.comune.name })}</caption>
    <thead><tr><th scope="col">${t('contract.isee')}</th><th scope="col">${t('contract.perHour')}</th></tr></thead>
    <tbody>${tariffRows}</tbody>
  </table>
  <p>${applicable ? t('contract.applicable', { fee: applicable.centsPerHour === 0 ? t('contract.exempt') : euro(applicable.centsPerHour, locale) }) : t('contract.iseeMissing')}</p>`
    : html`<p>${t('contract.noTariff')}</p>`}
  <p>${t('contract.feesRules')}</p>
  <h2>${t('contract.redemptionHeading')}</h2>
  <ul>
    <li>${t('contract.rule1')}</li>
    <li>${t('contract.rule2')}</li>
    <li>${t('contract.rule3')}</li>
    <li>${t('contract.rule4')}</li>
  </ul>
  <p class="place-date">${t('contract.placeDate', { comune: d.comune.name, date: longDate(today, locale) })}</p>
  <div class="signatures">
    <p>${t('contract.signPerson')}<span class="line"></span></p>
    <p>${t('contract.signComune')}<span class="line"></span></p>
    <p>${t('contract.signProvider')}<span class="line"></span></p>
  </div>
</article>
</body>
</html>`;
}
