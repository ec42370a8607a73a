import { describe, expect, it } from 'vitest';
import { EMPTY_CONTEXT } from '../../../core/conversation/context.ts';
import { handleTurn, initialState } from '../../../core/conversation/engine.ts';
import type { ChatContextWithCheckin } from '../../../core/conversation/flows/checkin.ts';
import type { EngineState, TurnContext } from '../../../core/conversation/types.ts';

const NOW = new Date('2026-11-23T09:05:00Z'); // Monday 10:05 in Rome
const OCC = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const ENR = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

function ctx(open: boolean, over: Partial<TurnContext> = {}, status: 'active' | 'paused' = 'active'): TurnContext {
  const data: ChatContextWithCheckin = { ...EMPTY_CONTEXT, linked: true, checkin: { enrolmentId: ENR, enrolmentStatus: status, open: open ? { occurrenceId: OCC } : null } };
  return { now: NOW, locale: 'it', channel: 'sms', handling: 'bot', data, ...over };
}
const kinds = (effects: { kind: string }[]) => effects.map((e) => e.kind).sort();

describe('check-in answers in the conversation engine', () => {
  it('a tapped "Sì" is recorded, with a warm reply and no handover', () => {
    const r = handleTurn(initialState(), { kind: 'option', optionId: `ck.${OCC}.ok` }, ctx(true));
    expect(r.effects).toEqual([{ kind: 'checkin_answer', occurrenceId: OCC, answer: 'ok' }]);
    expect(r.replies.map((m) => m.text.key)).toEqual(['checkins:chat.answer.ok']);
  });

  it('"Ho bisogno di aiuto" and "Chiamatemi" (buttons, numbers or words) hand over as urgent', () => {
    for (const input of [{ kind: 'option' as const, optionId: `ck.${OCC}.help` }, { kind: 'text' as const, text: '2' }, { kind: 'text' as const, text: 'Ho bisogno di aiuto' }]) {
      const r = handleTurn(initialState(), input, ctx(true));
      expect(kinds(r.effects), JSON.stringify(input)).toEqual(['checkin_answer', 'handover']);
      expect(r.effects).toContainEqual({ kind: 'checkin_answer', occurrenceId: OCC, answer: 'help' });
      expect(r.effects).toContainEqual({ kind: 'handover', urgent: true, reason: 'checkin' });
    }
    const call = handleTurn(initialState(), { kind: 'text', text: 'chiamatemi' }, ctx(true));
    expect(call.effects).toContainEqual({ kind: 'checkin_answer', occurrenceId: OCC, answer: 'call' });
  });

  it('an emergency still gets the 112 answer first, and the check-in is recorded as help', () => {
    const r = handleTurn(initialState(), { kind: 'text', text: 'Sono caduta, aiuto' }, ctx(true));
    expect(r.replies[0]!.text.key).toBe('chat:emergency.call112');
    expect(r.effects).toContainEqual({ kind: 'handover', urgent: true, reason: 'emergency' });
    expect(r.effects).toContainEqual({ kind: 'checkin_answer', occurrenceId: OCC, answer: 'help' });
  });

  it('a button of an old or foreign check-in records nothing', () => {
    const r = handleTurn(initialState(), { kind: 'option', optionId: 'ck.cccccccc-cccc-4ccc-8ccc-cccccccccccc.ok' }, ctx(true));
    expect(r.effects).toEqual([]);
    expect(r.replies.map((m) => m.text.key)).toEqual(['checkins:chat.closed']);
    expect(handleTurn(initialState(), { kind: 'option', optionId: `ck.${OCC}.ok` }, ctx(false)).effects).toEqual([]);
  });

  it('without an open prompt, "sì" and numbers are the engine\'s as before', () => {
    const r = handleTurn(initialState(), { kind: 'text', text: 'sì' }, ctx(false));
    expect(r.effects.some((e) => e.kind === 'checkin_answer')).toBe(false);
  });

  it('inside another flow a typed "sì" answers that flow, not the check-in', () => {
    const inFlow: EngineState = { v: 1, menu: 3, step: 'flow', flow: { name: 'help', step: 'confirm', data: {} }, opts: ['yes', 'no'], last: { text: { key: 'chat:x' }, choices: [] } };
    const r = handleTurn(inFlow, { kind: 'text', text: 'sì' }, ctx(true));
    expect(r.effects.some((e) => e.kind === 'checkin_answer')).toBe(false);
  });

  it('while staff handle the conversation, the answer is recorded silently', () => {
    const r = handleTurn(initialState(), { kind: 'option', optionId: `ck.${OCC}.call` }, ctx(true, { handling: 'human' }));
    expect(r.replies).toEqual([]);
    expect(r.effects).toContainEqual({ kind: 'checkin_answer', occurrenceId: OCC, answer: 'call' });
  });

  it('pause, stop and resume by chat', () => {
    const pause = handleTurn(initialState(), { kind: 'text', text: 'pausa controlli' }, ctx(false));
    expect(pause.effects).toEqual([{ kind: 'checkin_pause', enrolmentId: ENR, until: '2026-11-29' }]);
    expect(handleTurn(initialState(), { kind: 'text', text: 'stop controlli' }, ctx(false)).effects).toEqual([{ kind: 'checkin_stop', enrolmentId: ENR }]);
    expect(handleTurn(initialState(), { kind: 'text', text: 'riprendi controlli' }, ctx(false, {}, 'paused')).effects).toEqual([{ kind: 'checkin_resume', enrolmentId: ENR }]);
    expect(handleTurn(initialState(), { kind: 'text', text: 'riprendi controlli' }, ctx(false)).effects).toEqual([]);
  });
});
