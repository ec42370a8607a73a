/**
 * Information and small flows: how to apply (eligibility, documents, where to go, optional
 * pre-application), accredited providers and the free choice (art. 10), the art. 12
 * satisfaction questionnaire, "altro" (more choices), talking to a person with office hours,
 * and status questions about a reference number.
 */
import { DateTime } from 'luxon';
import { daysBetween, ROME_ZONE } from '../../regulation/calendar.ts';
import { homeComuneOf, type ChatContext, type ComuneInfo, type LinkedPerson } from '../context.ts';
import { ask, dataOf, intentOnly, plain, readYesNo, ref, say, todayIn, toMenu, type Choice, type FlowCtx, type FlowInput } from '../kit.ts';
import { officeStatus } from '../office-hours.ts';
import type { MessageRef } from '../../errors.ts';
import type { FeeTariffBand } from '../../regulation/fees.ts';
import type { EngineState, FlowValue, OutMessage, TurnContext, TurnResult, Understood } from '../types.ts';
import { startLink, yesNoChoices } from './account.ts';
import { comuneChoices, comuneNamedIn, pickComune } from './help.ts';

type Data = Record<string, FlowValue>;

function homeComune(data: ChatContext): string | undefined {
  return homeComuneOf(data) ?? undefined;
}

// ─── How to apply ───

/** How to apply; `cost` ("quanto costa?"): the comune's tariff first, instead of who may apply and the documents. */
export function startApply(state: EngineState, ctx: TurnContext, understood: Understood, cost = false, text = '', officeOnly = false): TurnResult {
  const data = dataOf(ctx);
  const preface = cost || officeOnly ? [] : [say('chat:apply.eligibility'), say('chat:apply.documents')];
  // A comune named in the question ("quanto costa a Besate?") comes before the one on file.
  const home = comuneNamedIn(data, text) ?? homeComune(data);
  if (home) return applyOffice(state, ctx, understood, home, preface, cost);
  return ask(state, { name: 'apply', step: 'comune', data: cost ? { cost } : {} }, understood, ref(cost ? 'chat:apply.fee.askComune' : 'chat:apply.askComune'), comuneChoices(data), preface);
}

/** Euros as people read them: "8.000 €", "2,50 €" (whole euros without decimals; plain spaces, for GSM-7 SMS). */
function euros(cents: number, locale: 'it' | 'en'): string {
  const whole = cents % 100 === 0;
  const text = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'it-IT', { style: 'currency', currency: 'EUR', minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2, useGrouping: 'always' }).format(cents / 100);
  return text.replace(/\s/g, ' ');
}

/** Art. 14: the comune's co-payment in one sentence, band by band; a comune without a tariff sends people to the office. */
function feeSentence(comune: ComuneInfo | undefined, name: string, locale: 'it' | 'en'): MessageRef {
  const bands = comune?.feeBands ?? null;
  if (!bands || bands.length === 0) return ref('chat:apply.fee.unknown', { comune: name });
  if (bands.length === 1) return bands[0]!.centsPerHour === 0 ? ref('chat:apply.fee.free', { comune: name }) : ref('chat:apply.fee.flat', { comune: name, fee: euros(bands[0]!.centsPerHour, locale) });
  const band = (b: FeeTariffBand): MessageRef => {
    if (b.upToIseeCents === null) return b.centsPerHour === 0 ? ref('chat:apply.fee.overFree') : ref('chat:apply.fee.over', { fee: euros(b.centsPerHour, locale) });
    const upTo = euros(b.upToIseeCents, locale);
    return b.centsPerHour === 0 ? ref('chat:apply.fee.upToFree', { upTo }) : ref('chat:apply.fee.upTo', { upTo, fee: euros(b.centsPerHour, locale) });
  };
  // "a; b; c" as nested refs: the renderer fills a sentence's params before the sentence.
  const list = bands.map(band).reduceRight((rest, first) => ref('chat:apply.fee.and', { first, rest }));
  return ref('chat:apply.fee.tariff', { comune: name, bands: list });
}

function officeHoursText(c: ComuneInfo, locale: 'it' | 'en'): string {
  const hours = c.officeHours;
  if (!hours) return '';
  const names = locale === 'en' ? ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] : ['', 'lun', 'mar', 'mer', 'gio', 'ven', 'sab', 'dom'];
  return (Object.entries(hours) as [string, string[]][])
    .filter(([, list]) => list.length > 0)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([day, list]) => `${names[Number(day)] ?? day} ${list.join(', ')}`)
    .join('; ');
}

function applyOffice(state: EngineState, ctx: TurnContext, understood: Understood, comuneId: string, preface: OutMessage[] = [], cost = false): TurnResult {
  const data = dataOf(ctx);
  const comune = data.comuni.find((c) => c.id === comuneId);
  const name = comune?.name ?? comuneId;
  const replies = [...preface];
  if (cost) replies.push({ text: feeSentence(comune, name, ctx.locale) });
  if (comune?.officeAddress) replies.push(say('chat:apply.office', { comune: name, address: comune.officeAddress }));
  else replies.push(say('chat:apply.officeUnknown', { comune: name }));
  const hours = comune ? officeHoursText(comune, ctx.locale) : '';
  if (hours) replies.push(say('chat:apply.officeHours', { hours }));
  return ask(state, { name: 'apply', step: 'pre', data: { comuneId } }, understood, ref('chat:apply.askPre'), yesNoChoices(), replies);
}

export function applyStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const { state, flow, ctx } = fc;
  const understood = intentOnly('apply_info');
  if (flow.step === 'comune') {
    const comuneId = pickComune(fc.data, input);
    return comuneId ? applyOffice(state, ctx, understood, comuneId, [], flow.data.cost === true) : undefined;
  }
  if (flow.step === 'pre') {
    const answer = input.kind === 'option' ? input.action : readYesNo(input.text);
    if (answer === 'no') return toMenu(state, ctx, [say('chat:apply.preDeclined')], understood);
    if (answer !== 'yes') return undefined;
    const comuneId = String(flow.data.comuneId);
    const person = fc.data.people.find((p) => p.comuneId === comuneId && !p.application) ?? fc.data.people.find((p) => p.comuneId === comuneId);
    if (person?.application && person.application.status !== 'closed' && person.application.status !== 'not_eligible') {
      return toMenu(state, ctx, [say('chat:apply.alreadyOpen')], understood);
    }
    if (person) {
      return toMenu(state, ctx, [say('chat:apply.preDone')], understood, [{ kind: 'pre_application', personId: person.personId, comuneId, applicationDate: todayIn(ctx.now) }]);
    }
    // Not linked: the operators call back and open the file with the person.
    return {
      state,
      replies: [],
      understood,
      effects: [{ kind: 'create_request', requestKind: 'on_demand', personId: null, comuneId, programmeId: null, visitId: null, family: null, service: null, requestedStart: null, requestedText: 'pre_application' }],
      finish: (results) => toMenu(state, ctx, [say('chat:apply.preRequest', { reference: results.reference ?? '' })], understood),
    };
  }
  return undefined;
}

// ─── Accredited providers (art. 10: free choice) ───

export function startProviders(state: EngineState, ctx: TurnContext, understood: Understood, text = ''): TurnResult {
  const data = dataOf(ctx);
  const home = comuneNamedIn(data, text) ?? homeComune(data);
  if (home) return listProviders(state, ctx, understood, home);
  return ask(state, { name: 'providers', step: 'comune', data: {} }, understood, ref('chat:providers.askComune'), comuneChoices(data));
}

function listProviders(state: EngineState, ctx: TurnContext, understood: Understood, comuneId: string): TurnResult {
  const data = dataOf(ctx);
  const comune = data.comuni.find((c) => c.id === comuneId)?.name ?? comuneId;
  const here = data.providers.filter((p) => p.comuni.includes(comuneId));
  const accredited = here.filter((p) => p.kind === 'accredited_provider');
  const volunteers = here.filter((p) => p.kind === 'volunteer_association');
  const replies: OutMessage[] = [];
  if (accredited.length === 0) replies.push(say('chat:providers.none', { comune }));
  else {
    replies.push(say('chat:providers.intro', { comune }));
    for (const p of accredited.slice(0, 10)) replies.push(providerLine(p));
  }
  if (volunteers.length > 0) replies.push(say('chat:providers.volunteers', { names: volunteers.slice(0, 10).map((v) => v.name).join(', ') }));
  replies.push(say('chat:providers.freeChoice'));
  return toMenu(state, ctx, replies, understood);
}

/** A provider's line with what is known of it: a missing phone or timetable is left out, not shown as "—". */
function providerLine(p: { name: string; phone: string | null; availability: string | null }): OutMessage {
  if (p.phone && p.availability) return say('chat:providers.item', { name: p.name, phone: p.phone, availability: p.availability });
  if (p.phone) return say('chat:providers.itemPhone', { name: p.name, phone: p.phone });
  if (p.availability) return say('chat:providers.itemHours', { name: p.name, availability: p.availability });
  return say('chat:providers.itemName', { name: p.name });
}

export function providersStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const comuneId = pickComune(fc.data, input);
  return comuneId ? listProviders(fc.state, fc.ctx, intentOnly('providers'), comuneId) : undefined;
}

// ─── Satisfaction questionnaire (art. 12) ───

const QUESTIONS: { id: string; answers: string[] }[] = [
  { id: 'overall', answers: ['very', 'quite', 'little', 'not_at_all'] },
  { id: 'operators', answers: ['very', 'quite', 'little', 'not_at_all'] },
  { id: 'times', answers: ['always', 'mostly', 'rarely'] },
  { id: 'continue', answers: ['yes', 'no', 'unsure'] },
];

function askQuestion(state: EngineState, understood: Understood, data: Data, index: number, preface: OutMessage[] = []): TurnResult {
  const q = QUESTIONS[index]!;
  return ask(state, { name: 'questionnaire', step: `q${index}`, data }, understood, ref(`chat:questionnaire.${q.id}.question`), q.answers.map((a) => ({ action: a, label: ref(`chat:questionnaire.${q.id}.${a}`) })), preface);
}

export function startQuestionnaire(state: EngineState, ctx: TurnContext, understood: Understood): TurnResult {
  const due = dataOf(ctx).people.filter((p) => p.programme?.questionnaireDue);
  const data = dataOf(ctx);
  if (!data.linked) return startLink(state, understood, 'questionnaire');
  const person: LinkedPerson | undefined = due[0];
  if (!person?.programme) return toMenu(state, ctx, [say('chat:questionnaire.notDue')], understood);
  return askQuestion(state, understood, { programmeId: person.programme.id }, 0, [say('chat:questionnaire.intro')]);
}

export function questionnaireStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const { state, flow, ctx } = fc;
  const understood = intentOnly('unknown');
  const index = Number(flow.step.slice(1));
  const q = QUESTIONS[index];
  if (!q) return undefined;
  let answer = input.kind === 'option' ? input.action : undefined;
  if (input.kind === 'text' && q.id === 'continue') {
    const yn = readYesNo(input.text);
    answer = yn === 'yes' ? 'yes' : yn === 'no' ? 'no' : yn === 'unknown' ? 'unsure' : undefined;
  }
  if (!answer || !q.answers.includes(answer)) return undefined;
  const data: Data = { ...flow.data, [q.id]: answer };
  if (index + 1 < QUESTIONS.length) return askQuestion(state, understood, data, index + 1);
  const answers: Record<string, string> = {};
  for (const question of QUESTIONS) answers[question.id] = String(data[question.id]);
  return toMenu(state, ctx, [say('chat:questionnaire.thanks')], understood, [{ kind: 'save_questionnaire', programmeId: String(data.programmeId), answers }]);
}

// ─── More choices ───

export function startMore(state: EngineState, ctx: TurnContext): TurnResult {
  const choices: Choice[] = [
    { action: 'apply_info', label: ref('chat:more.apply_info') },
    { action: 'providers', label: ref('chat:more.providers') },
    { action: 'suspend_service', label: ref('chat:more.suspend_service') },
    { action: 'cancel_booking', label: ref('chat:more.cancel_booking') },
    { action: 'menu', label: ref('chat:common.backToMenu') },
  ];
  if (dataOf(ctx).people.some((p) => p.programme?.questionnaireDue)) choices.splice(4, 0, { action: 'questionnaire', label: ref('chat:menu.questionnaire') });
  return ask(state, { name: 'more', step: 'choose', data: {} }, intentOnly('unknown'), ref('chat:more.prompt'), choices);
}

// ─── Talk to a person ───

/** Hands over; says when a person will answer if the office is closed now (holidays and patron day included). */
export function handover(state: EngineState, ctx: TurnContext, understood: Understood, preface: OutMessage[] = []): TurnResult {
  const replies: OutMessage[] = [...preface, say('chat:handover.done'), ...closedNotice(ctx)];
  return {
    state: { v: 1, menu: state.menu, step: 'menu', heldAt: ctx.now.toISOString() },
    replies,
    understood,
    effects: [{ kind: 'handover', urgent: false, reason: 'requested' }],
  };
}

/** When the person's office is closed now: when a person will answer (nothing while it is open). */
export function closedNotice(ctx: TurnContext): OutMessage[] {
  const data = dataOf(ctx);
  const comuneId = homeComune(data);
  const comune = data.comuni.find((c) => c.id === comuneId);
  const status = officeStatus(comune?.officeHours ?? null, ctx.now, comune?.patronDay ?? null);
  if (status.open) return [];
  return [status.nextOpening ? say('chat:handover.closed', { when: whenText(status.nextOpening, ctx) }) : say('chat:handover.closedUnknown')];
}

/** When the office opens again: "oggi alle 09:00", "domani alle 09:00", else the weekday and date. */
function whenText(iso: string, ctx: TurnContext) {
  const d = DateTime.fromISO(iso, { zone: ROME_ZONE });
  const time = d.toFormat('HH:mm');
  const days = daysBetween(todayIn(ctx.now), d.toISODate() ?? '');
  if (days === 0) return ref('chat:fmt.todayAt', { time });
  if (days === 1) return ref('chat:fmt.tomorrowAt', { time });
  const day = d.setLocale(ctx.locale === 'en' ? 'en-GB' : 'it').toFormat('cccc d LLLL');
  return ref('chat:fmt.dayTime', { day, time });
}

// ─── Status of a reference ───

const REFERENCE = /\b([rs])\s?-?\s?(\d{3,7})\b/i;

export function findReference(text: string): string | undefined {
  const m = REFERENCE.exec(text);
  return m ? `${m[1]!.toUpperCase()}-${m[2]}` : undefined;
}

/** Status of a request or segnalazione this identity made — and nothing else, never another's. */
export function referenceStatus(state: EngineState, ctx: TurnContext, reference: string): TurnResult {
  const data = dataOf(ctx);
  const understood = intentOnly(reference.startsWith('S') ? 'report_person' : 'request_help');
  const request = data.myRequests.find((r) => r.reference === reference);
  if (request) return toMenu(state, ctx, [say('chat:status.requestLine', { reference, status: ref(`chat:status.request.${request.status}`) })], understood);
  const report = data.mySegnalazioni.find((r) => r.reference === reference);
  if (report) return toMenu(state, ctx, [say('chat:status.reportLine', { reference, status: ref(`chat:status.segnalazione.${report.status}`) })], understood);
  return toMenu(state, ctx, [say('chat:status.notFound', { reference })], understood);
}

export function isStatusQuestion(text: string): boolean {
  return findReference(text) !== undefined && (plain(text).length < 80);
}
