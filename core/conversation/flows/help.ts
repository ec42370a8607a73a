/**
 * Request help (what, for whom, when — checked against art. 8 —, repeat back, confirm → a
 * reference) and suspend / cancel (art. 13: hospital, holiday, RSA, death, renunciation; cancel or
 * move a visit) — all recorded for staff to confirm.
 */
import { DateTime } from 'luxon';
import { RuleViolation } from '../../errors.ts';
import { EDIT, typoDistance } from '../../nlu/edit-distance.ts';
import { understand } from '../../nlu/index.ts';
import type { Understanding, WhenExpression } from '../../nlu/types.ts';
import { addCalendarDays, addMonthsMinusOneDay, ROME_ZONE } from '../../regulation/calendar.ts';
import { checkVisit } from '../../regulation/delivery.ts';
import type { ChatContext, LinkedPerson } from '../context.ts';
import {
  ask,
  dataOf,
  formatDay,
  formatDayTime,
  intentOnly,
  personChoices,
  pickPerson,
  plain,
  readYesNo,
  ref,
  say,
  todayIn,
  toMenu,
  type Choice,
  type FlowCtx,
  type FlowInput,
} from '../kit.ts';
import type { EngineState, FlowValue, OutMessage, TurnContext, TurnResult, Understood } from '../types.ts';
import { startLink, withPerson, yesNoChoices } from './account.ts';

const FAMILIES = ['1', '2', '3', '4', '5', '6', '7', '8'] as const;
const PART_OF_DAY_TIME: Record<NonNullable<WhenExpression['partOfDay']>, string> = { morning: '09:00', afternoon: '15:00', evening: '18:00' };

type Data = Record<string, FlowValue>;

/** Comune choices for people not linked yet (ids by index into the context's list). */
export function comuneChoices(data: ChatContext): Choice[] {
  return data.comuni.map((c, i) => ({ action: `c${i}`, label: ref('chat:common.plainText', { text: c.name }) }));
}

/** The comune picked by option or typed name. */
export function pickComune(data: ChatContext, input: FlowInput): string | undefined {
  if (input.kind === 'option') {
    const m = /^c(\d+)$/.exec(input.action);
    return m ? data.comuni[Number(m[1])]?.id : undefined;
  }
  return comuneNamedIn(data, input.text);
}

/**
 * The comune a text names ("sono di Albairate", "fornitori a Besate"), the longest name first;
 * else its whole name with one slip ("mota visconti", "abiategrasso"); else a word of its name
 * that no other comune shares ("Motta", "Vermezzo", "Cassinetta").
 */
export function comuneNamedIn(data: ChatContext, text: string): string | undefined {
  const t = plain(text);
  const byLength = [...data.comuni].sort((a, b) => b.name.length - a.name.length);
  const found = byLength.find((c) => t.includes(plain(c.name)) || t.includes(c.id.replace(/-/g, ' ')));
  if (found) return found.id;
  const words = t.split(/[^a-z]+/).filter((w) => w !== '');
  for (const c of byLength) {
    const name = plain(c.name).split(/[^a-z]+/).filter((w) => w !== '');
    // Short names ("Rho") would match too many slips of everyday words.
    if (name.join(' ').length < 6) continue;
    for (let i = 0; i + name.length <= words.length; i++) {
      if (typoDistance(words.slice(i, i + name.length).join(' '), name.join(' '), EDIT) <= EDIT) return c.id;
    }
  }
  const distinctive = distinctiveWords(data);
  for (const w of words) {
    const comuneId = distinctive.get(w);
    if (comuneId) return comuneId;
  }
  return undefined;
}

/** Each word of a comune's name (four letters or more) that names that comune alone. */
function distinctiveWords(data: ChatContext): Map<string, string> {
  const owners = new Map<string, Set<string>>();
  for (const c of data.comuni) {
    for (const w of plain(c.name).split(/[^a-z]+/)) {
      if (w.length < 4) continue;
      owners.set(w, (owners.get(w) ?? new Set()).add(c.id));
    }
  }
  const out = new Map<string, string>();
  for (const [w, ids] of owners) if (ids.size === 1) out.set(w, [...ids][0]!);
  return out;
}

function whenToData(when: WhenExpression | undefined): Data {
  if (!when) return {};
  const out: Data = {};
  if (when.date) out.date = when.date;
  if (when.time) out.time = when.time;
  else if (when.partOfDay) out.time = PART_OF_DAY_TIME[when.partOfDay];
  return out;
}

/** The service in words: its art. 7 name when the code is known, else its family's ("Igiene personale"), never a bare number. */
function serviceRef(code: FlowValue | undefined, family: FlowValue | undefined) {
  return code ? ref(`services:${String(code)}`) : ref(`services:family.${String(family)}`);
}

export function startHelp(state: EngineState, ctx: TurnContext, understood: Understood, u?: Understanding, text = ''): TurnResult {
  const data: Data = {};
  if (u?.family) data.family = u.family;
  if (u?.code) data.code = u.code;
  Object.assign(data, whenToData(u?.when));
  // "Mi serve aiuto per la spesa, abito ad Albairate": the comune is not asked again (a linked
  // person's own comune is the one on file).
  const named = dataOf(ctx).linked ? undefined : comuneNamedIn(dataOf(ctx), text);
  if (named) data.comuneId = named;
  const preface = u?.family ? [say('chat:understoodService', { service: serviceRef(u.code, u.family) })] : [];
  return nextHelp(state, ctx, understood, data, preface);
}

function personById(ctx: TurnContext, id: FlowValue | undefined): LinkedPerson | undefined {
  return dataOf(ctx).people.find((p) => p.personId === id);
}

/** Asks the first thing still missing, or repeats everything back for confirmation. */
function nextHelp(state: EngineState, ctx: TurnContext, understood: Understood, data: Data, preface: OutMessage[] = []): TurnResult {
  const known = dataOf(ctx);
  const flow = (step: string) => ({ name: 'help' as const, step, data });
  if (!data.family) {
    return ask(state, flow('what'), understood, ref('chat:help.askWhat'), FAMILIES.map((f) => ({ action: `f${f}`, label: ref(`services:family.${f}`) })), preface);
  }
  if (known.linked && known.people.length > 0 && !data.personId) {
    if (known.people.length === 1) data.personId = known.people[0]!.personId;
    else return ask(state, flow('who'), understood, ref('chat:who.ask'), personChoices(known.people), preface);
  }
  if (!data.personId && !data.comuneId) {
    return ask(state, flow('comune'), understood, ref('chat:help.askComune'), comuneChoices(known), preface);
  }
  if (!data.date) {
    return ask(state, flow('when'), understood, ref('chat:help.askWhen'), [
      { action: 'tomorrow_morning', label: ref('chat:help.tomorrowMorning') },
      { action: 'tomorrow_afternoon', label: ref('chat:help.tomorrowAfternoon') },
    ], preface);
  }
  if (!data.time) {
    return ask(state, flow('time'), understood, ref('chat:help.askTime'), [
      { action: 'morning', label: ref('chat:help.morning') },
      { action: 'afternoon', label: ref('chat:help.afternoon') },
    ], preface);
  }
  // Art. 8: Monday–Saturday 08–20 (Sunday only for people alone without family support).
  const person = personById(ctx, data.personId);
  const start = `${String(data.date)}T${String(data.time)}`;
  const problem = checkStart(start, ctx.now, person?.livesAloneWithoutFamily ?? false, patronOf(known, person?.comuneId ?? (data.comuneId as string | undefined)));
  if (problem) {
    const { date: _d, time: _t, ...rest } = data;
    return ask(state, { name: 'help', step: 'when', data: rest }, understood, ref('chat:help.askWhen'), [], [...preface, say(problem)]);
  }
  const service = serviceRef(data.code, data.family);
  const when = formatDayTime(DateTime.fromISO(start, { zone: ROME_ZONE }).toISO() ?? start, ctx.locale);
  const who = person ? (person.self ? ref('chat:help.forYou') : ref('chat:help.forName', { name: person.givenName })) : ref('chat:help.forComune', { comune: comuneName(known, data.comuneId) });
  return ask(state, flow('confirm'), understood, ref('chat:help.confirm', { service, when, who }), [
    { action: 'yes', label: ref('chat:common.confirm') },
    { action: 'change', label: ref('chat:help.changeWhen') },
    { action: 'no', label: ref('chat:common.cancel') },
  ], preface);
}

function comuneName(data: ChatContext, id: FlowValue | undefined): string {
  return data.comuni.find((c) => c.id === id)?.name ?? String(id ?? '');
}

function patronOf(data: ChatContext, comuneId: string | null | undefined): string | null {
  return data.comuni.find((c) => c.id === comuneId)?.patronDay ?? null;
}

/** The art. 8 problem with a requested start, as a chat key, or undefined when it is fine. */
export function checkStart(start: string, now: Date, livesAloneWithoutFamily: boolean, patronDay: string | null): string | undefined {
  const at = DateTime.fromISO(start, { zone: ROME_ZONE });
  if (!at.isValid) return 'chat:help.badWhen';
  if (at.toMillis() < now.getTime()) return 'chat:help.past';
  try {
    checkVisit({ start, hours: 1 }, { livesAloneWithoutFamily, patronDay });
  } catch (e) {
    if (!(e instanceof RuleViolation)) throw e;
    const keys = Object.values(e.fields ?? {}).map((f) => f.key);
    return keys.includes('rules:sundayOnlyForPeopleAlone') ? 'chat:help.sunday' : 'chat:help.outsideHours';
  }
  return undefined;
}

function readWhen(text: string, ctx: TurnContext): Data {
  return whenToData(understand(text, { now: ctx.now, locale: ctx.locale }).when);
}

function tomorrow(ctx: TurnContext): string {
  return DateTime.fromISO(todayIn(ctx.now), { zone: ROME_ZONE }).plus({ days: 1 }).toISODate() ?? '';
}

export function helpStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const { state, flow, ctx } = fc;
  const data: Data = { ...flow.data };
  const understood: Understood = { intent: 'request_help', ...(data.family ? { family: String(data.family), service: String(data.code ?? data.family) } : {}), ...(data.code ? { code: String(data.code) } : {}) };
  switch (flow.step) {
    case 'what': {
      if (input.kind === 'option') {
        const m = /^f([1-8])$/.exec(input.action);
        if (!m) return undefined;
        data.family = m[1]!;
      } else {
        if (!input.understanding.family) return undefined;
        data.family = input.understanding.family;
        if (input.understanding.code) data.code = input.understanding.code;
        if (!data.date) Object.assign(data, readWhen(input.text, ctx));
      }
      return nextHelp(state, ctx, { intent: 'request_help', family: String(data.family), service: String(data.code ?? data.family), ...(data.code ? { code: String(data.code) } : {}) }, data);
    }
    case 'who': {
      const i = pickPerson(fc.data.people, input);
      if (i === undefined) return undefined;
      data.personId = fc.data.people[i]!.personId;
      return nextHelp(state, ctx, understood, data);
    }
    case 'comune': {
      const comuneId = pickComune(fc.data, input);
      if (!comuneId) return undefined;
      data.comuneId = comuneId;
      return nextHelp(state, ctx, understood, data);
    }
    case 'when': {
      if (input.kind === 'option') {
        if (input.action !== 'tomorrow_morning' && input.action !== 'tomorrow_afternoon') return undefined;
        data.date = tomorrow(ctx);
        data.time = input.action === 'tomorrow_morning' ? '09:00' : '15:00';
      } else {
        const when = readWhen(input.text, ctx);
        if (!when.date && !when.time) return undefined;
        Object.assign(data, when);
      }
      return nextHelp(state, ctx, understood, data);
    }
    case 'time': {
      if (input.kind === 'option') {
        if (input.action !== 'morning' && input.action !== 'afternoon') return undefined;
        data.time = input.action === 'morning' ? '09:00' : '15:00';
      } else {
        const when = readWhen(input.text, ctx);
        if (!when.time) return undefined;
        data.time = when.time;
      }
      return nextHelp(state, ctx, understood, data);
    }
    case 'confirm': {
      // "No, meglio venerdì", "sì, ma alle 10": a new day or time is a change, whatever word comes first.
      const said = input.kind === 'text' ? understand(input.text, { now: ctx.now, locale: ctx.locale }).when : undefined;
      if (said?.date || said?.time) {
        const when = whenToData(said);
        // "Sì, ma alle 11": the day of the recap stays.
        if (said.dayAssumed) delete when.date;
        return nextHelp(state, ctx, understood, { ...data, ...when });
      }
      const answer = input.kind === 'option' ? input.action : readYesNo(input.text) ?? (/\b(cambi\w*|spost\w*|modific\w*|altro giorno|altra ora|change)\b/.test(plain(input.text)) ? 'change' : undefined);
      if (answer === 'change') {
        const { date: _d, time: _t, ...rest } = data;
        return ask(state, { name: 'help', step: 'when', data: rest }, understood, ref('chat:help.askWhen'));
      }
      if (answer === 'no') return toMenu(state, ctx, [say('chat:common.cancelled')], understood);
      if (answer !== 'yes') return undefined;
      return createRequest(state, ctx, understood, data);
    }
  }
  return undefined;
}

function createRequest(state: EngineState, ctx: TurnContext, understood: Understood, data: Data): TurnResult {
  const person = personById(ctx, data.personId);
  const programme = person?.programme;
  // With an active programme and hours left, the request is a visit against its hours; otherwise on demand.
  const visit = programme !== null && programme !== undefined && programme.status === 'active' && programme.balance > 0;
  const start = DateTime.fromISO(`${String(data.date)}T${String(data.time)}`, { zone: ROME_ZONE });
  return {
    state,
    replies: [],
    understood,
    effects: [
      {
        kind: 'create_request',
        requestKind: visit ? 'visit' : 'on_demand',
        personId: person?.personId ?? null,
        comuneId: person?.comuneId ?? (typeof data.comuneId === 'string' ? data.comuneId : null),
        programmeId: visit ? programme!.id : null,
        visitId: null,
        family: String(data.family),
        service: String(data.code ?? data.family),
        requestedStart: start.toUTC().toISO(),
        requestedText: null,
      },
    ],
    finish: (results) =>
      toMenu(state, ctx, [say('chat:help.recorded', { reference: results.reference ?? '' }), say(visit ? 'chat:help.kindVisit' : 'chat:help.kindOnDemand')], understood),
  };
}

// ─── Suspend / cancel (art. 13) ───

const SUSPEND_REASONS: Choice[] = [
  { action: 'hospital', label: ref('chat:suspend.reason.hospital') },
  { action: 'holiday', label: ref('chat:suspend.reason.holiday') },
  { action: 'cancel_visit', label: ref('chat:suspend.reason.cancel_visit') },
  { action: 'move_visit', label: ref('chat:suspend.reason.move_visit') },
  { action: 'permanent_admission', label: ref('chat:suspend.reason.permanent_admission') },
  { action: 'renunciation', label: ref('chat:suspend.reason.renunciation') },
  { action: 'death', label: ref('chat:suspend.reason.death') },
];

export function startSuspend(state: EngineState, ctx: TurnContext, understood: Understood, text = ''): TurnResult {
  const visitOnly = understood.intent === 'cancel_booking';
  return withPerson(state, ctx, understood, 'suspend', (s, p) => suspendFor(s, ctx, p, understood, visitOnly, text));
}

function suspendFor(state: EngineState, ctx: TurnContext, person: LinkedPerson, understood: Understood, visitOnly: boolean, typed = ''): TurnResult {
  const p = person.programme;
  // Without a programme there is nothing to suspend, and no visit to cancel or move.
  if (!p || p.status === 'interrupted' || p.status === 'ended') return toMenu(state, ctx, [say(visitOnly ? 'chat:suspend.noVisits' : 'chat:suspend.noProgramme')], understood);
  const data: Data = { personId: person.personId, programmeId: p.id };
  if (visitOnly) {
    const choosing = chooseVisit(state, ctx, understood, person, { ...data, reason: /spost|move|anticip|rimand/.test(plain(typed)) ? 'move_visit' : 'cancel_visit' });
    // "Vorrei spostare la visita di mercoledì": the visit is already said.
    if (!typed || choosing.state.flow?.step !== 'visit') return choosing;
    const fc: FlowCtx = { state: choosing.state, flow: choosing.state.flow, ctx, data: dataOf(ctx) };
    const chosen = suspendStep(fc, { kind: 'text', text: typed, understanding: { intent: understood.intent, confidence: 1 } });
    // "… di giovedì a venerdì (alle 10)": and so is the new day.
    const target = MOVE_TO.exec(plain(typed))?.[1];
    if (!chosen?.state.flow || chosen.state.flow.step !== 'new_when' || !target) return chosen ?? choosing;
    return suspendStep({ ...fc, state: chosen.state, flow: chosen.state.flow }, { kind: 'text', text: target, understanding: { intent: understood.intent, confidence: 1 } }) ?? chosen;
  }
  // "Vado in ospedale una settimana a marzo": the month and the length of the stay are kept for
  // the dates asked next ("il 10" is then 10 March, and the end is a week later).
  const when = typed ? understand(typed, { now: ctx.now, locale: ctx.locale }).when : undefined;
  const month = when?.date ? undefined : monthNamedIn(typed, ctx.now);
  if (month) data.month = month;
  const length = LENGTH_OF_STAY.exec(plain(typed))?.[1];
  if (length) data.stay = `per ${length}`;
  const asked = ask(state, { name: 'suspend', step: 'reason', data }, understood, ref('chat:suspend.askReason'), SUSPEND_REASONS);
  // "Vado in ospedale dal 10 al 20 dicembre": the reason and the dates are already said.
  const reason = typed ? reasonFromText(typed) : undefined;
  if (!reason || !asked.state.flow) return asked;
  const fc: FlowCtx = { state: asked.state, flow: asked.state.flow, ctx, data: dataOf(ctx) };
  const afterReason = suspendStep(fc, { kind: 'option', action: reason });
  if (!afterReason || (reason !== 'hospital' && reason !== 'holiday') || !when?.date || !afterReason.state.flow) return afterReason ?? asked;
  const afterFrom = suspendStep({ ...fc, state: afterReason.state, flow: afterReason.state.flow }, { kind: 'text', text: typed, understanding: { intent: 'suspend_service', confidence: 1, when: { date: when.date } } });
  // "Dal 10 al 20 dicembre", or "da domani per una settimana".
  const until = when.until ?? lastDayOfStay(typed, when.date);
  if (!afterFrom?.state.flow || !until) return afterFrom ?? afterReason;
  return suspendStep({ ...fc, state: afterFrom.state, flow: afterFrom.state.flow }, { kind: 'option', action: `until_${until}` }) ?? afterFrom;
}

function chooseVisit(state: EngineState, ctx: TurnContext, understood: Understood, person: LinkedPerson, data: Data): TurnResult {
  const visits = person.programme?.upcomingVisits ?? [];
  if (visits.length === 0) return toMenu(state, ctx, [say('chat:suspend.noVisits')], understood);
  return ask(state, { name: 'suspend', step: 'visit', data }, understood, ref(data.reason === 'move_visit' ? 'chat:suspend.whichVisitMove' : 'chat:suspend.whichVisit'), [
    ...visits.slice(0, 3).map((v, i) => ({ action: `v${i}`, label: formatDayTime(v.startsAt, ctx.locale) })),
    { action: 'menu', label: ref('chat:common.backToMenu') },
  ]);
}

const COUNT_WORDS: Record<string, number> = { un: 1, una: 1, uno: 1, due: 2, tre: 3, quattro: 4, cinque: 5, sei: 6, sette: 7, otto: 8, nove: 9, dieci: 10, quindici: 15, venti: 20, trenta: 30, a: 1, one: 1, two: 2, three: 3, four: 4 };
/** "(per) una settimana", "10 giorni": a length of stay, with or without "per"; "a" only in "for a week" ("tre volte a settimana" is no stay). */
const LENGTH_OF_STAY = /\b(?:per |for )?((?:\d{1,3}|un|una|uno|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|quindici|venti|trenta|one|two|three|four|(?<=for )a) (?:giorn[oi]|settiman[ae]|mes[ei]|days?|weeks?|months?))\b(?! fa\b| ago\b)/;
const DURATION = /\b(?:per|for) (?:(\d{1,3}|un|una|uno|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|quindici|venti|trenta|a|one|two|three|four) )?(giorn[oi]|settiman[ae]|mes[ei]|days?|weeks?|months?)\b/;

/**
 * The last day of a stay said as a length ("per una settimana", "per 10 giorni", "per un mese")
 * that starts on `from`: a week from Tuesday is Tuesday to Monday, both included.
 */
export function lastDayOfStay(text: string, from: string): string | undefined {
  const m = DURATION.exec(plain(text));
  if (!m) return undefined;
  const count = m[1] === undefined ? 1 : /^\d+$/.test(m[1]) ? Number(m[1]) : COUNT_WORDS[m[1]];
  if (!count || count < 1) return undefined;
  const unit = m[2]!;
  if (/^(mes|month)/.test(unit)) return count > 12 ? undefined : addMonthsMinusOneDay(from, count);
  const days = /^(settiman|week)/.test(unit) ? count * 7 : count;
  return days > 366 ? undefined : addCalendarDays(from, days - 1);
}

const MONTHS: Record<string, number> = {
  gennaio: 1, febbraio: 2, marzo: 3, aprile: 4, maggio: 5, giugno: 6, luglio: 7, agosto: 8, settembre: 9, ottobre: 10, novembre: 11, dicembre: 12,
  // "May" is left out: "I may go to hospital" names no month.
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};
const MONTH_WORD = new RegExp(`\\b(${Object.keys(MONTHS).join('|')})\\b`);

/** The next month a text names ("a marzo" in November: next March), as YYYY-MM. */
export function monthNamedIn(text: string, now: Date): string | undefined {
  const m = MONTH_WORD.exec(plain(text));
  if (!m) return undefined;
  const month = MONTHS[m[1]!]!;
  const today = DateTime.fromJSDate(now, { zone: ROME_ZONE });
  const year = month >= today.month ? today.year : today.year + 1;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** "Il 10", "dal 10" with the month already said: that day of it (a month named again wins). */
function dayOfMonthIn(input: FlowInput, month: string): string | undefined {
  if (input.kind !== 'text' || MONTH_WORD.test(plain(input.text))) return undefined;
  const m = /^\D{0,12}?\b(\d{1,2})\b/.exec(plain(input.text));
  if (!m) return undefined;
  const date = DateTime.fromISO(`${month}-${m[1]!.padStart(2, '0')}`, { zone: ROME_ZONE });
  return date.isValid ? (date.toISODate() ?? undefined) : undefined;
}

function askFromInMonth(month: string, ctx: TurnContext) {
  const name = DateTime.fromISO(`${month}-01`, { zone: ROME_ZONE }).setLocale(ctx.locale === 'en' ? 'en-GB' : 'it').toFormat('LLLL');
  return ref('chat:suspend.askFromInMonth', { month: name });
}

/**
 * "No aspetta, prima voglio sapere se viene mercoledì": a question or a "wait" is no date, even
 * when it names a day; the engine answers it as a request of its own.
 */
function holdsOn(input: FlowInput): boolean {
  return input.kind === 'text' && (input.text.includes('?') || /^(no )?(aspett\w*|un attimo|un momento|prima (voglio|vorrei|devo))\b/.test(plain(input.text)));
}

function readDate(input: FlowInput, ctx: TurnContext): string | undefined {
  if (input.kind === 'option') {
    if (input.action === 'today') return todayIn(ctx.now);
    if (input.action === 'tomorrow') return tomorrow(ctx);
    return undefined;
  }
  return readWhen(input.text, ctx).date as string | undefined;
}

export function suspendStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const { state, flow, ctx } = fc;
  const data: Data = { ...flow.data };
  const understood = intentOnly(data.reason === 'cancel_visit' || data.reason === 'move_visit' ? 'cancel_booking' : 'suspend_service');
  const person = fc.data.people.find((p) => p.personId === data.personId);
  switch (flow.step) {
    case 'who': {
      const i = pickPerson(fc.data.people, input);
      return i === undefined ? undefined : suspendFor(state, ctx, fc.data.people[i]!, understood, false);
    }
    case 'reason': {
      const reason = input.kind === 'option' ? input.action : reasonFromText(input.text);
      if (!reason || !SUSPEND_REASONS.some((r) => r.action === reason) || !person) return undefined;
      data.reason = reason;
      if (reason === 'cancel_visit' || reason === 'move_visit') return chooseVisit(state, ctx, intentOnly('cancel_booking'), person, data);
      if (reason === 'hospital' || reason === 'holiday') {
        if (typeof data.month === 'string') return ask(state, { name: 'suspend', step: 'from', data }, understood, askFromInMonth(data.month, ctx));
        return ask(state, { name: 'suspend', step: 'from', data }, understood, ref('chat:suspend.askFrom'), [
          { action: 'today', label: ref('chat:suspend.today') },
          { action: 'tomorrow', label: ref('chat:suspend.tomorrow') },
        ]);
      }
      data.from = todayIn(ctx.now);
      return ask(state, { name: 'suspend', step: 'confirm', data }, understood, ref('chat:suspend.confirmInterruption', { reason: ref(`chat:suspend.reason.${reason}`) }), yesNoChoices(), reason === 'death' ? [say('chat:suspend.condolences')] : []);
    }
    case 'from': {
      if (holdsOn(input)) return undefined;
      const from = (typeof data.month === 'string' ? dayOfMonthIn(input, data.month) : undefined) ?? readDate(input, ctx);
      if (!from) return undefined;
      if (from < todayIn(ctx.now)) return ask(state, flow, understood, ref('chat:suspend.askFrom'), [], [say('chat:help.past')]);
      data.from = from;
      // The length said at the start ("una settimana") gives the end: straight to the recap.
      const until = typeof data.stay === 'string' ? lastDayOfStay(data.stay, from) : undefined;
      if (until) return suspendStep({ ...fc, flow: { name: 'suspend', step: 'to', data } }, { kind: 'option', action: `until_${until}` });
      return ask(state, { name: 'suspend', step: 'to', data }, understood, ref('chat:suspend.askTo'), [{ action: 'unknown', label: ref('chat:suspend.dontKnow') }]);
    }
    case 'to': {
      if (holdsOn(input)) return undefined;
      const until = input.kind === 'option' ? /^until_(\d{4}-\d{2}-\d{2})$/.exec(input.action)?.[1] : undefined;
      if (until) data.to = until;
      else if (input.kind === 'option' && input.action === 'unknown') data.to = null;
      else if (input.kind === 'text' && readYesNo(input.text) === 'unknown') data.to = null;
      else {
        const said = readWhen(input.kind === 'text' ? input.text : '', ctx);
        // "Il 17", "per una settimana", or just "una settimana".
        const to = input.kind === 'text' ? String(said.date ?? '') || lastDayOfStay(input.text, String(data.from)) || lastDayOfStay(`per ${input.text}`, String(data.from)) : undefined;
        if (!to) return undefined;
        if (to < String(data.from)) return ask(state, flow, understood, ref('chat:suspend.askTo'), [{ action: 'unknown', label: ref('chat:suspend.dontKnow') }], [say('chat:suspend.toBeforeFrom')]);
        data.to = to;
      }
      const params = { reason: ref(`chat:suspend.reason.${String(data.reason)}`), from: formatDay(String(data.from), ctx.locale) };
      const question = data.to ? ref('chat:suspend.confirmPeriod', { ...params, to: formatDay(String(data.to), ctx.locale) }) : ref('chat:suspend.confirmOpen', params);
      return ask(state, { name: 'suspend', step: 'confirm', data }, understood, question, yesNoChoices());
    }
    case 'visit': {
      if (input.kind === 'option' && input.action === 'menu') return toMenu(state, ctx, [], understood);
      const visits = person?.programme?.upcomingVisits ?? [];
      const m = input.kind === 'option' ? /^v(\d)$/.exec(input.action) : null;
      const visit = m ? visits[Number(m[1])] : input.kind === 'text' ? visitByText(visits, input.text, ctx) : undefined;
      if (!visit) return undefined;
      data.visitId = visit.id;
      data.visitStart = visit.startsAt;
      if (data.reason === 'move_visit') return ask(state, { name: 'suspend', step: 'new_when', data }, understood, ref('chat:suspend.askNewWhen'));
      return ask(state, { name: 'suspend', step: 'confirm', data }, understood, ref('chat:suspend.confirmCancel', { when: formatDayTime(visit.startsAt, ctx.locale) }), yesNoChoices());
    }
    case 'new_when': {
      if (input.kind !== 'text') return undefined;
      const said = understand(input.text, { now: ctx.now, locale: ctx.locale }).when;
      const when = whenToData(said);
      if (!when.date) return undefined;
      // "Alle 15": the same day at another hour, not today at 15 (the visit's day, or at the recap the new one).
      const kept = DateTime.fromISO(String(data.newStart ?? data.visitStart), { zone: ROME_ZONE });
      const date = said?.dayAssumed ? kept.toISODate() : (weekdayNearVisit(input.text, DateTime.fromISO(String(data.visitStart), { zone: ROME_ZONE })) ?? String(when.date));
      const time = String(when.time ?? kept.toFormat('HH:mm'));
      const start = `${date}T${time}`;
      const problem = checkStart(start, ctx.now, person?.livesAloneWithoutFamily ?? false, fc.data.comuni.find((c) => c.id === person?.comuneId)?.patronDay ?? null);
      if (problem) return ask(state, flow, understood, ref('chat:suspend.askNewWhen'), [], [say(problem)]);
      data.newStart = DateTime.fromISO(start, { zone: ROME_ZONE }).toISO() ?? start;
      return ask(state, { name: 'suspend', step: 'confirm', data }, understood, ref('chat:suspend.confirmMove', { from: formatDayTime(String(data.visitStart), ctx.locale), to: formatDayTime(String(data.newStart), ctx.locale) }), yesNoChoices());
    }
    case 'confirm': {
      // "No, dal 2 dicembre", "no, alle 16": new dates or a new hour change the recap, whatever word comes first.
      const said = input.kind === 'text' ? understand(input.text, { now: ctx.now, locale: ctx.locale }).when : undefined;
      if (said && (said.date || said.time)) {
        if (data.reason === 'move_visit') return suspendStep({ ...fc, flow: { ...flow, step: 'new_when' } }, input);
        if ((data.reason === 'hospital' || data.reason === 'holiday') && said.date && !said.dayAssumed) {
          const { to: _to, ...rest } = data;
          const afterFrom = suspendStep({ ...fc, flow: { ...flow, step: 'from', data: rest } }, input);
          const asking = afterFrom?.state.flow;
          if (!said.until || asking?.step !== 'to') return afterFrom;
          return suspendStep({ ...fc, state: afterFrom!.state, flow: asking }, { kind: 'option', action: `until_${said.until}` }) ?? afterFrom;
        }
      }
      const answer = input.kind === 'option' ? input.action : readYesNo(input.text);
      if (answer === 'no') return toMenu(state, ctx, [say('chat:common.cancelled')], understood);
      if (answer !== 'yes' || !person) return undefined;
      return recordSuspend(state, ctx, understood, person, data);
    }
  }
  return undefined;
}

/** The art. 13 reason a typed message names, if any. */
export function reasonFromText(text: string): string | undefined {
  const t = plain(text);
  if (/ospedal|ricover|hospital/.test(t)) return 'hospital';
  if (/vacanz|ferie|holiday|fuori casa|via per|al mare|in montagna/.test(t)) return 'holiday';
  if (/\brsa\b|casa di riposo|residenz|nursing home|care home/.test(t)) return 'permanent_admission';
  if (/\bmort|decedut|scompars|mancat|died|passed away/.test(t)) return 'death';
  if (/rinunc|non voglio piu|disdire il servizio|stop the service/.test(t)) return 'renunciation';
  if (/spost|anticip|rimand|\bmove\b/.test(t)) return 'move_visit';
  if (/annull|disdic|cancel/.test(t)) return 'cancel_visit';
  // Away for a while, said in everyday words: "vado da mia figlia", "sono via", "non ci sono".
  if (/\bvado (via|da|dai|dalla|dal|al|in)\b|\b(sono|saro|siamo|saremo) (via|fuori|lontan\w*|assent\w*)\b|\bnon (ci sono|ci saro|saro a casa|sono a casa)\b|\bparto\b|\baway\b/.test(t)) return 'holiday';
  return undefined;
}

const WEEKDAYS = /\b(lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/;
const WEEKDAY_NUMBER: Record<string, number> = { lunedi: 1, martedi: 2, mercoledi: 3, giovedi: 4, venerdi: 5, sabato: 6, domenica: 7, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };

/** Where a visit is moved to, said after the visit itself: "di giovedì a venerdì", "da martedì al 10 dicembre". */
const MOVE_TO = /\b(?:spost\w*|rimand\w*|anticip\w*|move\w*)\b.*?\b(?:lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|domani|oggi|\d{1,2}(?: \w+)?)\b.*?\b(?:a|al|ad|per|to)\s+((?:lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|domani|dopodomani|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{1,2}\b).*)$/;

/** An explicit date ("4 dicembre", "4/12"): a weekday said with it is not re-anchored. */
const EXPLICIT_DATE = /\b\d{1,2}\s*[/.-]\s*\d{1,2}\b|\b\d{1,2}\s+(gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic|jan|may|jun|jul|aug|sep|oct|dec)/;

/**
 * A new day for a visit said as a bare weekday ("a venerdì") is the one nearest the visit, three
 * days either way (Thursday the 3rd to Friday is the 4th, to Tuesday the 1st): the person means
 * that week, not the next Friday from today.
 */
export function weekdayNearVisit(text: string, visit: DateTime): string | undefined {
  const t = plain(text);
  const weekday = WEEKDAYS.exec(t)?.[1];
  if (!weekday || !visit.isValid || EXPLICIT_DATE.test(t) || /\b(prossim\w*|next|scors\w*|last)\b/.test(t)) return undefined;
  let delta = (((WEEKDAY_NUMBER[weekday]! - visit.weekday) % 7) + 7) % 7;
  if (delta > 3) delta -= 7;
  return visit.plus({ days: delta }).toISODate() ?? undefined;
}

/**
 * The visit a text names: by its date, else by the first weekday said ("la visita di mercoledì"
 * is the next visit on a Wednesday, as a person means it; the confirmation shows its date).
 */
function visitByText(visits: readonly { id: string; startsAt: string }[], text: string, ctx: TurnContext) {
  const local = (v: { startsAt: string }) => DateTime.fromISO(v.startsAt, { zone: ROME_ZONE });
  const date = readWhen(text, ctx).date;
  const byDate = date ? visits.find((v) => local(v).toISODate() === date) : undefined;
  if (byDate) return byDate;
  const weekday = WEEKDAYS.exec(plain(text))?.[1];
  if (!weekday) return undefined;
  return [...visits].sort((a, b) => a.startsAt.localeCompare(b.startsAt)).find((v) => local(v).weekday === WEEKDAY_NUMBER[weekday]);
}

function recordSuspend(state: EngineState, ctx: TurnContext, understood: Understood, person: LinkedPerson, data: Data): TurnResult {
  const programmeId = String(data.programmeId);
  if (data.reason === 'cancel_visit' || data.reason === 'move_visit') {
    return {
      state,
      replies: [],
      understood,
      effects: [{
        kind: 'create_request', requestKind: 'visit', personId: person.personId, comuneId: person.comuneId, programmeId, visitId: String(data.visitId),
        family: null, service: null, requestedStart: data.newStart ? (DateTime.fromISO(String(data.newStart)).toUTC().toISO() ?? null) : null, requestedText: String(data.reason),
      }],
      finish: (results) => toMenu(state, ctx, [say('chat:suspend.visitRecorded', { reference: results.reference ?? '' })], understood),
    };
  }
  const to = typeof data.to === 'string' ? data.to : null;
  return toMenu(state, ctx, [say('chat:suspend.recorded')], understood, [
    { kind: 'request_suspension', programmeId, fromDate: String(data.from), toDate: to, reason: String(data.reason) },
  ]);
}

export { startLink };
