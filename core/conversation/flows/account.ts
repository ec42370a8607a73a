/**
 * Flows about the person's own file, only for a linked identity: linking by the staff-issued
 * one-time code, voucher hours (≤ 2 turns once linked), my application (status, waiting-list
 * place, written answer; update contacts or report a changed situation → access record change).
 */
import { DateTime } from 'luxon';
import { ROME_ZONE } from '../../regulation/calendar.ts';
import { computeIstruttoriaDueDate } from '../../regulation/istruttoria.ts';
import type { LinkedPerson } from '../context.ts';
import {
  ask,
  dataOf,
  formatDate,
  formatDay,
  formatDayTime,
  intentOnly,
  offerHandover,
  personChoices,
  pickPerson,
  plain,
  readYesNo,
  ref,
  say,
  toMenu,
  type FlowCtx,
  type FlowInput,
} from '../kit.ts';
import type { EngineState, FlowName, FlowValue, OutMessage, TurnContext, TurnResult, Understood } from '../types.ts';

/** Link codes: 8 characters of an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B). */
export const LINK_CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY3479';
export const LINK_CODE_LENGTH = 8;

/** The code as typed ("abcd-efgh", "ABCD EFGH") in its canonical form, or undefined if it cannot be one. */
export function normaliseLinkCode(text: string): string | undefined {
  const compact = text.replace(/^\s*(il\s+)?(mio\s+)?(codice|code)\s*(e|è|is|:)?\s*/i, '').replace(/[\s.-]/g, '').toUpperCase();
  if (compact.length !== LINK_CODE_LENGTH) return undefined;
  for (const ch of compact) if (!LINK_CODE_ALPHABET.includes(ch)) return undefined;
  return compact;
}

/** Looks like a code typed on its own, at the menu ("ACDE-FGHJ"). */
export function looksLikeLinkCode(text: string): boolean {
  const t = text.trim();
  if (normaliseLinkCode(t) === undefined || !/^[a-z0-9]{4}[\s-]?[a-z0-9]{4}$/i.test(t)) return false;
  // A plain eight-letter word is a word: a code is split in two, written in capitals, or has a digit.
  return /[\s-]/.test(t) || /\d/.test(t) || t === t.toUpperCase();
}

type AccountFlow = 'balance' | 'application' | 'suspend' | 'questionnaire';

/** Before any personal data: ask for the code. `after` is the flow the person wanted. */
export function startLink(state: EngineState, understood: Understood, after: FlowName | 'menu', preface: OutMessage[] = [], why = 'chat:link.why'): TurnResult {
  return ask(state, { name: 'link', step: 'code', data: { after } }, understood, ref('chat:link.ask'), [
    { action: 'no_code', label: ref('chat:link.noCode') },
    { action: 'menu', label: ref('chat:common.backToMenu') },
  ], [say(why), ...preface]);
}

/** After a code is accepted, with the context of the linked chat: the answer to what was asked before, if any. */
export type ResumeAfterLink = (state: EngineState, linked: TurnContext) => TurnResult | undefined;

/** Tries a code: the db layer checks it (hash, expiry, single use, attempt limits) and reports back. */
export function tryLinkCode(state: EngineState, ctx: TurnContext, code: string, understood: Understood, resume?: ResumeAfterLink): TurnResult {
  return {
    state,
    replies: [],
    understood,
    effects: [{ kind: 'link_identity', code }],
    finish: (results) => {
      const outcome = results.link?.outcome ?? 'wrong';
      if (outcome === 'ok') {
        const linked = results.link?.context ? { ...ctx, data: results.link.context } : undefined;
        const resumed = linked && resume?.(state, linked);
        if (resumed) return { replies: [say('chat:link.ok'), ...resumed.replies], state: resumed.state, effects: resumed.effects };
        return toMenu(state, linked ?? ctx, [say('chat:link.ok')], understood);
      }
      if (outcome === 'wrong') {
        return ask(state, { name: 'link', step: 'code', data: state.flow?.data ?? { after: 'menu' } }, understood, ref('chat:link.ask'), [
          { action: 'no_code', label: ref('chat:link.noCode') },
          { action: 'menu', label: ref('chat:common.backToMenu') },
        ], [say('chat:link.wrong')]);
      }
      return toMenu(state, ctx, [say(outcome === 'expired' ? 'chat:link.expired' : 'chat:link.limited')], understood);
    },
  };
}

export function linkStep(fc: FlowCtx, input: FlowInput, resume?: ResumeAfterLink): TurnResult | undefined {
  const understood = intentOnly('unknown');
  if (input.kind === 'option') {
    if (input.action === 'no_code') return offerHandover(fc.state, understood, 'chat:offer.linkCode');
    return toMenu(fc.state, fc.ctx, [], understood);
  }
  const code = normaliseLinkCode(input.text);
  if (code) return tryLinkCode(fc.state, fc.ctx, code, understood, resume);
  // No code: the person gets it from an operator, who can be asked right now.
  if (/\b(non ho|nn ho|senza|don t have|dont have|no code)\b/.test(plain(input.text))) return offerHandover(fc.state, understood, 'chat:offer.linkCode');
  return undefined;
}

/** Starts a flow that needs a linked identity and a chosen person; calls `answer` once both are known. */
export function withPerson(
  state: EngineState,
  ctx: TurnContext,
  understood: Understood,
  name: AccountFlow,
  answer: (state: EngineState, person: LinkedPerson) => TurnResult,
  preface: OutMessage[] = [],
  /** Kept in the "per chi?" step, for the answer once the person is chosen. */
  flowData: Record<string, FlowValue> = {},
): TurnResult {
  const data = dataOf(ctx);
  if (!data.linked) return startLink(state, understood, name, preface);
  if (data.people.length === 0) return toMenu(state, ctx, [...preface, say('chat:account.nobody')], understood);
  if (data.people.length === 1) return answer(state, data.people[0]!);
  return ask(state, { name, step: 'who', data: flowData }, understood, ref('chat:who.ask'), personChoices(data.people), preface);
}

/** The person a flow is about (kept by id between turns). */
export function personOf(fc: FlowCtx): LinkedPerson | undefined {
  const id = fc.flow.data.personId;
  return fc.data.people.find((p) => p.personId === id);
}

export function chosenPerson(fc: FlowCtx, input: FlowInput): LinkedPerson | undefined {
  const i = pickPerson(fc.data.people, input);
  return i === undefined ? undefined : fc.data.people[i];
}

// ─── Voucher hours ───

/** The voucher hours and the next visit; `visitOnly` ("quando viene l'operatrice?"): the next visit alone. */
export function startBalance(state: EngineState, ctx: TurnContext, understood: Understood, visitOnly = false, day?: string): TurnResult {
  return withPerson(state, ctx, understood, 'balance', (s, p) => answerBalance(s, ctx, p, understood, visitOnly, day), [], {
    ...(visitOnly ? { visitOnly } : {}),
    ...(day ? { day } : {}),
  });
}

/** How many upcoming visits the chat context holds (db/chat-data.ts): beyond the last of a full list, a day is not known. */
const UPCOMING_LOADED = 3;

/**
 * "Viene mercoledì?": yes with the time, or no — said only when the visits loaded reach that day
 * (or are all there are); otherwise nothing, and the next visit answers.
 */
function visitOnDay(p: NonNullable<LinkedPerson['programme']>, day: string, ctx: TurnContext, name: { name: string } | undefined): OutMessage | undefined {
  const visits = p.upcomingVisits;
  const dayOf = (iso: string) => DateTime.fromISO(iso, { zone: ROME_ZONE }).toISODate() ?? '';
  const onDay = visits.find((v) => dayOf(v.startsAt) === day);
  const dayText = formatDay(day, ctx.locale);
  if (onDay) {
    const time = DateTime.fromISO(onDay.startsAt, { zone: ROME_ZONE }).toFormat('HH:mm');
    const key = onDay.hours === 1 ? (name ? 'chat:balance.visitOnDayOtherOne' : 'chat:balance.visitOnDayOne') : name ? 'chat:balance.visitOnDayOther' : 'chat:balance.visitOnDay';
    return say(key, { ...name, day: dayText, time, hours: onDay.hours });
  }
  const known = visits.length < UPCOMING_LOADED || day <= dayOf(visits.at(-1)!.startsAt);
  if (!known || p.status === 'suspended') return undefined;
  return say(name ? 'chat:balance.noVisitOnDayOther' : 'chat:balance.noVisitOnDay', { ...name, day: dayText });
}

function answerBalance(state: EngineState, ctx: TurnContext, person: LinkedPerson, understood: Understood, visitOnly = false, day?: string): TurnResult {
  const p = person.programme;
  // About someone else, every sentence that would not otherwise say whom it is about names them.
  const name = person.self ? undefined : { name: person.givenName };
  if (!p || p.status === 'interrupted') return toMenu(state, ctx, [name ? say('chat:balance.noneOther', name) : say('chat:balance.none')], understood);
  const replies: OutMessage[] = visitOnly
    ? []
    : [
        p.balance === 1
          ? name ? say('chat:balance.hoursOtherOne', name) : say('chat:balance.hoursSelfOne')
          : name ? say('chat:balance.hoursOther', { ...name, hours: p.balance }) : say('chat:balance.hoursSelf', { hours: p.balance }),
        say('chat:balance.periodEnd', { date: formatDate(p.periodEnd, ctx.locale) }),
      ];
  // After the hours line the name is already said; the next visit alone names the person itself.
  const visitName = visitOnly ? name : undefined;
  if (p.status === 'suspended') replies.push(visitName ? say('chat:balance.suspendedOther', visitName) : say('chat:balance.suspended'));
  const onDay = visitOnly && day ? visitOnDay(p, day, ctx, visitName) : undefined;
  if (onDay) {
    replies.push(onDay);
    // "Yes, at 9" says it all; after a "no", the next visit follows.
    if (onDay.text.key.startsWith('chat:balance.visitOnDay')) return toMenu(state, ctx, replies, understood, [{ kind: 'record_read', personId: person.personId, what: 'balance' }]);
  }
  const next = p.upcomingVisits[0];
  const when = next ? formatDayTime(next.startsAt, ctx.locale) : '';
  if (!next) replies.push(visitName ? say('chat:balance.noVisitOther', visitName) : say('chat:balance.noVisit'));
  else if (next.hours === 1) replies.push(visitName ? say('chat:balance.nextVisitOtherOne', { ...visitName, when }) : say('chat:balance.nextVisitOne', { when }));
  else replies.push(visitName ? say('chat:balance.nextVisitOther', { ...visitName, when, hours: next.hours }) : say('chat:balance.nextVisit', { when, hours: next.hours }));
  return toMenu(state, ctx, replies, understood, [{ kind: 'record_read', personId: person.personId, what: 'balance' }]);
}

export function balanceStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const person = chosenPerson(fc, input);
  const day = typeof fc.flow.data.day === 'string' ? fc.flow.data.day : undefined;
  return person ? answerBalance(fc.state, fc.ctx, person, intentOnly('voucher_balance'), fc.flow.data.visitOnly === true, day) : undefined;
}

// ─── My application ───

export function startApplication(state: EngineState, ctx: TurnContext, understood: Understood): TurnResult {
  return withPerson(state, ctx, understood, 'application', (s, p) => answerApplication(s, ctx, p, understood));
}

/** What can follow the status; for a delegate the contacts are the other person's, and say so. */
const afterChoices = (name: { name: string } | undefined) => [
  { action: 'update_contacts', label: name ? ref('chat:application.updateContactsOther', name) : ref('chat:application.updateContacts') },
  { action: 'report_change', label: ref('chat:application.reportChange') },
  { action: 'menu', label: ref('chat:common.backToMenu') },
];

function answerApplication(state: EngineState, ctx: TurnContext, person: LinkedPerson, understood: Understood): TurnResult {
  const a = person.application;
  if (!a) return toMenu(state, ctx, [say('chat:application.none')], understood);
  // A delegate reads whose application it is ("La domanda di Franco del …").
  const name = person.self ? undefined : { name: person.givenName };
  const replies: OutMessage[] = [
    say(name ? 'chat:application.statusLineOther' : 'chat:application.statusLine', { ...name, status: ref(`chat:status.application.${a.status}`), date: formatDate(a.applicationDate, ctx.locale) }),
  ];
  if (a.status === 'waiting_list' && a.position !== null) {
    const ahead = a.ahead ?? a.position - 1;
    if (ahead === 0) replies.push(say('chat:application.positionFirst'));
    else if (ahead === 1) replies.push(say('chat:application.positionOneAhead'));
    else replies.push(say('chat:application.position', { position: a.position, ahead }));
  }
  if (a.answerSentOn) replies.push(say('chat:application.answerSent', { date: formatDate(a.answerSentOn, ctx.locale) }));
  else if (a.status === 'received' || a.status === 'under_investigation') {
    replies.push(say('chat:application.answerDue', { date: formatDate(computeIstruttoriaDueDate(a.applicationDate), ctx.locale) }));
  }
  return ask(state, { name: 'application', step: 'after', data: { personId: person.personId, applicationId: a.id, ...(name ? { name: name.name } : {}) } }, understood, ref('chat:application.anythingElse'), afterChoices(name), replies, [
    { kind: 'record_read', personId: person.personId, what: 'application' },
  ]);
}

/** The contacts a person may change from the chat (checked by the assistente sociale). */
const FIELD_CHOICES = (['phone', 'email', 'address'] as const).map((f) => ({ action: f, label: ref(`chat:application.field.${f}`) }));

/**
 * "Ho cambiato indirizzo", "ecco il mio nuovo numero": one person known to this chat goes straight
 * to the change of contacts (checked by the assistente sociale); a delegate of several people, or a
 * chat not linked yet, is offered a person by the engine instead (undefined here).
 */
export function startContactChange(state: EngineState, ctx: TurnContext, text: string): TurnResult | undefined {
  const people = ctx.data?.linked ? ctx.data.people : [];
  // A delegate's "ho cambiato indirizzo" may be their own: a person sorts it out, nothing is filed on the wrong file.
  if (people.length !== 1 || !people[0]!.self) return undefined;
  const person = people[0]!;
  const understood = intentOnly('application_status');
  const data = { personId: person.personId, ...(person.application ? { applicationId: person.application.id } : {}) };
  const t = plain(text);
  const field = /indirizz|residenz|trasfer|trasloc|address|moved/.test(t) ? 'address' : /telef|cellular|numero|phone/.test(t) ? 'phone' : /mail/.test(t) ? 'email' : undefined;
  if (field) return ask(state, { name: 'application', step: 'value', data: { ...data, field } }, understood, ref(`chat:application.askValue.${field}`));
  return ask(state, { name: 'application', step: 'field', data }, understood, ref('chat:application.whichField'), FIELD_CHOICES);
}

const PHONE = /^\+?[\d\s/.-]{6,20}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[a-z]{2,}$/i;

export function applicationStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const understood = intentOnly('application_status');
  const { state, flow, ctx } = fc;
  const data = flow.data;
  switch (flow.step) {
    case 'who': {
      const person = chosenPerson(fc, input);
      return person ? answerApplication(state, ctx, person, understood) : undefined;
    }
    case 'after': {
      const action = input.kind === 'option' ? input.action : undefined;
      const text = input.kind === 'text' ? plain(input.text) : '';
      if (action === 'update_contacts' || /recapit|telefono|email|indirizzo|contact|phone|address/.test(text)) {
        return ask(state, { name: 'application', step: 'field', data }, understood, ref('chat:application.whichField'), FIELD_CHOICES);
      }
      if (action === 'report_change' || /cambi|situazion|change/.test(text)) {
        return ask(state, { name: 'application', step: 'situation', data }, understood, ref('chat:application.askSituation'));
      }
      if (action === 'menu') return toMenu(state, ctx, [], understood);
      return undefined;
    }
    case 'field': {
      const field = input.kind === 'option' ? input.action : /mail/.test(plain(input.text)) ? 'email' : /indirizz|address|via/.test(plain(input.text)) ? 'address' : /telef|cell|phone|numero/.test(plain(input.text)) ? 'phone' : undefined;
      if (field !== 'phone' && field !== 'email' && field !== 'address') return undefined;
      return ask(state, { name: 'application', step: 'value', data: { ...data, field } }, understood, ref(`chat:application.askValue.${field}`));
    }
    case 'value':
    case 'situation': {
      if (input.kind !== 'text') return undefined;
      const value = input.text.trim().slice(0, 500);
      const field = flow.step === 'situation' ? 'situation' : String(data.field);
      const ok = field === 'phone' ? PHONE.test(value) : field === 'email' ? EMAIL.test(value) : value.length >= 5;
      if (!ok) return ask(state, flow, understood, ref(flow.step === 'situation' ? 'chat:application.askSituation' : `chat:application.askValue.${field}`), [], [say('chat:application.badValue')]);
      return ask(state, { name: 'application', step: 'confirm', data: { ...data, field, value } }, understood, ref('chat:application.confirmChange', { value }), yesNoChoices());
    }
    case 'confirm': {
      const answer = input.kind === 'option' ? input.action : readYesNo(input.text);
      if (answer === 'yes') {
        const personId = String(data.personId);
        const done = typeof data.name === 'string' ? say('chat:application.changeRecordedOther', { name: data.name }) : say('chat:application.changeRecorded');
        return toMenu(state, ctx, [done], understood, [
          { kind: 'propose_change', personId, applicationId: typeof data.applicationId === 'string' ? data.applicationId : null, changes: { [String(data.field)]: String(data.value) } },
        ]);
      }
      if (answer === 'no') return toMenu(state, ctx, [say('chat:common.cancelled')], understood);
      return undefined;
    }
  }
  return undefined;
}

export function yesNoChoices() {
  return [
    { action: 'yes', label: ref('chat:common.yes') },
    { action: 'no', label: ref('chat:common.no') },
  ];
}
