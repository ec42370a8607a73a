import { describe, expect, it } from 'vitest';
import type { ChatContext } from '../../../core/conversation/context.ts';
import { handleTurn, initialState, startConversation } from '../../../core/conversation/engine.ts';
import { greetingReplyKey, isEvening } from '../../../core/conversation/greeting.ts';
import type { TurnContext } from '../../../core/conversation/types.ts';
import { understand } from '../../../core/nlu/index.ts';

const data: ChatContext = { linked: false, people: [], comuni: [], providers: [], myRequests: [], mySegnalazioni: [] };
const ctx = (now: Date): TurnContext => ({ now, locale: 'it', channel: 'web', handling: 'bot', data });
const keys = (turn: { replies: { text: { key: string } }[] }) => turn.replies.map((r) => r.text.key);

describe('fear, loneliness, theft and more hours', () => {
  const morning = new Date('2026-11-23T09:00:00Z');
  it('are never answered with "non ho capito": a person is offered, and 112 for danger', () => {
    for (const text of ['sono sola e ho paura', 'mi sento tanto sola', 'mi sento abbandonata', 'non ho più nessuno', 'I feel lonely', "mia madre ha l'alzheimer e non so più come fare"]) {
      const turn = handleTurn(initialState(), { kind: 'text', text }, ctx(morning));
      expect(keys(turn), text).toEqual(['chat:offer.distress']);
      expect(turn.state.step, text).toBe('offer_handover');
    }
    const hours = handleTurn(initialState(), { kind: 'text', text: 'posso avere più ore?' }, ctx(morning));
    expect(keys(hours)).toEqual(['chat:offer.moreHours']);
    // "Sì" passes the conversation to a person.
    const yes = handleTurn(hours.state, { kind: 'text', text: 'sì' }, ctx(morning));
    expect(yes.effects).toContainEqual(expect.objectContaining({ kind: 'handover' }));
  });

  it('a theft or a scam suffered gets sympathy, 112 for danger, where to report it and a person offered', () => {
    for (const text of ['mi hanno rubato la borsa', 'sono stata truffata da un finto carabiniere', 'mia mamma è stata truffata', 'ieri mi hanno scippato al mercato', 'le hanno rubato la pensione', 'I was robbed']) {
      const turn = handleTurn(initialState(), { kind: 'text', text }, ctx(morning));
      expect(keys(turn), text).toEqual(['chat:offer.victim']);
      expect(turn.state.step, text).toBe('offer_handover');
    }
    // Fear of scams is fear, not a scam; thieves in the house now are an emergency; a request stays one.
    expect(understand('mi serve aiuto per ritirare la pensione', { now: morning }).intent).toBe('request_help');
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'ho paura delle truffe' }, ctx(morning)))).toEqual(['chat:offer.distress']);
    expect(understand('ci sono i ladri in casa', { now: morning }).intent).toBe('emergency');
    const asking = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per la spesa' }, ctx(morning));
    expect(keys(handleTurn(asking.state, { kind: 'text', text: 'mi hanno appena rubato il portafoglio' }, ctx(morning)))).toEqual(['chat:offer.victim']);
  });

  it('breaks into a flow for fear, but a report about someone else stays a report', () => {
    const asking = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per la spesa' }, ctx(morning));
    expect(asking.state.flow?.name).toBe('help');
    expect(keys(handleTurn(asking.state, { kind: 'text', text: 'ho tanta paura' }, ctx(morning)))).toEqual(['chat:offer.distress']);
    expect(understand('mia mamma è abbandonata a se stessa', { now: morning }).intent).toBe('report_person');
  });

  it('a death, a return from hospital, a new address: the right words and a person offered, never "non ho capito"', () => {
    const cases: [string, string][] = [
      ['mio marito è morto la settimana scorsa', 'chat:offer.bereaved'],
      ['la mamma è venuta a mancare ieri', 'chat:offer.bereaved'],
      ['ho perso mia moglie a ottobre', 'chat:offer.bereaved'],
      ['sono tornata a casa dall ospedale', 'chat:offer.backHome'],
      ["mi hanno dimessa ieri dall'ospedale", 'chat:offer.backHome'],
      ['si può riprendere il servizio da lunedì?', 'chat:offer.backHome'],
      ['ho cambiato indirizzo', 'chat:offer.newDetails'],
      ['mi sono trasferita da mia figlia a Rosate', 'chat:offer.newDetails'],
      ['ecco il mio nuovo numero di telefono', 'chat:offer.newDetails'],
    ];
    for (const [text, key] of cases) {
      const turn = handleTurn(initialState(), { kind: 'text', text }, ctx(morning));
      expect(keys(turn), text).toEqual([key]);
      expect(turn.state.step, text).toBe('offer_handover');
    }
    // Lost keys are not a loss in the family; the words survive the typo repair ("morto" was read "morte").
    expect(understand('ho perso le chiavi', { now: morning }).signals ?? []).not.toContain('bereaved');
    expect(understand('mi spetta il voucher?', { now: morning })).toMatchObject({ intent: 'apply_info' });
    expect(understand('buonasera vorrei sapere se mi spetta il voucher ho 82 anni e vivo sola a rosate', { now: morning }).intent).toBe('apply_info');
    // Grief breaks into a question too.
    const asking = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per la spesa' }, ctx(morning));
    expect(keys(handleTurn(asking.state, { kind: 'text', text: 'purtroppo mio marito è morto' }, ctx(morning)))).toEqual(['chat:offer.bereaved']);
  });
});

describe('greetings', () => {
  it('says "Buonasera" from 17:00 to 03:59 in Rome, in winter and in summer time', () => {
    // Winter (CET, UTC+1) and summer (CEST, UTC+2): the same Rome wall clock, different UTC.
    for (const [utc, evening] of [
      ['2026-11-23T15:59:59Z', false], // 16:59:59 CET
      ['2026-11-23T16:00:00Z', true], // 17:00 CET
      ['2026-11-23T23:30:00Z', true], // 00:30 CET
      ['2026-11-24T02:59:59Z', true], // 03:59:59 CET
      ['2026-11-24T03:00:00Z', false], // 04:00 CET
      ['2026-07-01T14:59:59Z', false], // 16:59:59 CEST
      ['2026-07-01T15:00:00Z', true], // 17:00 CEST
      ['2026-07-01T02:00:00Z', false], // 04:00 CEST
    ] as const) {
      expect(isEvening(new Date(utc)), utc).toBe(evening);
    }
  });

  it('tells a hello from a thank you and a goodbye, however it is typed', () => {
    const kind = (text: string) => understand(text, { now: new Date('2026-11-23T09:00:00Z') }).signals;
    expect(kind('Buongiorno')).toEqual(['greeting', 'greeting:hello']);
    expect(kind('ciao!')).toEqual(['greeting', 'greeting:hello']);
    expect(kind('Grazie mille')).toEqual(['greeting', 'greeting:thanks']);
    expect(kind('ok grz')).toEqual(['greeting', 'greeting:thanks']);
    expect(kind('thank you')).toEqual(['greeting', 'greeting:thanks']);
    expect(kind('Arrivederci e grazie')).toEqual(['greeting', 'greeting:goodbye']);
    expect(kind('buonanotte')).toEqual(['greeting', 'greeting:goodbye']);
    // How many chats end: an "ok", "va bene" or "sì" before the thanks.
    for (const text of ['va bene, grazie', "d'accordo grazie", 'Sì, grazie!', 'perfetto grazie mille']) expect(kind(text), text).toEqual(['greeting', 'greeting:thanks']);
  });

  it('answers each kind in kind, and a hello by the time of day', () => {
    const morning = new Date('2026-11-23T09:00:00Z');
    const evening = new Date('2026-11-23T19:00:00Z');
    expect(greetingReplyKey(['greeting', 'greeting:hello'], morning)).toBe('chat:greeting');
    expect(greetingReplyKey(['greeting', 'greeting:hello'], evening)).toBe('chat:greetingEvening');
    expect(greetingReplyKey(['greeting', 'greeting:thanks'], evening)).toBe('chat:thanks');
    expect(greetingReplyKey(['greeting', 'greeting:goodbye'], morning)).toBe('chat:goodbye');

    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'buonasera' }, ctx(evening)))).toEqual(['chat:greetingEvening', 'chat:menu.prompt']);
    expect(keys(handleTurn(initialState(), { kind: 'text', text: 'grazie' }, ctx(morning)))).toEqual(['chat:thanks', 'chat:menu.prompt']);
    expect(keys(startConversation(initialState(), ctx(evening)))).toEqual(['chat:welcome.privacy', 'chat:welcome.greetingEvening', 'chat:menu.prompt']);
    expect(keys(startConversation(initialState(), ctx(morning)))).toEqual(['chat:welcome.privacy', 'chat:welcome.greeting', 'chat:menu.prompt']);
  });
});

describe('greetings in the middle of a question', () => {
  const morning = new Date('2026-11-23T09:00:00Z');
  it('"grazie" gets "Prego." and the same question, "arrivederci" leaves it, neither is "non ho capito"', () => {
    const asking = handleTurn(initialState(), { kind: 'text', text: 'mi serve aiuto per la spesa' }, ctx(morning));
    expect(keys(asking)).toEqual(['chat:understoodService', 'chat:help.askComune']);
    const thanks = handleTurn(asking.state, { kind: 'text', text: 'grazie' }, ctx(morning));
    expect(keys(thanks)).toEqual(['chat:thanksMidFlow', 'chat:help.askComune']);
    expect(thanks.state.flow).toMatchObject({ name: 'help', step: 'comune' });
    const hello = handleTurn(asking.state, { kind: 'text', text: 'buongiorno' }, ctx(morning));
    expect(keys(hello)).toEqual(['chat:help.askComune']);
    const bye = handleTurn(asking.state, { kind: 'text', text: 'arrivederci' }, ctx(morning));
    expect(keys(bye)).toEqual(['chat:goodbye', 'chat:menu.prompt']);
    expect(bye.state.flow).toBeUndefined();
    // At the link-code prompt too.
    const code = handleTurn(initialState(), { kind: 'text', text: 'quante ore mi restano?' }, ctx(morning));
    expect(keys(handleTurn(code.state, { kind: 'text', text: 'grazie' }, ctx(morning)))).toEqual(['chat:thanksMidFlow', 'chat:link.ask']);
  });
});

describe('thanks, goodbye and "ok" right after the menu', () => {
  const morning = new Date('2026-11-23T09:00:00Z');
  it('get a short answer and keep the menu shown, without sending it again', () => {
    const menu = startConversation(initialState(), ctx(morning));
    for (const [text, key] of [['grazie mille', 'chat:thanks'], ['ok', 'chat:ack'], ["va bene, d'accordo", 'chat:ack'], ['Perfetto!', 'chat:ack'], ['arrivederci', 'chat:goodbye']] as const) {
      const turn = handleTurn(menu.state, { kind: 'text', text }, ctx(morning));
      expect(keys(turn), text).toEqual([key]);
      expect(turn.state).toEqual(menu.state);
    }
    // The menu's numbers still answer after the "ok".
    const ok = handleTurn(menu.state, { kind: 'text', text: 'ok' }, ctx(morning));
    expect(keys(handleTurn(ok.state, { kind: 'text', text: '6' }, ctx(morning)))[0]).toBe('chat:handover.done');
    // A request is still a request, and a greeting still shows the menu.
    expect(keys(handleTurn(menu.state, { kind: 'text', text: 'ok, mi serve aiuto per la spesa' }, ctx(morning)))).not.toContain('chat:ack');
    expect(keys(handleTurn(menu.state, { kind: 'text', text: 'buongiorno' }, ctx(morning)))).toEqual(['chat:greeting', 'chat:menu.prompt']);
  });
});
