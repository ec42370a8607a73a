import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatContext, LinkedPerson } from '../../../core/conversation/context.ts';
import { handleTurn, initialState, MAIN_MENU, MAX_READ_LENGTH, startConversation } from '../../../core/conversation/engine.ts';
import { looksLikeLinkCode, normaliseLinkCode } from '../../../core/conversation/flows/account.ts';
import { problemsNamedIn, streetIn, titledNameIn } from '../../../core/conversation/flows/report.ts';
import { comuneNamedIn, monthNamedIn, weekdayNearVisit } from '../../../core/conversation/flows/help.ts';
import { readYesNo } from '../../../core/conversation/kit.ts';
import { DateTime } from 'luxon';
import { officeStatus } from '../../../core/conversation/office-hours.ts';
import { cleanText } from '../../../core/conversation/service.ts';
import type { EngineState, TurnContext, TurnResult } from '../../../core/conversation/types.ts';
import { INTENTS } from '../../../core/nlu/types.ts';
import { createI18n, render } from '../../../locales/index.ts';

const NOW = new Date('2026-11-23T08:00:00Z'); // Monday 09:00 in Rome

const person = (over: Partial<LinkedPerson> = {}): LinkedPerson => ({
  personId: '11111111-1111-4111-8111-111111111111',
  givenName: 'Maria',
  self: true,
  comuneId: 'abbiategrasso',
  livesAloneWithoutFamily: true,
  programme: {
    id: '22222222-2222-4222-8222-222222222222',
    status: 'active',
    weeklyHours: 6,
    periodEnd: '2027-03-01',
    balance: 31,
    upcomingVisits: [{ id: '33333333-3333-4333-8333-333333333333', startsAt: '2026-11-24T08:00:00.000Z', hours: 2 }],
    questionnaireDue: false,
  },
  application: { id: '44444444-4444-4444-8444-444444444444', status: 'waiting_list', applicationDate: '2026-10-01', answerSentOn: null, position: 4, ahead: 3 },
  ...over,
});

const data = (over: Partial<ChatContext> = {}): ChatContext => ({
  linked: false,
  people: [],
  comuni: [
    { id: 'abbiategrasso', name: 'Abbiategrasso', officeAddress: 'Piazza Marconi 1', officeHours: { '1': ['09:00-12:00'] }, patronDay: null },
    { id: 'albairate', name: 'Albairate', officeAddress: null, officeHours: null, patronDay: null },
  ],
  providers: [{ name: 'Cooperativa Il Sole', kind: 'accredited_provider', phone: '02 1', availability: 'lun–sab', comuni: ['abbiategrasso'] }],
  myRequests: [],
  mySegnalazioni: [],
  ...over,
});

const ctx = (over: Partial<TurnContext> = {}): TurnContext => ({ now: NOW, locale: 'it', channel: 'web', handling: 'bot', data: data(), ...over });
const linkedCtx = (people: LinkedPerson[] = [person()]) => ctx({ data: data({ linked: true, people }) });
const keys = (turn: Pick<TurnResult, 'replies'>) => turn.replies.map((r) => r.text.key);
const option = (turn: TurnResult, action: string) => `m${turn.state.menu}.${action}`;

describe('conversation engine', () => {
  it('opens with privacy notice, greeting and the main menu, a person always last', () => {
    const turn = startConversation();
    expect(keys(turn)).toEqual(['chat:welcome.privacy', 'chat:welcome.greeting', 'chat:menu.prompt']);
    expect(turn.replies[2]!.options!.map((o) => o.id)).toEqual(MAIN_MENU.map((i) => `m1.${i}`));
    expect(MAIN_MENU.at(-1)).toBe('talk_to_operator');
  });

  it('answers the Telegram commands /help and /menu with the menu, not a person', () => {
    for (const text of ['/help', '/aiuto', '/menu', '/help@CentraleBot']) {
      const turn = handleTurn(initialState(), { kind: 'text', text }, ctx());
      expect(keys(turn), text).toEqual(['chat:menu.prompt']);
      expect(turn.effects, text).toEqual([]);
    }
  });

  it('hands over to a person when asked, by text or by option', () => {
    const byText = handleTurn(initialState(), { kind: 'text', text: 'voglio parlare con un operatore' }, ctx());
    expect(byText.effects).toEqual([{ kind: 'handover', urgent: false, reason: 'requested' }]);
    const start = startConversation();
    const byOption = handleTurn(start.state, { kind: 'option', optionId: 'm1.talk_to_operator' }, ctx());
    expect(byOption.understood.intent).toBe('talk_to_operator');
  });

  it('puts 112 first for an emergency in any state and any flow, even while staff handle it', () => {
    const inFlow = handleTurn(startConversation().state, { kind: 'option', optionId: 'm1.report_person' }, ctx()).state;
    for (const state of [initialState(), inFlow]) {
      for (const handling of ['bot', 'waiting', 'human'] as const) {
        for (const [text, first] of [
          ["c'è un incendio in casa", 'chat:emergency.fireCall'],
          ['mia madre è svenuta', 'chat:emergency.call112'],
        ] as const) {
          const turn = handleTurn(state, { kind: 'text', text }, ctx({ handling }));
          expect(turn.replies[0]!.text.key, text).toBe(first);
          expect(turn.effects).toEqual([{ kind: 'handover', urgent: true, reason: 'emergency' }]);
        }
      }
    }
  });

  it('says first what to do about gas or a fire, without an "if"', async () => {
    const i18n = await createI18n();
    const gas = handleTurn(initialState(), { kind: 'text', text: "la signora non apre la porta e c'è puzza di gas" }, ctx());
    expect(keys(gas)).toEqual(['chat:emergency.gasCall', 'chat:emergency.gasSteps', 'chat:emergency.alerted']);
    const text = gas.replies.map((r) => render(i18n, r.text, 'it')).join(' ');
    expect(text).toMatch(/^Chiami subito il 112/);
    expect(text).toMatch(/campanelli/);
    const fire = handleTurn(initialState(), { kind: 'text', text: 'the kitchen is on fire' }, ctx({ locale: 'en' }));
    expect(keys(fire)).toEqual(['chat:emergency.fireCall', 'chat:emergency.fireSteps', 'chat:emergency.alerted']);
  });

  it('stays silent while staff handle the conversation', () => {
    const turn = handleTurn(initialState(), { kind: 'text', text: 'buongiorno' }, ctx({ handling: 'human' }));
    expect(turn.replies).toEqual([]);
  });

  it('does not take a message written half a day after a question for its answer', () => {
    const asked = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per i pasti' }, ctx({ channel: 'sms' }));
    expect(asked.state).toMatchObject({ step: 'flow', at: NOW.toISOString() });
    const hours = (h: number) => new Date(NOW.getTime() + h * 3600_000);
    // An hour later "2" still picks the second comune.
    expect(handleTurn(asked.state, { kind: 'text', text: '2' }, ctx({ channel: 'sms', now: hours(1) })).state.flow?.data).toMatchObject({ comuneId: 'albairate' });
    // Three days later it is not an answer: the person is told the request was not sent.
    const later = handleTurn(asked.state, { kind: 'text', text: '2' }, ctx({ channel: 'sms', now: hours(72) }));
    expect(keys(later)[0]).toBe('chat:idle.dropped');
    expect(later.state.flow).toBeUndefined();
    expect(later.state.at).toBeUndefined();
    const greeting = handleTurn(asked.state, { kind: 'text', text: 'buongiorno sono ancora giuseppe' }, ctx({ now: hours(48) }));
    expect(keys(greeting)).toEqual(['chat:idle.dropped', 'chat:greeting', 'chat:menu.prompt']);
    // An old button is stale.
    expect(keys(handleTurn(asked.state, { kind: 'option', optionId: `m${asked.state.menu}.c1` }, ctx({ now: hours(48) })))).toContain('chat:staleOption');
  });

  it('while the conversation waits for an operator, says the message arrived, at most once in 15 minutes', () => {
    const asked = handleTurn(initialState(), { kind: 'text', text: 'voglio parlare con un operatore' }, ctx());
    expect(asked.state.heldAt).toBe(NOW.toISOString());
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    // Right after the handover, a "menu" or a "grazie" needs no second "an operator will answer".
    const soon = handleTurn(asked.state, { kind: 'text', text: 'menu' }, ctx({ handling: 'waiting', now: at(2) }));
    expect(soon.replies).toEqual([]);
    const later = handleTurn(soon.state, { kind: 'text', text: 'ci siete?' }, ctx({ handling: 'waiting', now: at(20) }));
    expect(keys(later)).toEqual(['chat:waiting.received']);
    expect(later.effects).toEqual([]);
    const button = handleTurn(later.state, { kind: 'option', optionId: 'm1.voucher_balance' }, ctx({ handling: 'waiting', now: at(25) }));
    expect(button.replies).toEqual([]);
    const next = handleTurn(button.state, { kind: 'option', optionId: 'm1.voucher_balance' }, ctx({ handling: 'waiting', now: at(36) }));
    expect(keys(next)).toEqual(['chat:waiting.received']);
    // After an emergency (no heldAt), the first follow-up is acknowledged at once; out of office
    // hours it also says when a person answers.
    const evening = new Date('2026-11-23T19:00:00Z');
    const afterAlarm = handleTurn(initialState(), { kind: 'text', text: 'devo chiamare i pompieri?' }, ctx({ handling: 'waiting', now: evening }));
    expect(keys(afterAlarm)).toEqual(['chat:waiting.received', 'chat:handover.closed']);
    // A state stored before this field existed still works.
    expect(handleTurn({ v: 1, menu: 1, step: 'menu' } as EngineState, { kind: 'text', text: 'ci siete?' }, ctx({ handling: 'waiting' })).replies).toHaveLength(1);
  });

  it('asks for the link code before showing any personal data', () => {
    const turn = handleTurn(startConversation().state, { kind: 'text', text: 'QUANTE ORE HO ANCORA' }, ctx());
    expect(keys(turn)).toEqual(['chat:link.why', 'chat:link.ask']);
    expect(JSON.stringify(turn.replies)).not.toMatch(/31|Maria/);
    const code = handleTurn(turn.state, { kind: 'text', text: 'acde 7fgh' }, ctx());
    expect(code.effects).toEqual([{ kind: 'link_identity', code: 'ACDE7FGH' }]);
    expect(keys(code.finish!({ link: { outcome: 'ok' } }))).toContain('chat:link.ok');
    expect(keys(code.finish!({ link: { outcome: 'wrong' } }))).toEqual(['chat:link.wrong', 'chat:link.ask']);
    expect(keys(code.finish!({ link: { outcome: 'limited' } }))[0]).toBe('chat:link.limited');
  });

  it('answers "orari servizi sociali" with the office and its hours alone, and "come si fa" with who may apply first', () => {
    const office = handleTurn(initialState(), { kind: 'text', text: 'orari servizi sociali abbiategrasso' }, ctx());
    expect(keys(office)).not.toContain('chat:apply.eligibility');
    expect(keys(office)).toContain('chat:apply.office');
    const how = handleTurn(initialState(), { kind: 'text', text: 'come si fa x avere aiuto in casa' }, ctx());
    expect(keys(how).slice(0, 2)).toEqual(['chat:apply.eligibility', 'chat:apply.documents']);
  });

  it('on SMS, ends an answer with one line on how to go on instead of the whole menu, and shows it on MENU or when lost', () => {
    const sms = { ...linkedCtx(), channel: 'sms' as const };
    const answer = handleTurn(initialState(), { kind: 'text', text: 'quante ore mi restano?' }, sms);
    expect(keys(answer).at(-1)).toBe('chat:menu.smsMore');
    expect(answer.state.opts).toBeUndefined();
    // A "2" now picks nothing from a list the person has not seen.
    expect(keys(handleTurn(answer.state, { kind: 'text', text: 'MENU' }, sms))).toEqual(['chat:menu.prompt']);
    expect(keys(handleTurn(answer.state, { kind: 'text', text: 'che tempo fa?' }, sms))).toEqual(['chat:unknown', 'chat:menu.prompt']);
    // The web chat and Telegram show their buttons as before.
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'quante ore mi restano?' }, linkedCtx())).at(-1)).toBe('chat:menu.prompt');
  });

  it('tells how notices of changes arrive when asked ("avvisatemi quando cambia qualcosa")', () => {
    const telegram = { ...linkedCtx(), channel: 'telegram' as const };
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'avvisatemi quando cambia qualcosa' }, telegram))[0]).toBe('chat:notify.linked');
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'mi avvisate quando la cooperativa conferma?' }, telegram))[0]).toBe('chat:notify.linked');
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'vorrei essere avvisata quando cambia qualcosa' }, ctx({ channel: 'sms' })))).toEqual(['chat:notify.notLinked', 'chat:link.ask']);
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'avvisatemi quando cambia qualcosa' }, linkedCtx()))[0]).toBe('chat:notify.web');
  });

  it('answers voucher hours in one turn once linked', () => {
    const turn = handleTurn(startConversation().state, { kind: 'text', text: 'quante ore mi restano?' }, linkedCtx());
    expect(keys(turn).slice(0, 3)).toEqual(['chat:balance.hoursSelf', 'chat:balance.periodEnd', 'chat:balance.nextVisit']);
    expect(turn.replies[0]!.text.params).toEqual({ hours: 31 });
  });

  it('answers "viene mercoledì?" with a yes and the time, or a no and the next visit', async () => {
    const i18n = await createI18n();
    // The one visit is Tuesday 24 November at 09:00 (Rome), for 2 hours.
    const yes = handleTurn(initialState(), { kind: 'text', text: 'DOMANI VIENE LA SIGNORA?' }, linkedCtx());
    expect(keys(yes)).toEqual(['chat:balance.visitOnDay', 'chat:menu.prompt']);
    expect(render(i18n, yes.replies[0]!.text, 'it')).toBe('Sì: martedì 24 novembre la visita è alle 09:00, per 2 ore.');
    const no = handleTurn(initialState(), { kind: 'text', text: 'VIENE MERCOLEDI?' }, linkedCtx());
    expect(keys(no)).toEqual(['chat:balance.noVisitOnDay', 'chat:balance.nextVisit', 'chat:menu.prompt']);
    expect(render(i18n, no.replies[0]!.text, 'it')).toBe("No, mercoledì 25 novembre non c'è una visita.");
    // Beyond the visits loaded (three, the last on Friday), a day is not known: the next visit only.
    const visits = ['2026-11-24', '2026-11-25', '2026-11-27'].map((d, i) => ({ id: `3333333${i}-3333-4333-8333-333333333333`, startsAt: `${d}T08:00:00.000Z`, hours: 1 }));
    const full = person({ programme: { ...person().programme!, upcomingVisits: visits } });
    const later = handleTurn(initialState(), { kind: 'text', text: 'viene lunedi?' }, linkedCtx([full]));
    expect(keys(later)).toEqual(['chat:balance.nextVisitOne', 'chat:menu.prompt']);
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'viene giovedi?' }, linkedCtx([full])))[0]).toBe('chat:balance.noVisitOnDay');
  });

  it('answers "quando viene l\'operatrice?" with the next visit alone, for whoever it is about', () => {
    const turn = handleTurn(initialState(), { kind: 'text', text: "quando viene l'operatrice?" }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:balance.nextVisit', 'chat:menu.prompt']);
    expect(turn.effects).toEqual([{ kind: 'record_read', personId: person().personId, what: 'balance' }]);
    const people = [person({ self: false, givenName: 'Franco' }), person({ personId: '55555555-5555-4555-8555-555555555555', self: false, givenName: 'Anna' })];
    const ask = handleTurn(initialState(), { kind: 'text', text: 'quando è la prossima visita?' }, linkedCtx(people));
    expect(keys(ask)).toEqual(['chat:who.ask']);
    // About someone else, the answer says whom it is about.
    const anna = handleTurn(ask.state, { kind: 'text', text: 'per anna' }, linkedCtx(people));
    expect(keys(anna)).toEqual(['chat:balance.nextVisitOther', 'chat:menu.prompt']);
    expect(anna.replies[0]!.text.params).toMatchObject({ name: 'Anna', hours: 2 });
    const franco = person({ self: false, givenName: 'Franco' });
    const noVisits = { ...franco, programme: { ...franco.programme!, upcomingVisits: [] } };
    const alone = handleTurn(initialState(), { kind: 'text', text: "quando viene l'operatrice?" }, linkedCtx([noVisits]));
    expect(keys(alone)).toEqual(['chat:balance.noVisitOther', 'chat:menu.prompt']);
    expect(alone.replies[0]!.text.params).toEqual({ name: 'Franco' });
  });

  it('asks "per chi?" when the identity acts for several people, by name or button', () => {
    const people = [person({ self: false, givenName: 'Franco' }), person({ personId: '55555555-5555-4555-8555-555555555555', self: false, givenName: 'Anna', programme: null })];
    const ask = handleTurn(initialState(), { kind: 'text', text: 'quante ore restano' }, linkedCtx(people));
    expect(keys(ask)).toEqual(['chat:who.ask']);
    const anna = handleTurn(ask.state, { kind: 'text', text: 'per anna' }, linkedCtx(people));
    expect(keys(anna)[0]).toBe('chat:balance.noneOther');
    const franco = handleTurn(ask.state, { kind: 'option', optionId: option(ask, 'p0') }, linkedCtx(people));
    expect(franco.replies[0]!.text).toMatchObject({ key: 'chat:balance.hoursOther', params: { name: 'Franco', hours: 31 } });
  });

  it('tells the application status and waiting-list place', () => {
    const turn = handleTurn(initialState(), { kind: 'option', optionId: 'm0.application_status' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:application.statusLine', 'chat:application.position', 'chat:application.anythingElse']);
    expect(turn.replies[1]!.text.params).toEqual({ position: 4, ahead: 3 });
  });

  it('goes from a first message saying what and when to a confirmed visit request in 2 turns', () => {
    const first = handleTurn(startConversation().state, { kind: 'text', text: 'vorrei aiuto per il bagno giovedi alle 10' }, linkedCtx());
    expect(first.understood).toMatchObject({ intent: 'request_help', family: '3' });
    expect(keys(first)).toEqual(['chat:understoodService', 'chat:help.confirm']);
    const yes = handleTurn(first.state, { kind: 'text', text: 'si' }, linkedCtx());
    expect(yes.effects[0]).toMatchObject({ kind: 'create_request', requestKind: 'visit', requestedStart: '2026-11-26T09:00:00.000Z', family: '3' });
    expect(keys(yes.finish!({ reference: 'R-1042' }))).toEqual(['chat:help.recorded', 'chat:help.kindVisit', 'chat:menu.prompt']);
  });

  it('at the recap, a typed "cambiare giorno" or "vorrei spostarlo" asks the day again (it read as a suspension)', () => {
    for (const text of ['cambiare giorno', 'Cambiare giorno o ora', 'vorrei spostarlo', 'meglio un altro giorno']) {
      const first = handleTurn(startConversation().state, { kind: 'text', text: 'vorrei aiuto per il bagno giovedi alle 10' }, linkedCtx());
      const change = handleTurn(first.state, { kind: 'text', text }, linkedCtx());
      expect(keys(change), text).toEqual(['chat:help.askWhen']);
      expect(change.state.flow, text).toMatchObject({ name: 'help', step: 'when' });
    }
  });

  it("a delegate reads whose application it is, and changes that person's contacts knowingly", async () => {
    const i18n = await createI18n();
    const franco = person({ self: false, givenName: 'Franco' });
    let turn = handleTurn(initialState(), { kind: 'text', text: 'a che punto è la domanda?' }, linkedCtx([franco]));
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe("La domanda di Franco del 1 ottobre 2026: in lista d'attesa.");
    const options = turn.replies.at(-1)!.options!;
    expect(render(i18n, options[0]!.label, 'it')).toBe('Cambiare i recapiti di Franco');
    for (const [kind, value] of [['option', 'update_contacts'], ['option', 'address'], ['text', 'via Roma 3, Albairate'], ['text', 'sì']] as const) {
      turn = handleTurn(turn.state, kind === 'option' ? { kind, optionId: option(turn, value) } : { kind, text: value }, linkedCtx([franco]));
    }
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe("Grazie. L'assistente sociale controllerà e aggiornerà la scheda di Franco.");
    expect(turn.effects[0]).toMatchObject({ kind: 'propose_change', personId: franco.personId, changes: { address: 'via Roma 3, Albairate' } });
    // "Ho cambiato indirizzo" from a delegate may be their own address: a person is offered instead.
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'ho cambiato indirizzo' }, linkedCtx([franco])))).toEqual(['chat:offer.newDetails']);
  });

  it('"ho cambiato indirizzo" from a linked person goes straight to the change of contacts, checked by staff', () => {
    let turn = handleTurn(initialState(), { kind: 'text', text: 'ho cambiato indirizzo' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:application.askValue.address']);
    turn = handleTurn(turn.state, { kind: 'text', text: 'via Verdi 3, Albairate' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:application.confirmChange']);
    turn = handleTurn(turn.state, { kind: 'text', text: 'sì' }, linkedCtx());
    expect(turn.effects).toEqual([{ kind: 'propose_change', personId: person().personId, applicationId: person().application!.id, changes: { address: 'via Verdi 3, Albairate' } }]);
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'ecco il mio nuovo numero di telefono' }, linkedCtx()))).toEqual(['chat:application.askValue.phone']);
    // A delegate of two people is offered a person instead.
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'ho cambiato indirizzo' }, linkedCtx([person(), person({ personId: '55555555-5555-4555-8555-555555555555', givenName: 'Franco', self: false })])))).toEqual(['chat:offer.newDetails']);
  });

  it('at the recap, a new day or time is taken as the change it is, even after "no" (it cancelled the request)', () => {
    const cases: [string, string][] = [
      ['no, meglio venerdì', '2026-11-27T09:00:00.000Z'], // Friday, the time kept
      ['sì, ma alle 11', '2026-11-26T10:00:00.000Z'], // Thursday kept, 11:00 in Rome
      ['venerdì pomeriggio', '2026-11-27T14:00:00.000Z'],
    ];
    for (const [text, start] of cases) {
      const first = handleTurn(startConversation().state, { kind: 'text', text: 'vorrei aiuto per il bagno giovedi alle 10' }, linkedCtx());
      const changed = handleTurn(first.state, { kind: 'text', text }, linkedCtx());
      expect(keys(changed), text).toEqual(['chat:help.confirm']);
      const yes = handleTurn(changed.state, { kind: 'text', text: 'sì' }, linkedCtx());
      expect(yes.effects[0], text).toMatchObject({ kind: 'create_request', requestedStart: start });
    }
    // A plain "no" still leaves everything.
    const first = handleTurn(startConversation().state, { kind: 'text', text: 'vorrei aiuto per il bagno giovedi alle 10' }, linkedCtx());
    expect(keys(handleTurn(first.state, { kind: 'text', text: 'no' }, linkedCtx()))).toEqual(['chat:common.cancelled', 'chat:menu.prompt']);
  });

  it("lists a comune's providers without a placeholder for a phone or a timetable it does not know", async () => {
    const i18n = await createI18n();
    const providers: ChatContext['providers'] = [
      { name: 'Cooperativa Il Sole', kind: 'accredited_provider', phone: '02 1234567', availability: 'lun–sab 8–20', comuni: ['albairate'] },
      { name: 'Cooperativa La Rete', kind: 'accredited_provider', phone: null, availability: 'lun–ven 8–19', comuni: ['albairate'] },
      { name: 'Cooperativa Aurora', kind: 'accredited_provider', phone: '02 7654321', availability: null, comuni: ['albairate'] },
      { name: 'Cooperativa Nuova', kind: 'accredited_provider', phone: null, availability: null, comuni: ['albairate'] },
    ];
    const turn = handleTurn(initialState(), { kind: 'text', text: 'che fornitori ci sono ad albairate?' }, ctx({ data: data({ providers }) }));
    const texts = turn.replies.map((r) => render(i18n, r.text, 'it'));
    expect(texts.slice(1, 5)).toEqual([
      'Cooperativa Il Sole — telefono 02 1234567 — lun–sab 8–20',
      'Cooperativa La Rete — lun–ven 8–19',
      'Cooperativa Aurora — telefono 02 7654321',
      'Cooperativa Nuova',
    ]);
  });

  it('takes the comune named in the first message instead of asking for it', () => {
    const help = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per la spesa, abito ad Albairate' }, ctx());
    expect(keys(help)).toEqual(['chat:understoodService', 'chat:help.askWhen']);
    expect(help.state.flow?.data).toMatchObject({ comuneId: 'albairate' });
    const apply = handleTurn(initialState(), { kind: 'text', text: 'come si fa domanda per il voucher ad Albairate?' }, ctx());
    expect(keys(apply)).toEqual(['chat:apply.eligibility', 'chat:apply.documents', 'chat:apply.officeUnknown', 'chat:apply.askPre']);
    expect(apply.replies[2]!.text.params).toEqual({ comune: 'Albairate' });
    // Without a comune named, it is asked.
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'che fornitori ci sono?' }, ctx()))).toEqual(['chat:providers.askComune']);
  });

  it('names a request known only by its family in words, never by its number', async () => {
    const i18n = await createI18n();
    const first = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per lavarmi giovedì alle 10' }, linkedCtx());
    expect(first.understood).toMatchObject({ intent: 'request_help', family: '2' });
    expect(first.understood.code).toBeUndefined();
    const texts = first.replies.map((r) => render(i18n, r.text, 'it'));
    expect(texts[0]).toBe('Ho capito: Igiene personale.');
    expect(texts[1]).toMatch(/^Ricapitolo: Igiene personale, per Lei, giovedì 26 novembre alle 10:00\./);
  });

  it('checks the requested time against art. 8 and asks again', () => {
    const first = handleTurn(initialState(), { kind: 'text', text: 'aiuto per la spesa sabato alle 21' }, linkedCtx());
    expect(keys(first)).toContain('chat:help.outsideHours');
    expect(first.state.flow).toMatchObject({ name: 'help', step: 'when' });
    const past = handleTurn(initialState(), { kind: 'text', text: 'aiuto per la spesa oggi alle 8' }, linkedCtx());
    expect(keys(past)).toContain('chat:help.past');
  });

  it('makes an on-demand request without an active programme', () => {
    const p = person({ programme: null });
    const first = handleTurn(initialState(), { kind: 'text', text: 'aiuto per le pulizie mercoledì alle 15' }, linkedCtx([p]));
    const yes = handleTurn(first.state, { kind: 'option', optionId: option(first, 'yes') }, linkedCtx([p]));
    expect(yes.effects[0]).toMatchObject({ kind: 'create_request', requestKind: 'on_demand', programmeId: null });
  });

  it('records a suspension request with dates', () => {
    let turn = handleTurn(initialState(), { kind: 'text', text: 'devo sospendere il servizio' }, linkedCtx());
    turn = handleTurn(turn.state, { kind: 'option', optionId: option(turn, 'holiday') }, linkedCtx());
    turn = handleTurn(turn.state, { kind: 'text', text: 'dal 10 dicembre' }, linkedCtx());
    turn = handleTurn(turn.state, { kind: 'option', optionId: option(turn, 'unknown') }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:suspend.confirmOpen']);
    turn = handleTurn(turn.state, { kind: 'text', text: 'sì' }, linkedCtx());
    expect(turn.effects).toEqual([{ kind: 'request_suspension', programmeId: person().programme!.id, fromDate: '2026-12-10', toDate: null, reason: 'holiday' }]);
  });

  it('does not ask a reporter who they are when the first message says it', () => {
    const portiere = handleTurn(initialState(), { kind: 'text', text: 'sono il portiere di via Roma 12, la signora del secondo piano non esce da giorni' }, ctx());
    expect(portiere.understood.intent).toBe('report_person');
    expect(keys(portiere)).toEqual(['chat:report.intro', 'chat:report.askReporterName']);
    expect(portiere.state.flow).toMatchObject({ name: 'report', step: 'reporter_name', data: { role: 'portiere' } });
    // Someone mentioned is not the writer: "la figlia" is the subject's daughter.
    const mentioned = handleTurn(initialState(), { kind: 'text', text: 'vorrei segnalare la signora del terzo piano, la figlia non viene mai' }, ctx());
    expect(keys(mentioned)).toEqual(['chat:report.intro', 'chat:report.askRole']);
  });

  it('takes a segnalazione and, on immediate risk, says 112 first and records it at once', () => {
    let turn = handleTurn(initialState(), { kind: 'text', text: 'vorrei segnalare una signora del palazzo' }, ctx());
    expect(turn.understood.intent).toBe('report_person');
    for (const answer of ['portiere', 'Ahmed', 'Maria Ferri', 'via Roma 3 Abbiategrasso', 'non ritira la posta', 'no']) {
      turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
    }
    expect(keys(turn)).toEqual(['chat:report.askAlone']);
    turn = handleTurn(turn.state, { kind: 'text', text: 'si' }, ctx());
    turn = handleTurn(turn.state, { kind: 'text', text: 'non so' }, ctx());
    turn = handleTurn(turn.state, { kind: 'option', optionId: option(turn, 'yes') }, ctx());
    expect(keys(turn)).toEqual(['chat:emergency.call112', 'chat:emergency.alerted']);
    expect(turn.effects.map((e) => e.kind)).toEqual(['create_segnalazione', 'handover']);
    expect(turn.effects[0]).toMatchObject({ comuneId: 'abbiategrasso', urgency: 'immediate', livesAlone: true, personAware: null, problems: ['not_seen'] });
  });


  it("keeps a reporter's first message: its words go with the report, the comune it names is used, every problem told is listed", async () => {
    const i18n = await createI18n();
    const opening = 'Buongiorno, sono il portiere di via Roma 12 ad Abbiategrasso. La signora Bianchi del terzo piano non esce più di casa';
    let turn = handleTurn(initialState(), { kind: 'text', text: opening }, ctx());
    expect(turn.state.flow).toMatchObject({ name: 'report', step: 'reporter_name', data: { role: 'portiere', opening } });
    // A number is no name: asked again.
    turn = handleTurn(turn.state, { kind: 'text', text: '3331234567' }, ctx());
    expect(turn.state.flow).toMatchObject({ step: 'reporter_name' });
    for (const answer of ['Giuseppe Rossi', 'la signora Bianchi', 'via Roma 12, terzo piano']) turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
    // The address names no comune, the first message did; it told the problem too: neither is asked.
    expect(keys(turn)).toEqual(['chat:report.askDetails']);
    // A problem added afterwards joins the one told first.
    turn = handleTurn(turn.state, { kind: 'text', text: 'non riesce a fare la spesa e non esce più' }, ctx());
    for (const answer of ['sì', 'sì', 'no', 'sì']) turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
    expect(keys(turn)).toEqual(['chat:report.confirmMany']);
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe(
      'Ricapitolo: la signora Bianchi, via Roma 12, terzo piano, Abbiategrasso. Problemi: non si vede da giorni; non mangia o non fa la spesa. Invio la segnalazione?',
    );
    turn = handleTurn(turn.state, { kind: 'text', text: 'sì' }, ctx());
    expect(turn.effects[0]).toMatchObject({
      comuneId: 'abbiategrasso',
      problems: ['not_seen', 'not_eating'],
      urgency: 'high',
      details: `${opening} — non riesce a fare la spesa e non esce più`,
    });
  });

  it('adds a detail written at the recap to the report instead of starting it again, and does not ask what was told', async () => {
    const i18n = await createI18n();
    let turn = handleTurn(initialState(), { kind: 'text', text: 'vorrei segnalare una persona' }, ctx());
    for (const answer of ['portiere', 'Ahmed', 'Ferri', 'via Dante 12, Abbiategrasso', 'non ritira la posta']) turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
    expect(keys(turn)).toEqual(['chat:report.askDetails']);
    // "vive sola" answers the next question before it is asked.
    turn = handleTurn(turn.state, { kind: 'text', text: 'ha 80 anni, vive sola' }, ctx());
    expect(keys(turn)).toEqual(['chat:report.askAware']);
    // More about the person, mid-questions, is not a new report.
    const more = handleTurn(turn.state, { kind: 'text', text: 'la signora Ferri vive sola e non la vedo da una settimana' }, ctx());
    expect(more.state.flow).toMatchObject({ name: 'report', step: 'aware' });
    for (const answer of ['no', 'no', 'sì']) turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
    expect(keys(turn)).toEqual(['chat:report.confirm']);
    turn = handleTurn(turn.state, { kind: 'text', text: 'aspetta, è al terzo piano scala B' }, ctx());
    expect(keys(turn)).toEqual(['chat:report.added', 'chat:report.confirm']);
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe('Ho aggiunto alla segnalazione: "aspetta, è al terzo piano scala B".');
    // Another request at the recap is still answered as one.
    expect(handleTurn(turn.state, { kind: 'text', text: 'voglio parlare con un operatore' }, ctx()).effects).toEqual([{ kind: 'handover', urgent: false, reason: 'requested' }]);
    turn = handleTurn(turn.state, { kind: 'text', text: 'sì' }, ctx());
    expect(turn.effects[0]).toMatchObject({ subjectName: 'Ferri', livesAlone: true, details: 'non ritira la posta — ha 80 anni, vive sola — aspetta, è al terzo piano scala B' });
  });

  it("offers the name and the street of a reporter's first message as one-tap answers", async () => {
    const i18n = await createI18n();
    const opening = 'sono il portiere di via Giuseppe Garibaldi 120 scala B ad Abbiategrasso, la signora Maria Giuseppina Rossi Bianchi del quarto piano non esce da giorni';
    let turn = handleTurn(initialState(), { kind: 'text', text: opening }, ctx());
    turn = handleTurn(turn.state, { kind: 'text', text: 'Mario Verdi' }, ctx());
    expect(keys(turn)).toEqual(['chat:report.askSubjectName']);
    expect(turn.replies[0]!.options!.map((o) => render(i18n, o.label, 'it'))).toEqual(['Maria Giuseppina Rossi Bianchi']);
    turn = handleTurn(turn.state, { kind: 'option', optionId: turn.replies[0]!.options![0]!.id }, ctx());
    expect(turn.replies[0]!.options!.map((o) => render(i18n, o.label, 'it'))).toEqual(['via Giuseppe Garibaldi 120 scala B']);
    turn = handleTurn(turn.state, { kind: 'option', optionId: turn.replies[0]!.options![0]!.id }, ctx());
    expect(keys(turn)).toEqual(['chat:report.askDetails']);
    for (const answer of ['no', 'sì', 'sì', 'no', 'sì']) turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe('Ricapitolo: Maria Giuseppina Rossi Bianchi, via Giuseppe Garibaldi 120 scala B, Abbiategrasso. Problema: non si vede da giorni. Invio la segnalazione?');
    // Nothing to offer when the first message names nobody and no street: the questions come bare.
    turn = handleTurn(initialState(), { kind: 'text', text: 'sono la vicina, la signora del terzo piano non esce più di casa da una settimana' }, ctx());
    turn = handleTurn(turn.state, { kind: 'text', text: 'Lucia' }, ctx());
    expect(turn.replies[0]!.options ?? []).toEqual([]);
  });

  it('offers an operator at once to someone without a link code', () => {
    for (const answer of ['option', 'non ho il codice'] as const) {
      let turn = handleTurn(initialState(), { kind: 'text', text: 'quante ore mi restano?' }, ctx());
      turn = handleTurn(turn.state, answer === 'option' ? { kind: 'option', optionId: option(turn, 'no_code') } : { kind: 'text', text: answer }, ctx());
      expect(keys(turn)).toEqual(['chat:offer.linkCode']);
      turn = handleTurn(turn.state, { kind: 'option', optionId: option(turn, 'yes') }, ctx());
      expect(turn.effects).toEqual([expect.objectContaining({ kind: 'handover' })]);
    }
  });

  it('asks to write an answer again, not to choose, when the question offered nothing to choose', () => {
    let turn = handleTurn(initialState(), { kind: 'text', text: 'sono la vicina, la signora del terzo piano non esce più di casa da una settimana' }, ctx());
    turn = handleTurn(turn.state, { kind: 'text', text: 'Lucia' }, ctx());
    turn = handleTurn(turn.state, { kind: 'text', text: '1' }, ctx());
    expect(keys(turn)).toEqual(['chat:notUnderstoodFree', 'chat:report.askSubjectName']);
    turn = handleTurn(turn.state, { kind: 'text', text: 'Ada Neri' }, ctx());
    turn = handleTurn(turn.state, { kind: 'text', text: 'via Verdi 3' }, ctx());
    // The comune question has choices: "scelga una voce" is right there.
    turn = handleTurn(turn.state, { kind: 'text', text: 'boh' }, ctx());
    expect(keys(turn)[0]).toBe('chat:notUnderstood');
  });

  it('reads a titled name and a street with its number, nothing else', () => {
    expect(titledNameIn('la signora Bianchi del terzo piano')).toBe('Bianchi');
    expect(titledNameIn('La sig.ra Anna Verdi non esce')).toBe('Anna Verdi');
    expect(titledNameIn('il signor De Luca è caduto')).toBe('De Luca');
    expect(titledNameIn('Mrs Ferri has not collected her post')).toBe('Ferri');
    expect(problemsNamedIn('Mrs Ferri has not collected her post for a week')).toEqual(['not_seen']);
    expect(titledNameIn('la signora del terzo piano non esce')).toBeUndefined();
    expect(titledNameIn('vorrei segnalare una signora anziana')).toBeUndefined();
    expect(streetIn('sono il portiere di via Roma 12, la signora')).toBe('via Roma 12');
    expect(streetIn('abita in piazza Marconi 3/A al secondo piano')).toBe('piazza Marconi 3/A');
    expect(streetIn('Corso Italia 45 scala C, interno 9')).toBe('Corso Italia 45 scala C');
    expect(streetIn('abita in via Roma, vicino alla chiesa')).toBeUndefined();
    expect(streetIn('la via è lunga 3 km')).toBeUndefined();
  });

  it('asks the comune when the first message names none, or two', () => {
    for (const opening of ['sono la vicina, la signora accanto non esce più di casa da una settimana', 'sono la vicina di Albairate, la signora che abita ad Abbiategrasso non esce più']) {
      let turn = handleTurn(initialState(), { kind: 'text', text: opening }, ctx());
      for (const answer of ['Lucia', 'Ada Neri', 'via Verdi 3']) turn = handleTurn(turn.state, { kind: 'text', text: answer }, ctx());
      expect(keys(turn)).toEqual(['chat:report.askComune']);
    }
  });
  it('answers the status of its own references only', () => {
    const known = ctx({ data: data({ mySegnalazioni: [{ reference: 'S-1043', status: 'taken_in_charge' }] }) });
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'S-1043' }, known))[0]).toBe('chat:status.reportLine');
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'S-2000' }, known))[0]).toBe('chat:status.notFound');
  });

  it('tells when a person will answer when the office is closed', () => {
    const saturday = handleTurn(initialState(), { kind: 'text', text: 'operatore' }, { ...linkedCtx(), now: new Date('2026-11-28T10:00:00Z') });
    expect(keys(saturday)).toEqual(['chat:handover.done', 'chat:handover.closed']);
    expect(JSON.stringify(saturday.replies[1]!.text.params)).toMatch(/lunedì 30 novembre.*09:00/);
    // Early on its opening day the office opens "oggi"; the evening before, "domani".
    const early = handleTurn(initialState(), { kind: 'text', text: 'operatore' }, { ...linkedCtx(), now: new Date('2026-11-23T07:15:00Z') });
    expect(early.replies[1]!.text.params).toEqual({ when: { key: 'chat:fmt.todayAt', params: { time: '09:00' } } });
    const evening = handleTurn(initialState(), { kind: 'text', text: 'operatore' }, { ...linkedCtx(), now: new Date('2026-11-22T19:00:00Z') });
    expect(evening.replies[1]!.text.params).toEqual({ when: { key: 'chat:fmt.tomorrowAt', params: { time: '09:00' } } });
  });

  it('recognises options from an old menu, and numbers typed for numbered choices', () => {
    const first = startConversation();
    const second = handleTurn(first.state, { kind: 'text', text: 'ciao' }, ctx());
    const stale = handleTurn(second.state, { kind: 'option', optionId: 'm1.request_help' }, ctx());
    expect(stale.replies[0]!.text.key).toBe('chat:staleOption');
    const two = handleTurn(second.state, { kind: 'text', text: '2' }, ctx());
    expect(two.understood.intent).toBe('voucher_balance');
  });

  it('asks politely for a shorter message, and for words when there are none, then repeats the question', () => {
    expect(handleTurn(initialState(), { kind: 'text', text: 'a'.repeat(MAX_READ_LENGTH + 1) }, ctx()).replies[0]!.text.key).toBe('chat:tooLong');
    expect(handleTurn(initialState(), { kind: 'text', text: '😀😀' }, ctx()).replies[0]!.text.key).toBe('chat:noText');
    const report = handleTurn(startConversation().state, { kind: 'option', optionId: 'm1.report_person' }, ctx());
    const emoji = handleTurn(report.state, { kind: 'text', text: '😀' }, ctx());
    expect(keys(emoji)).toEqual(['chat:noText', 'chat:report.askRole']);
  });

  it('resumes from a stored state, and from garbage as a fresh one', () => {
    const start = startConversation();
    const restored = JSON.parse(JSON.stringify(start.state)) as EngineState;
    expect(handleTurn(restored, { kind: 'option', optionId: 'm1.report_person' }, ctx()).understood.intent).toBe('report_person');
    const fromGarbage = handleTurn({ nonsense: true } as unknown as EngineState, { kind: 'text', text: 'ciao' }, ctx());
    expect(fromGarbage.understood.intent).toBe('greeting');
  });

  it('never throws and always answers with a known intent, in any flow state (property)', () => {
    // Reach real flow states by walking a few steps, then throw anything at them.
    const seeds: EngineState[] = [initialState(), startConversation().state];
    for (const optionId of ['m1.report_person', 'm1.request_help', 'm1.voucher_balance', 'm1.more', 'm1.application_status']) {
      seeds.push(handleTurn(startConversation().state, { kind: 'option', optionId }, linkedCtx()).state);
      seeds.push(handleTurn(startConversation().state, { kind: 'option', optionId }, ctx()).state);
    }
    const inputArb = fc.oneof(
      fc.string({ maxLength: 2000 }).map((text) => ({ kind: 'text' as const, text })),
      fc.string({ unit: 'grapheme', maxLength: 50 }).map((text) => ({ kind: 'text' as const, text })),
      fc.constantFrom('si', 'no', '1', '3', '12', 'menu', 'domani alle 10', 'Albairate', 'R-1001').map((text) => ({ kind: 'text' as const, text })),
      fc.string({ maxLength: 40 }).map((optionId) => ({ kind: 'option' as const, optionId })),
      fc.nat(12).map((n) => ({ kind: 'option' as const, optionId: `m2.${['yes', 'no', 'p0', 'c1', 'f3', 'v0', 'menu', 'skip', 'portiere', 'holiday', 'unknown', 'very', 'x'][n]}` })),
    );
    fc.assert(
      fc.property(fc.constantFrom(...seeds), inputArb, fc.constantFrom('bot' as const, 'waiting' as const, 'human' as const), fc.boolean(), (state, input, handling, isLinked) => {
        const turn = handleTurn(state, input, isLinked ? { ...linkedCtx(), handling } : ctx({ handling }));
        expect(INTENTS).toContain(turn.understood.intent);
        if (handling === 'bot') expect(turn.replies.length + (turn.finish ? 1 : 0)).toBeGreaterThan(0);
        for (const r of turn.replies) expect(r.text.key).toMatch(/^chat:/);
        if (turn.finish) turn.finish({ reference: 'R-1', link: { outcome: 'wrong' } });
      }),
      { seed: 20261122, numRuns: 600 },
    );
  });
});

describe('link codes and office hours', () => {
  it('reads a code however it is typed, and not an ordinary word', () => {
    expect(normaliseLinkCode('acde-7fgh')).toBe('ACDE7FGH');
    expect(normaliseLinkCode('il codice è ACDE 7FGH')).toBe('ACDE7FGH');
    expect(normaliseLinkCode('ABCD-EFGH')).toBeUndefined(); // B is not in the alphabet
    expect(looksLikeLinkCode('ACDE-7FGH')).toBe(true);
    expect(looksLikeLinkCode('mangiare')).toBe(false);
  });

  it('takes a code that starts like a reference number ("r393 kq7m") as a code, and "R-393" as a reference', () => {
    // Codes are random: about one in 2,500 holds a letter R and three digits in a row (a CI run met one).
    const code = handleTurn(initialState(), { kind: 'text', text: 'r393 kq7m' }, ctx());
    expect(code.effects).toEqual([{ kind: 'link_identity', code: 'R393KQ7M' }]);
    const reference = handleTurn(initialState(), { kind: 'text', text: 'a che punto è la R-393?' }, ctx());
    expect(reference.effects).toEqual([]);
    expect(keys(reference)[0]).toMatch(/^chat:status\./);
  });

  it('skips holidays and the patron day to the next opening', () => {
    const hours = { '1': ['09:00-12:00'], '2': ['09:00-12:00'], '3': ['09:00-12:00'] };
    expect(officeStatus(hours, new Date('2026-11-23T09:00:00Z'))).toEqual({ open: true });
    // Monday 7 Dec evening → Tue 8 Dec holiday, Wed 9 Dec patron day → Monday 14.
    expect(officeStatus(hours, new Date('2026-12-07T17:00:00Z'), '12-09').nextOpening).toMatch(/^2026-12-14T09:00/);
    expect(officeStatus(null, new Date('2026-11-28T10:00:00Z')).nextOpening).toMatch(/^2026-11-30T09:00/);
  });
});

describe('cleanText', () => {
  it('drops NUL and control characters, keeps line breaks, repairs lone surrogates', () => {
    expect(cleanText('a\u0000b\u0007c\nd\te')).toBe('abc\nd\te');
    expect(cleanText('x\ud800y')).toBe('x\ufffdy');
    expect(cleanText('cafe\u0301')).toBe('café');
  });
});

describe('suspension said in one message', () => {
  it('reads the reason and the dates from "vado in ospedale dal 10 al 20 dicembre"', () => {
    const turn = handleTurn(initialState(), { kind: 'text', text: 'vado in ospedale dal 10 al 20 dicembre, sospendete il servizio' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:suspend.confirmPeriod']);
    const yes = handleTurn(turn.state, { kind: 'text', text: 'si' }, linkedCtx());
    expect(yes.effects).toEqual([{ kind: 'request_suspension', programmeId: person().programme!.id, fromDate: '2026-12-10', toDate: '2026-12-20', reason: 'hospital' }]);
  });

  it('reads an absence told in everyday words: "la settimana prossima vado da mia figlia" is next Monday to Sunday', async () => {
    const i18n = await createI18n();
    const turn = handleTurn(initialState(), { kind: 'text', text: 'la settimana prossima vado da mia figlia a Milano, non mandate nessuno' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:suspend.confirmPeriod']);
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe('Ricapitolo: Vacanza o assenza, da lunedì 30 novembre a domenica 6 dicembre. Lo comunico al servizio sociale?');
    const yes = handleTurn(turn.state, { kind: 'text', text: 'si' }, linkedCtx());
    expect(yes.effects).toEqual([{ kind: 'request_suspension', programmeId: person().programme!.id, fromDate: '2026-11-30', toDate: '2026-12-06', reason: 'holiday' }]);
  });

  it('at the recap, new dates or a new hour change it, even after "no" (it cancelled everything)', async () => {
    const i18n = await createI18n();
    const stay = handleTurn(initialState(), { kind: 'text', text: 'vado in ospedale dal 10 al 20 dicembre, sospendete il servizio' }, linkedCtx());
    const moved = handleTurn(stay.state, { kind: 'text', text: 'no, dal 12 al 22 dicembre' }, linkedCtx());
    expect(keys(moved)).toEqual(['chat:suspend.confirmPeriod']);
    const yes = handleTurn(moved.state, { kind: 'text', text: 'sì' }, linkedCtx());
    expect(yes.effects).toEqual([{ kind: 'request_suspension', programmeId: person().programme!.id, fromDate: '2026-12-12', toDate: '2026-12-22', reason: 'hospital' }]);
    // Only the first day said: the last one is asked again.
    expect(keys(handleTurn(stay.state, { kind: 'text', text: 'no, dal 12 dicembre' }, linkedCtx()))).toEqual(['chat:suspend.askTo']);
    // Moving a visit to Thursday: "no, alle 16" is Thursday at 16, and then "venerdì" Friday at 16.
    let move = handleTurn(initialState(), { kind: 'text', text: 'vorrei spostare la visita di martedì' }, linkedCtx());
    move = handleTurn(move.state, { kind: 'text', text: 'giovedì' }, linkedCtx());
    move = handleTurn(move.state, { kind: 'text', text: 'no, alle 16' }, linkedCtx());
    expect(render(i18n, move.replies[0]!.text, 'it')).toBe('Sposto la visita di martedì 24 novembre alle 09:00 a giovedì 26 novembre alle 16:00?');
    move = handleTurn(move.state, { kind: 'text', text: 'meglio venerdì' }, linkedCtx());
    expect(render(i18n, move.replies[0]!.text, 'it')).toBe('Sposto la visita di martedì 24 novembre alle 09:00 a venerdì 27 novembre alle 16:00?');
  });

  it('takes the visit named by its weekday in the first message ("la visita di martedì")', () => {
    const move = handleTurn(initialState(), { kind: 'text', text: 'vorrei spostare la visita di martedì' }, linkedCtx());
    expect(keys(move)).toEqual(['chat:suspend.askNewWhen']);
    expect(move.state.flow?.data).toMatchObject({ visitId: '33333333-3333-4333-8333-333333333333', reason: 'move_visit' });
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'devo annullare la visita di martedì' }, linkedCtx()))).toEqual(['chat:suspend.confirmCancel']);
    // No visit on a Friday: which one is asked.
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'vorrei spostare la visita di venerdì' }, linkedCtx()))).toEqual(['chat:suspend.whichVisitMove']);
  });

  it('moves a visit to another hour of its own day when only the hour is said ("alle 15" moved it to today)', async () => {
    const i18n = await createI18n();
    const move = handleTurn(initialState(), { kind: 'text', text: 'vorrei spostare la visita di martedì' }, linkedCtx());
    const hour = handleTurn(move.state, { kind: 'text', text: 'alle 15' }, linkedCtx());
    expect(keys(hour)).toEqual(['chat:suspend.confirmMove']);
    expect(render(i18n, hour.replies[0]!.text, 'it')).toBe('Sposto la visita di martedì 24 novembre alle 09:00 a martedì 24 novembre alle 15:00?');
    const day = handleTurn(move.state, { kind: 'text', text: 'giovedì' }, linkedCtx());
    expect(render(i18n, day.replies[0]!.text, 'it')).toBe('Sposto la visita di martedì 24 novembre alle 09:00 a giovedì 26 novembre alle 09:00?');
  });

  it('moves a visit to the day said in the same message, a weekday taken in the visit\'s own week', async () => {
    const i18n = await createI18n();
    const visits = [
      { id: '33333333-3333-4333-8333-333333333333', startsAt: '2026-11-24T08:00:00.000Z', hours: 2 },
      { id: '55555555-5555-4555-8555-555555555555', startsAt: '2026-12-03T08:00:00.000Z', hours: 2 },
    ];
    const withVisits = linkedCtx([person({ programme: { ...person().programme!, upcomingVisits: visits } })]);
    const said = (text: string) => render(i18n, handleTurn(initialState(), { kind: 'text', text }, withVisits).replies[0]!.text, 'it');
    // Thursday the 3rd to "venerdì" is Friday the 4th, not Friday the 27th (the next one from today).
    expect(said('vorrei spostare la visita di giovedì a venerdì')).toBe('Sposto la visita di giovedì 3 dicembre alle 09:00 a venerdì 4 dicembre alle 09:00?');
    expect(said('posso anticipare la visita di giovedì a mercoledì?')).toBe('Sposto la visita di giovedì 3 dicembre alle 09:00 a mercoledì 2 dicembre alle 09:00?');
    expect(said('spostare la visita di martedì a giovedì alle 15')).toBe('Sposto la visita di martedì 24 novembre alle 09:00 a giovedì 26 novembre alle 15:00?');
    expect(said('vorrei spostare la visita del 3 dicembre al 10 dicembre')).toBe('Sposto la visita di giovedì 3 dicembre alle 09:00 a giovedì 10 dicembre alle 09:00?');
    // Said on its own at the question, too.
    const asked = handleTurn(initialState(), { kind: 'text', text: 'vorrei spostare la visita di giovedì' }, withVisits);
    expect(render(i18n, handleTurn(asked.state, { kind: 'text', text: 'venerdì alle 11' }, withVisits).replies[0]!.text, 'it')).toBe('Sposto la visita di giovedì 3 dicembre alle 09:00 a venerdì 4 dicembre alle 11:00?');
    expect(weekdayNearVisit('lunedì', DateTime.fromISO('2026-12-04T09:00', { zone: 'Europe/Rome' }))).toBe('2026-12-07');
    expect(weekdayNearVisit('lunedì prossimo', DateTime.fromISO('2026-12-04T09:00', { zone: 'Europe/Rome' }))).toBeUndefined();
    expect(weekdayNearVisit('venerdì 11 dicembre', DateTime.fromISO('2026-12-03T09:00', { zone: 'Europe/Rome' }))).toBeUndefined();
  });

  it('without a programme, says there is nothing to suspend, or no visit to move', () => {
    const none = [person({ programme: null })];
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'vado in ospedale, sospendete il servizio' }, linkedCtx(none)))[0]).toBe('chat:suspend.noProgramme');
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'vorrei spostare la visita di giovedì' }, linkedCtx(none)))[0]).toBe('chat:suspend.noVisits');
  });

  it('reads a stay said as a length: "per una settimana" from Tuesday is Tuesday to Monday', () => {
    // In one message, from "domani" (Tuesday 24 November).
    const turn = handleTurn(initialState(), { kind: 'text', text: 'domani vado in ospedale per una settimana' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:suspend.confirmPeriod']);
    expect(handleTurn(turn.state, { kind: 'text', text: 'si' }, linkedCtx()).effects[0]).toMatchObject({ fromDate: '2026-11-24', toDate: '2026-11-30' });
    // Step by step, as the answer to "Fino a quando?" (it restarted the suspension).
    const asked = handleTurn(initialState(), { kind: 'text', text: 'domani vado in ospedale' }, linkedCtx());
    expect(keys(asked)).toEqual(['chat:suspend.askTo']);
    for (const [text, to] of [['per una settimana', '2026-11-30'], ['per 10 giorni', '2026-12-03'], ['per due settimane', '2026-12-07'], ['per un mese', '2026-12-23'], ['una settimana', '2026-11-30']] as const) {
      const told = handleTurn(asked.state, { kind: 'text', text }, linkedCtx());
      expect(keys(told), text).toEqual(['chat:suspend.confirmPeriod']);
      expect(handleTurn(told.state, { kind: 'text', text: 'si' }, linkedCtx()).effects[0], text).toMatchObject({ fromDate: '2026-11-24', toDate: to });
    }
  });
});

describe('a stay in a month named without a day', () => {
  it('"una settimana a marzo": asks the day of March, reads "il 10" as 10 March, and takes the week from there', async () => {
    const i18n = await createI18n();
    const turn = handleTurn(initialState(), { kind: 'text', text: 'VADO IN OSPEDALE UNA SETTIMANA A MARZO' }, linkedCtx());
    expect(keys(turn)).toEqual(['chat:suspend.askFromInMonth']);
    expect(render(i18n, turn.replies[0]!.text, 'it')).toBe('Da che giorno di marzo? Scriva il numero del giorno, per esempio "il 10".');
    const day = handleTurn(turn.state, { kind: 'text', text: 'il 10' }, linkedCtx());
    expect(keys(day)).toEqual(['chat:suspend.confirmPeriod']);
    expect(render(i18n, day.replies[0]!.text, 'it')).toMatch(/da mercoledì 10 marzo a martedì 16 marzo/);
    expect(handleTurn(day.state, { kind: 'text', text: 'si' }, linkedCtx()).effects[0]).toMatchObject({ fromDate: '2027-03-10', toDate: '2027-03-16', reason: 'hospital' });
    // A month named again wins; without a length, the end is asked.
    const other = handleTurn(initialState(), { kind: 'text', text: 'a marzo vado in ospedale' }, linkedCtx());
    const april = handleTurn(other.state, { kind: 'text', text: 'il 2 aprile' }, linkedCtx());
    expect(keys(april)).toEqual(['chat:suspend.askTo']);
    expect(april.state.flow?.data.from).toBe('2027-04-02');
  });

  it('does not take a question or a "wait" for the first day, even when it names a day', () => {
    const asked = handleTurn(initialState(), { kind: 'text', text: 'VADO IN OSPEDALE' }, linkedCtx());
    expect(keys(asked)).toEqual(['chat:suspend.askFrom']);
    const wait = handleTurn(asked.state, { kind: 'text', text: 'no aspetta, prima voglio sapere se viene mercoledi' }, linkedCtx());
    // Answered as the question it is: no visit that Wednesday (the one visit is on Tuesday).
    expect(keys(wait)[0]).toBe('chat:balance.noVisitOnDay');
    expect(wait.effects.map((e) => e.kind)).toEqual(['record_read']);
    expect(keys(handleTurn(asked.state, { kind: 'text', text: 'dal 10 dicembre' }, linkedCtx()))).toEqual(['chat:suspend.askTo']);
  });

  it('takes the month of this year while it is not over, of the next one after', () => {
    expect(monthNamedIn('a novembre', NOW)).toBe('2026-11');
    expect(monthNamedIn('a dicembre', NOW)).toBe('2026-12');
    expect(monthNamedIn('A MARZO', NOW)).toBe('2027-03');
    expect(monthNamedIn('I may go to hospital', NOW)).toBeUndefined();
  });
});

describe('what the service costs (art. 14)', () => {
  const albairate = { id: 'albairate', name: 'Albairate', officeAddress: 'Piazza Garibaldi 1', officeHours: null, patronDay: null };
  const tariffCtx = (feeBands: ChatContext['comuni'][number]['feeBands']) => ctx({ data: data({ comuni: [{ ...albairate, feeBands }] }) });
  const fee = async (feeBands: ChatContext['comuni'][number]['feeBands'], locale: 'it' | 'en' = 'it') => {
    const i18n = await createI18n();
    const asked = handleTurn(initialState(), { kind: 'text', text: 'quanto costa?' }, { ...tariffCtx(feeBands), locale });
    expect(keys(asked)).toEqual(['chat:apply.fee.askComune']);
    const told = handleTurn(asked.state, { kind: 'text', text: 'Albairate' }, { ...tariffCtx(feeBands), locale });
    return render(i18n, told.replies[0]!.text, locale);
  };

  it('tells the comune tariff band by band, in euros as people read them', async () => {
    const bands = [{ upToIseeCents: 800_000, centsPerHour: 0 }, { upToIseeCents: 1_500_000, centsPerHour: 250 }, { upToIseeCents: null, centsPerHour: 500 }];
    expect(await fee(bands)).toBe("Nel Comune di Albairate la quota a Suo carico dipende dall'ISEE: fino a 8.000 € non si paga nulla; fino a 15.000 €, 2,50 € l'ora; oltre, 5 € l'ora.");
    expect(await fee(bands, 'en')).toBe('In the Comune di Albairate what you pay depends on your ISEE: up to €8,000, nothing; up to €15,000, €2.50 an hour; above that, €5 an hour.');
  });

  it('says so when the service is free or has one price, and sends people to the office when no tariff is set', async () => {
    expect(await fee([{ upToIseeCents: null, centsPerHour: 0 }])).toBe('Nel Comune di Albairate il servizio non ha costi per Lei.');
    expect(await fee([{ upToIseeCents: null, centsPerHour: 300 }])).toBe("Nel Comune di Albairate la quota a Suo carico è di 3 € per ogni ora di servizio.");
    expect(await fee(null)).toMatch(/dipende dall'ISEE e dalle tariffe del Comune di Albairate/);
  });
});

describe('reading short answers', () => {
  it('takes a yes or a no after a filler word, and does not take "non so" for a no', () => {
    expect(readYesNo('allora si avvisate il comune')).toBe('yes');
    expect(readYesNo('beh no grazie')).toBe('no');
    expect(readYesNo('allora non lo so')).toBe('unknown');
    expect(readYesNo('allora vediamo')).toBeUndefined();
  });

  it('finds a comune by a word of its name that no other comune shares, with one slip from six letters', () => {
    const comuni = ['Abbiategrasso', 'Gudo Visconti', 'Motta Visconti', 'Vermezzo con Zelo', 'Cassinetta di Lugagnano'].map((name) => ({
      id: name.toLowerCase().replace(/ /g, '-'),
      name,
      officeAddress: null,
      officeHours: null,
      patronDay: null,
    }));
    const d = data({ comuni });
    expect(comuneNamedIn(d, 'abito a motta')).toBe('motta-visconti');
    expect(comuneNamedIn(d, 'mota visconti')).toBe('motta-visconti');
    expect(comuneNamedIn(d, 'Vermezzo')).toBe('vermezzo-con-zelo');
    expect(comuneNamedIn(d, 'abiategrasso')).toBe('abbiategrasso');
    expect(comuneNamedIn(d, 'cassinetta')).toBe('cassinetta-di-lugagnano');
    // "Visconti" is in two names: it says nothing alone.
    expect(comuneNamedIn(d, 'visconti')).toBeUndefined();
    expect(comuneNamedIn(d, 'la mia gatta')).toBeUndefined();
  });

  it('hears a recent widower who writes the name of his town, without condolences for the town', () => {
    const widower = handleTurn(initialState(), { kind: 'text', text: 'sono vedovo da poco e sono rimasto solo' }, ctx());
    expect(keys(widower)).toEqual(['chat:offer.bereaved']);
    const town = handleTurn(initialState(), { kind: 'text', text: 'buongiorno sono giuseppe di motta visconti. dove e il comune x l assistenza e che orari fa' }, ctx());
    expect(keys(town)).not.toContain('chat:offer.bereaved');
  });
});
