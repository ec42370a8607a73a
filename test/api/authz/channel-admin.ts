import { eq } from 'drizzle-orm';
import { channelIdentities, staffTasks, staffUsers } from '../../../db/schema.ts';
import type { CaseFixtures, Side } from '../../helpers/case-fixtures.ts';
import { handedOverConversation } from './inbox.ts';
import type { AuthzEntry } from './types.ts';

/** A fresh SMS number proposed for a fresh person of the side (the task the SMS channel opens). */
async function proposedLink(f: CaseFixtures, side: Side) {
  const file = await f.createFile(side);
  const [identity] = await f.db
    .insert(channelIdentities)
    .values({ channel: 'sms', address: `+39347${Math.floor(Math.random() * 1e7)}` })
    .returning({ id: channelIdentities.id });
  await f.db.insert(staffTasks).values({
    kind: 'confirm_phone_link',
    comuneId: side,
    personId: file.personId,
    subjectType: 'channel_identity',
    subjectId: identity!.id,
    dedupeKey: `confirm_phone_link:${identity!.id}:${file.personId}`,
  });
  return { identityId: identity!.id, personId: file.personId };
}

/** The built-in admin account: not one of the demo accounts, so only an admin may touch it. */
async function adminAccount(f: CaseFixtures): Promise<string> {
  const [row] = await f.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, 'admin'));
  return row!.id;
}

const link = (action: 'confirm' | 'reject') => async (f: CaseFixtures, side: Side) => {
  const { identityId, personId } = await proposedLink(f, side);
  return { url: `/api/v1/channel-identities/${identityId}/${action}-link`, body: { personId } };
};

/** Authorization matrix rows for api/routes/channel-admin.ts (see ./types.ts). */
export const channelAdminAuthz: AuthzEntry[] = [
  {
    method: 'get',
    path: '/api/v1/inbox/conversations/{id}/outbound',
    roles: ['admin', 'social_worker', 'operator'],
    scoped: true,
    request: async (f, side) => ({ url: `/api/v1/inbox/conversations/${await handedOverConversation(f, side, { channel: 'telegram' })}/outbound` }),
  },
  { method: 'post', path: '/api/v1/channel-identities/{id}/confirm-link', roles: ['admin', 'social_worker'], scoped: true, request: link('confirm') },
  { method: 'post', path: '/api/v1/channel-identities/{id}/reject-link', roles: ['admin', 'social_worker'], scoped: true, request: link('reject') },
  { method: 'get', path: '/api/v1/admin/channels/status', roles: ['admin'], scoped: false, request: async () => ({ url: '/api/v1/admin/channels/status' }) },
  { method: 'get', path: '/api/v1/admin/staff/{id}/contacts', roles: ['admin'], scoped: false, request: async (f) => ({ url: `/api/v1/admin/staff/${await adminAccount(f)}/contacts` }) },
  {
    method: 'put',
    path: '/api/v1/admin/staff/{id}/contacts',
    roles: ['admin'],
    scoped: false,
    request: async (f) => ({ url: `/api/v1/admin/staff/${await adminAccount(f)}/contacts`, body: { telegramChatId: '123456', phone: '333 1234567' } }),
  },
];
