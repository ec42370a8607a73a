import { channelIdentities, conversations, messages, cannedReplies } from '../../../db/schema.ts';
import type { CaseFixtures, Side } from '../../helpers/case-fixtures.ts';
import type { AuthzEntry } from './types.ts';

const STAFF = ['admin', 'social_worker', 'operator'] as const;

/** A fresh conversation of the side's comune, handed over to the inbox, with one message. */
export async function handedOverConversation(f: CaseFixtures, side: Side, options: { urgent?: boolean; channel?: 'web' | 'telegram' | 'sms'; comuneId?: string | null } = {}): Promise<string> {
  const channel = options.channel ?? 'web';
  const [identity] = await f.db
    .insert(channelIdentities)
    .values({ channel, address: channel === 'sms' ? `+3933${Math.floor(Math.random() * 1e8)}` : crypto.randomUUID() })
    .returning({ id: channelIdentities.id });
  const [conversation] = await f.db
    .insert(conversations)
    .values({ channel, identityId: identity!.id, comuneId: options.comuneId === undefined ? side : options.comuneId, handling: 'waiting', urgent: options.urgent ?? false, handedOverAt: new Date(), lastSeq: 1 })
    .returning({ id: conversations.id });
  await f.db.insert(messages).values({ conversationId: conversation!.id, seq: 1, direction: 'in', author: 'person', body: 'voglio parlare con un operatore', processedAt: new Date() });
  return conversation!.id;
}

const conv = (suffix: string) => async (f: CaseFixtures, side: Side) => ({ url: `/api/v1/inbox/conversations/${await handedOverConversation(f, side)}${suffix}` });

/** Authorization matrix rows for api/routes/inbox.ts (see ./types.ts). */
export const inboxAuthz: AuthzEntry[] = [
  { method: 'get', path: '/api/v1/inbox', roles: STAFF, scoped: false, request: () => ({ url: '/api/v1/inbox?view=all&limit=5' }) },
  { method: 'get', path: '/api/v1/inbox/conversations/{id}', roles: STAFF, scoped: true, request: conv('') },
  { method: 'post', path: '/api/v1/inbox/conversations/{id}/reply', roles: STAFF, scoped: true, request: async (f, side) => ({ ...(await conv('/reply')(f, side)), body: { text: 'Buongiorno' } }) },
  { method: 'post', path: '/api/v1/inbox/conversations/{id}/assign', roles: STAFF, scoped: true, request: async (f, side) => ({ ...(await conv('/assign')(f, side)), body: {} }) },
  { method: 'post', path: '/api/v1/inbox/conversations/{id}/resolve', roles: STAFF, scoped: true, request: conv('/resolve') },
  { method: 'post', path: '/api/v1/inbox/conversations/{id}/hand-back', roles: STAFF, scoped: true, request: conv('/hand-back') },
  { method: 'post', path: '/api/v1/inbox/conversations/{id}/notes', roles: STAFF, scoped: true, request: async (f, side) => ({ ...(await conv('/notes')(f, side)), body: { text: 'Nota' } }) },
  { method: 'get', path: '/api/v1/inbox/canned-replies', roles: STAFF, scoped: false, request: () => ({ url: '/api/v1/inbox/canned-replies' }) },
  { method: 'post', path: '/api/v1/inbox/canned-replies', roles: ['admin'], scoped: false, request: (_f, side) => ({ url: '/api/v1/inbox/canned-replies', body: { comuneId: side, title: 'Saluto', text: 'Buongiorno' } }) },
  {
    method: 'delete',
    path: '/api/v1/inbox/canned-replies/{id}',
    roles: ['admin'],
    scoped: false,
    request: async (f, side) => {
      const [row] = await f.db.insert(cannedReplies).values({ comuneId: side, title: 'Da cancellare', body: 'x' }).returning({ id: cannedReplies.id });
      return { url: `/api/v1/inbox/canned-replies/${row!.id}` };
    },
  },
];
