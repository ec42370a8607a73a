/**
 * The one way every channel (web chat, Telegram, SMS) builds the conversation engine's
 * dependencies, so that no channel can drift from the others.
 */
import type { i18n as I18n } from 'i18next';
import type { ChatDeps } from '../core/conversation/service.ts';
import { render } from '../locales/index.ts';
import type { Database } from './client.ts';
import { createConversationStore } from './conversations.ts';

export function createChatDeps(database: Database, i18n: I18n, now: () => Date): ChatDeps {
  return {
    store: createConversationStore(database.db),
    render: (ref, locale) => render(i18n, ref, locale),
    now,
  };
}
