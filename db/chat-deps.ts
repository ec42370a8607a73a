/**
 * The one way every channel (web chat, Telegram, SMS) builds the conversation engine's
 * dependencies, so that no channel can drift from the others: the conversation store, with the
 * chat context loaded before each turn (db/chat-data.ts) and the turn's effects applied in the
 * same transaction (db/chat-effects.ts).
 */
import type { i18n as I18n } from 'i18next';
import { homeComuneOf } from '../core/conversation/context.ts';
import type { ChatDeps } from '../core/conversation/service.ts';
import { render } from '../locales/index.ts';
import { loadChatContext } from './chat-data.ts';
import { applyChatEffects } from './chat-effects.ts';
import type { Database } from './client.ts';
import { createConversationStore, type ProcessOptions } from './conversations.ts';

/**
 * `delivery`: for Telegram and SMS, where the turn's replies are queued and which raw update the
 * turn answers, both written in the turn's own transaction.
 */
export function createChatDeps(database: Database, i18n: I18n, now: () => Date, delivery: Omit<ProcessOptions, 'origin'> = {}): ChatDeps {
  return {
    store: createConversationStore(database.db, {
      loadContext: (tx, conversation, at) => loadChatContext(tx, conversation.identityId, at, database),
      applyEffects: (tx, input) => applyChatEffects(tx, { ...input, i18n }),
      comuneOf: homeComuneOf,
    }, delivery),
    render: (ref, locale) => render(i18n, ref, locale),
    now,
  };
}
