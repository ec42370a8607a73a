import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleTurn, initialState, MAIN_MENU, MAX_READ_LENGTH, startConversation } from '../../../core/conversation/engine.ts';
import { cleanText } from '../../../core/conversation/service.ts';
import type { EngineState, TurnContext } from '../../../core/conversation/types.ts';
import { INTENTS } from '../../../core/nlu/types.ts';

const ctx = (over: Partial<TurnContext> = {}): TurnContext => ({
  now: new Date('2026-11-23T08:00:00Z'),
  locale: 'it',
  channel: 'web',
  handling: 'bot',
  ...over,
});

describe('conversation engine', () => {
  it('opens with privacy notice, greeting and a menu of the five main choices', () => {
    const turn = startConversation();
    expect(turn.replies.map((r) => r.text.key)).toEqual(['chat:welcome.privacy', 'chat:welcome.greeting', 'chat:menu.prompt']);
    expect(turn.replies[2]!.options!.map((o) => o.id)).toEqual(MAIN_MENU.map((i) => `m1.${i}`));
    expect(turn.state.menu).toBe(1);
  });

  it('greets back with a fresh menu', () => {
    const turn = handleTurn(startConversation().state, { kind: 'text', text: 'Buongiorno' }, ctx());
    expect(turn.understood.intent).toBe('greeting');
    expect(turn.replies.at(-1)!.options).toHaveLength(5);
    expect(turn.state.menu).toBe(2);
  });

  it('hands over to a person when asked, by text or by option', () => {
    const byText = handleTurn(initialState(), { kind: 'text', text: 'voglio parlare con un operatore' }, ctx());
    expect(byText.effects).toEqual([{ kind: 'handover', urgent: false, reason: 'requested' }]);
    const start = startConversation();
    const byOption = handleTurn(start.state, { kind: 'option', optionId: 'm1.talk_to_operator' }, ctx());
    expect(byOption.understood.intent).toBe('talk_to_operator');
    expect(byOption.effects[0]).toMatchObject({ kind: 'handover' });
  });

  it('puts 112 first for an emergency in any state, even while staff handle the conversation', () => {
    for (const handling of ['bot', 'waiting', 'human'] as const) {
      const turn = handleTurn(initialState(), { kind: 'text', text: "c'è un incendio in casa" }, ctx({ handling }));
      expect(turn.replies[0]!.text.key).toBe('chat:emergency.call112');
      expect(turn.effects).toEqual([{ kind: 'handover', urgent: true, reason: 'emergency' }]);
    }
  });

  it('stays silent while staff handle the conversation', () => {
    const turn = handleTurn(initialState(), { kind: 'text', text: 'buongiorno' }, ctx({ handling: 'human' }));
    expect(turn.replies).toEqual([]);
    expect(turn.effects).toEqual([]);
  });

  it('recognises options from an old menu and shows the current one', () => {
    const first = startConversation();
    const second = handleTurn(first.state, { kind: 'text', text: 'ciao' }, ctx());
    const stale = handleTurn(second.state, { kind: 'option', optionId: 'm1.request_help' }, ctx());
    expect(stale.replies[0]!.text.key).toBe('chat:staleOption');
    expect(stale.replies[1]!.options![0]!.id).toBe(`m${second.state.menu + 1}.request_help`);
  });

  it('offers a person for flows not yet automated, and a typed "si" accepts', () => {
    const offer = handleTurn(startConversation().state, { kind: 'option', optionId: 'm1.voucher_balance' }, ctx());
    expect(offer.state.step).toBe('offer_handover');
    expect(offer.replies.at(-1)!.options!.map((o) => o.label.key)).toEqual(['chat:offer.yes', 'chat:offer.no']);
    const yes = handleTurn(offer.state, { kind: 'text', text: 'si' }, ctx());
    expect(yes.effects[0]).toMatchObject({ kind: 'handover', urgent: false });
    const no = handleTurn(offer.state, { kind: 'option', optionId: `m${offer.state.menu}.no` }, ctx());
    expect(no.effects).toEqual([]);
    expect(no.state.step).toBe('menu');
  });

  it('asks politely for a shorter message, and for words when there are none', () => {
    expect(handleTurn(initialState(), { kind: 'text', text: 'a'.repeat(MAX_READ_LENGTH + 1) }, ctx()).replies[0]!.text.key).toBe('chat:tooLong');
    expect(handleTurn(initialState(), { kind: 'text', text: '😀😀' }, ctx()).replies[0]!.text.key).toBe('chat:noText');
  });

  it('resumes from a stored state, and from garbage as a fresh one', () => {
    const start = startConversation();
    const restored = JSON.parse(JSON.stringify(start.state)) as EngineState;
    expect(handleTurn(restored, { kind: 'option', optionId: 'm1.report_person' }, ctx()).understood.intent).toBe('report_person');
    const fromGarbage = handleTurn({ nonsense: true } as unknown as EngineState, { kind: 'text', text: 'ciao' }, ctx());
    expect(fromGarbage.understood.intent).toBe('greeting');
  });

  it('never throws and always answers with a known intent (property)', () => {
    const stateArb = fc.record({ v: fc.constant(1 as const), menu: fc.nat(50), step: fc.constantFrom('menu' as const, 'offer_handover' as const) });
    const inputArb = fc.oneof(
      fc.string({ maxLength: 2000 }).map((text) => ({ kind: 'text' as const, text })),
      fc.string({ unit: 'grapheme', maxLength: 50 }).map((text) => ({ kind: 'text' as const, text })),
      fc.string({ maxLength: 40 }).map((optionId) => ({ kind: 'option' as const, optionId })),
      fc.constantFrom(...MAIN_MENU).map((i) => ({ kind: 'option' as const, optionId: `m1.${i}` })),
    );
    fc.assert(
      fc.property(stateArb, inputArb, fc.constantFrom('bot' as const, 'waiting' as const, 'human' as const), (state, input, handling) => {
        const turn = handleTurn(state, input, ctx({ handling }));
        expect(INTENTS).toContain(turn.understood.intent);
        if (handling === 'bot') expect(turn.replies.length).toBeGreaterThan(0);
        for (const r of turn.replies) expect(r.text.key).toMatch(/^chat:/);
      }),
      { seed: 20261122, numRuns: 500 },
    );
  });
});

describe('cleanText', () => {
  it('drops NUL and control characters, keeps line breaks, repairs lone surrogates', () => {
    expect(cleanText('a\u0000b\u0007c\nd\te')).toBe('abc\nd\te');
    expect(cleanText('x\ud800y')).toBe('x\ufffdy');
    expect(cleanText('cafe\u0301')).toBe('café');
  });
});
