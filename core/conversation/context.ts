/**
 * What the engine may know about the person writing, loaded by the db layer before each turn
 * (db/chat-data.ts). Before an identity is linked, `people` is empty: no personal data at all.
 */
import type { FeeTariffBand } from '../regulation/fees.ts';
import type { OfficeHoursSpec } from './office-hours.ts';

export interface ComuneInfo {
  id: string;
  name: string;
  officeAddress: string | null;
  officeHours: OfficeHoursSpec | null;
  /** 'MM-DD' or null. */
  patronDay: string | null;
  /** Art. 14: the comune's co-payment by ISEE band, ascending, the last open-ended; null when not set. */
  feeBands?: readonly FeeTariffBand[] | null;
}

export interface ProgrammeInfo {
  id: string;
  status: 'planned' | 'active' | 'suspended' | 'interrupted' | 'ended';
  weeklyHours: number;
  periodEnd: string;
  balance: number;
  /** Planned visits from now on, earliest first (at most a few). */
  upcomingVisits: { id: string; startsAt: string; hours: number }[];
  /** Art. 12: ended and no satisfaction questionnaire answered yet. */
  questionnaireDue: boolean;
}

export interface ApplicationInfo {
  id: string;
  status: 'received' | 'under_investigation' | 'assessed' | 'waiting_list' | 'admitted' | 'not_eligible' | 'closed';
  applicationDate: string;
  /** Date the written answer was sent ('YYYY-MM-DD'), if it was. */
  answerSentOn: string | null;
  /** Waiting-list place (art. 6), when on the list. */
  position: number | null;
  ahead: number | null;
}

/** A person this chat identity may act for: themself, or someone they are a delegate of. */
export interface LinkedPerson {
  personId: string;
  /** Given name only, to ask "per chi?" — shown only to the linked identity. */
  givenName: string;
  self: boolean;
  comuneId: string | null;
  livesAloneWithoutFamily: boolean;
  programme: ProgrammeInfo | null;
  application: ApplicationInfo | null;
}

export interface ProviderInfo {
  name: string;
  kind: 'accredited_provider' | 'volunteer_association';
  phone: string | null;
  availability: string | null;
  comuni: string[];
}

export interface ChatContext {
  linked: boolean;
  people: LinkedPerson[];
  comuni: ComuneInfo[];
  providers: ProviderInfo[];
  /** Records this identity created, for status questions ("R-1042?"). */
  myRequests: { reference: string; status: string; kind: string }[];
  mySegnalazioni: { reference: string; status: string }[];
}

/** The comune the identity belongs to, when linked: the first linked person's that has one. */
export function homeComuneOf(context: Pick<ChatContext, 'people'>): string | null {
  return context.people.find((p) => p.comuneId)?.comuneId ?? null;
}

export const EMPTY_CONTEXT: ChatContext = { linked: false, people: [], comuni: [], providers: [], myRequests: [], mySegnalazioni: [] };
