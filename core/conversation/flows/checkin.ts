/**
 * Answers to a check-in prompt (issue #9) and the chat commands that pause, stop or resume
 * check-ins. The prompt itself is sent by the scheduler (db/checkins.ts) with the options
 * `ck.<occurrenceId>.ok|help|call`; SMS numbers are turned into those options by the channel.
 *
 * Rules: an emergency still gets the engine's 112 answer first (the check-in is then recorded as
 * "help" too); "Ho bisogno di aiuto" and "Chiamatemi" hand the conversation over as urgent; inside
 * another flow typed words are left to that flow (a "sì" there answers its own question).
 */
import { addCalendarDays } from '../../regulation/calendar.ts';
import { CHAT_PAUSE_DAYS } from '../../checkins/schedule.ts';
import { readCheckinAnswer, readCheckinCommand, type CheckinAnswer } from '../../checkins/escalation.ts';
import type { ChatContext } from '../context.ts';
import { formatDate, intentOnly, say, todayIn } from '../kit.ts';
import type { Effect, EngineState, OutMessage, TurnContext, TurnResult } from '../types.ts';

/** What the db layer tells the engine about the linked person's check-ins (db/chat-data.ts). */
export interface CheckinChatInfo {
  enrolmentId: string;
  enrolmentStatus: 'active' | 'paused';
  /** Today's prompt still waiting for an answer (or answered late after the alert), if any. */
  open: { occurrenceId: string } | null;
}

/** The chat context with check-ins, as loaded by db/chat-data.ts. */
export type ChatContextWithCheckin = ChatContext & { checkin?: CheckinChatInfo | null };

export function checkinOf(ctx: TurnContext): CheckinChatInfo | null {
  return (ctx.data as ChatContextWithCheckin | undefined)?.checkin ?? null;
}

const OPTION = /^ck\.([0-9a-f-]{36})\.(ok|help|call)$/;

/** The prompt's options, as the scheduler stores and sends them (labels are locale keys). */
export function checkinOptions(occurrenceId: string): { id: string; labelKey: string }[] {
  return (['ok', 'help', 'call'] as const).map((a) => ({ id: `ck.${occurrenceId}.${a}`, labelKey: `checkins:prompt.option.${a}` }));
}

function answerTurn(state: EngineState, ctx: TurnContext, occurrenceId: string, answer: CheckinAnswer): TurnResult {
  const effects: Effect[] = [{ kind: 'checkin_answer', occurrenceId, answer }];
  if (answer !== 'ok') effects.push({ kind: 'handover', urgent: true, reason: 'checkin' });
  // While staff handle the conversation the bot stays silent; the answer is still recorded.
  const replies: OutMessage[] = ctx.handling === 'bot' ? [say(`checkins:chat.answer.${answer}`)] : [];
  return { state, replies, understood: intentOnly(answer === 'ok' ? 'greeting' : 'talk_to_operator'), effects };
}

/** A tapped check-in button: recorded when it is today's open prompt, otherwise a kind "already closed". */
export function checkinOption(state: EngineState, ctx: TurnContext, optionId: string): TurnResult | undefined {
  const m = OPTION.exec(optionId);
  if (!m) return undefined;
  const info = checkinOf(ctx);
  if (info?.open && info.open.occurrenceId === m[1]) return answerTurn(state, ctx, m[1]!, m[2] as CheckinAnswer);
  return { state, replies: ctx.handling === 'bot' ? [say('checkins:chat.closed')] : [], understood: intentOnly('unknown'), effects: [] };
}

/** Typed text: a pause/stop/resume command, or an answer to the open prompt (not inside another flow). */
export function checkinText(state: EngineState, ctx: TurnContext, text: string): TurnResult | undefined {
  const result = checkinTextTurn(state, ctx, text);
  // While staff handle the conversation the bot stays silent; the change is still recorded.
  return result && ctx.handling !== 'bot' ? { ...result, replies: [] } : result;
}

function checkinTextTurn(state: EngineState, ctx: TurnContext, text: string): TurnResult | undefined {
  const info = checkinOf(ctx);
  if (!info) return undefined;
  const command = readCheckinCommand(text, info.open !== null);
  if (command === 'pause') {
    const until = addCalendarDays(todayIn(ctx.now), CHAT_PAUSE_DAYS - 1);
    return {
      state,
      replies: [say('checkins:chat.paused', { date: formatDate(until, ctx.locale) })],
      understood: intentOnly('unknown'),
      effects: [{ kind: 'checkin_pause', enrolmentId: info.enrolmentId, until }],
    };
  }
  if (command === 'stop') {
    return { state, replies: [say('checkins:chat.stopped')], understood: intentOnly('unknown'), effects: [{ kind: 'checkin_stop', enrolmentId: info.enrolmentId }] };
  }
  if (command === 'resume') {
    if (info.enrolmentStatus === 'active') return { state, replies: [say('checkins:chat.alreadyActive')], understood: intentOnly('unknown'), effects: [] };
    return { state, replies: [say('checkins:chat.resumed')], understood: intentOnly('unknown'), effects: [{ kind: 'checkin_resume', enrolmentId: info.enrolmentId }] };
  }
  if (!info.open || state.step === 'flow') return undefined;
  const answer = readCheckinAnswer(text);
  return answer ? answerTurn(state, ctx, info.open.occurrenceId, answer) : undefined;
}

/** An emergency while a prompt is open: the 112 answer stands, and the check-in is recorded as "help". */
export function withCheckinEmergency(result: TurnResult, ctx: TurnContext): TurnResult {
  const info = checkinOf(ctx);
  if (!info?.open) return result;
  return { ...result, effects: [...result.effects, { kind: 'checkin_answer', occurrenceId: info.open.occurrenceId, answer: 'help' }] };
}
