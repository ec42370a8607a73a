import type { MessageRef } from '../errors.ts';
import type { Intent } from '../nlu/types.ts';
import type { ChatContext } from './context.ts';

export type ChannelKind = 'web' | 'telegram' | 'sms';

/** What a person sent, channel-neutral. */
export type EngineInput =
  | { kind: 'start' }
  | { kind: 'text'; text: string }
  | { kind: 'option'; optionId: string }
  | { kind: 'contact'; phone: string }
  | { kind: 'media'; mediaType: string };

/** What the engine wants shown: sentences as locale keys, rendered by the channel adapter. */
export interface OutMessage {
  text: MessageRef;
  options?: { id: string; label: MessageRef }[];
}

/** Values a flow keeps between turns (JSON only). */
export type FlowValue = string | number | boolean | null | string[];

export type FlowName =
  | 'link'
  | 'balance'
  | 'application'
  | 'help'
  | 'report'
  | 'suspend'
  | 'apply'
  | 'providers'
  | 'questionnaire'
  | 'more';

/** A flow in progress: which one, the question it is waiting for, what it collected so far. */
export interface FlowState {
  name: FlowName;
  step: string;
  data: Record<string, FlowValue>;
}

/** Persisted between turns (conversations.state), so a restart resumes where it was. */
export interface EngineState {
  v: 1;
  /** Increases whenever a new set of options is shown: options from an older one are recognised as stale. */
  menu: number;
  step: 'menu' | 'offer_handover' | 'flow';
  /** The intent the pending handover offer is about. */
  pendingIntent?: Intent;
  flow?: FlowState;
  /** The question now waiting for an answer, to ask again after something not understood. */
  last?: { text: MessageRef; choices: { action: string; label: MessageRef }[] };
  /** Actions of the options now shown, in order: a typed "2" picks the second (SMS numbers its choices). */
  opts?: string[];
  /** When the person was last told that an operator will answer (ISO), so that waiting is acknowledged, not repeated. */
  heldAt?: string;
  /** When the question now open was asked (ISO; not kept at the menu). */
  at?: string;
}

/** The fixed `understood` contract: intent, and for help requests the art. 7 family and code. */
export interface Understood {
  intent: Intent;
  family?: string;
  code?: string;
  service?: string;
}

/** A help request as the engine decided it; the db layer stores it and gives it a reference. */
export interface RequestEffect {
  kind: 'create_request';
  requestKind: 'visit' | 'on_demand';
  personId: string | null;
  comuneId: string | null;
  programmeId: string | null;
  visitId: string | null;
  family: string | null;
  service: string | null;
  /** ISO instant of the requested start, or null. */
  requestedStart: string | null;
  /** What the person asked, in a few words (kept for staff): "cancel_visit", "pre_application", … */
  requestedText: string | null;
}

export interface SegnalazioneEffect {
  kind: 'create_segnalazione';
  reporterName: string | null;
  reporterRole: string;
  subjectName: string;
  subjectAddress: string;
  comuneId: string;
  problems: string[];
  details: string | null;
  livesAlone: boolean | null;
  personAware: boolean | null;
  immediateRisk: boolean;
  consentToContact: boolean | null;
  urgency: 'normal' | 'high' | 'immediate';
}

export type Effect =
  | { kind: 'handover'; urgent: boolean; reason: 'requested' | 'emergency' | 'segnalazione_risk' | 'checkin' }
  | { kind: 'link_identity'; code: string }
  /** Personal data shown to a linked identity: audited like any read of a person's file. */
  | { kind: 'record_read'; personId: string; what: 'balance' | 'application' }
  | RequestEffect
  | SegnalazioneEffect
  | { kind: 'propose_change'; personId: string; applicationId: string | null; changes: Record<string, string> }
  | { kind: 'request_suspension'; programmeId: string; fromDate: string; toDate: string | null; reason: string }
  | { kind: 'save_questionnaire'; programmeId: string; answers: Record<string, string> }
  | { kind: 'pre_application'; personId: string; comuneId: string; applicationDate: string }
  /** Check-ins (issue #9, core/conversation/flows/checkin.ts): an answer to today's prompt, or a pause/stop/resume by chat. */
  | { kind: 'checkin_answer'; occurrenceId: string; answer: 'ok' | 'help' | 'call' }
  | { kind: 'checkin_pause'; enrolmentId: string; until: string }
  | { kind: 'checkin_stop'; enrolmentId: string }
  | { kind: 'checkin_resume'; enrolmentId: string };

/** What the db layer reports back after applying a turn's effects. */
export interface EffectResults {
  /** Reference number of the record created ("R-1042", "S-1043"). */
  reference?: string;
  /** With `context` once linked: what the db layer now knows of the chat, to answer what was asked before the code. */
  link?: { outcome: 'ok' | 'wrong' | 'expired' | 'limited'; context?: ChatContext };
}

export interface TurnContext {
  now: Date;
  locale: 'it' | 'en';
  channel: ChannelKind;
  /** Who answers now: while staff handle the conversation the bot stays silent except for emergencies. */
  handling: 'bot' | 'waiting' | 'human' | 'closed';
  /** What the db layer knows about this chat identity (linked people, comuni, …); absent in pure tests = nothing known. */
  data?: ChatContext;
}

export interface TurnResult {
  state: EngineState;
  replies: OutMessage[];
  understood: Understood;
  effects: Effect[];
  /**
   * After the effects are applied: the replies that depend on their outcome (a reference number, a
   * link result), and the effects of those replies themselves (the audited read of a file answered
   * right after the link code), applied in turn with the context as it is then.
   */
  finish?: (results: EffectResults) => { replies: OutMessage[]; state?: EngineState; effects?: Effect[] };
}

/** Renders a locale key into the person's language (implemented with i18next by the adapters). */
export type Renderer = (ref: MessageRef, locale: string) => string;
