/**
 * Linking a chat identity to a person with a one-time code issued by staff.
 *
 * - The code is 8 characters of an alphabet without look-alikes, shown to staff once and stored
 *   only as its SHA-256; it expires after 24 hours and works once. Issuing a new code for a
 *   person retires the previous unused ones.
 * - Attempts are limited per conversation (5 a day: after 5 tries the conversation cannot try
 *   again that day), per channel address, per client address (web) and overall, through
 *   db/rate-limit.ts, so guessing is pointless. A code with 5 failed attempts recorded against it
 *   is refused. A wrong code matches no row (only hashes are stored), so wrong tries are counted
 *   on the conversation and addresses that made them.
 */
import { createHash, randomInt } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { LINK_CODE_ALPHABET, LINK_CODE_LENGTH } from '../core/conversation/flows/account.ts';
import { recordAudit } from './audit.ts';
import type { Queryable } from './client.ts';
import { hitRateLimit } from './rate-limit.ts';
import { channelIdentities, linkCodes } from './schema.ts';

export const LINK_CODE_TTL_HOURS = 24;
export const LINK_CODE_MAX_FAILED = 5;
export const LINK_LIMITS = {
  perConversation: { limit: 5, windowSeconds: 86_400 },
  perAddress: { limit: 10, windowSeconds: 3_600 },
  perOrigin: { limit: 20, windowSeconds: 3_600 },
  overall: { limit: 300, windowSeconds: 60 },
} as const;

export function hashLinkCode(code: string): string {
  return createHash('sha256').update(`centrale-link:${code}`).digest('hex');
}

export function newLinkCode(): string {
  let code = '';
  for (let i = 0; i < LINK_CODE_LENGTH; i++) code += LINK_CODE_ALPHABET[randomInt(LINK_CODE_ALPHABET.length)];
  return code;
}

/** Issues a code for a person; returns it in clear (shown once) with its expiry. */
export async function issueLinkCode(q: Queryable, input: { personId: string; issuedBy: string; now: Date }): Promise<{ code: string; display: string; expiresAt: Date }> {
  const expiresAt = new Date(input.now.getTime() + LINK_CODE_TTL_HOURS * 3_600_000);
  await q
    .update(linkCodes)
    .set({ expiresAt: input.now })
    .where(and(eq(linkCodes.personId, input.personId), isNull(linkCodes.usedAt), gt(linkCodes.expiresAt, input.now)));
  for (;;) {
    const code = newLinkCode();
    const inserted = await q
      .insert(linkCodes)
      .values({ codeHash: hashLinkCode(code), personId: input.personId, issuedBy: input.issuedBy, expiresAt, createdAt: input.now })
      .onConflictDoNothing()
      .returning({ id: linkCodes.id });
    if (inserted.length > 0) return { code, display: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
  }
}

export type LinkOutcome = 'ok' | 'wrong' | 'expired' | 'limited';

/** Checks a typed code and, when right, links the identity to the code's person. */
export async function redeemLinkCode(
  q: Queryable,
  input: { code: string; conversationId: string; identityId: string; channel: string; address: string; origin?: string; now: Date },
): Promise<LinkOutcome> {
  const checks = [
    hitRateLimit(q, `link:conv:${input.conversationId}`, LINK_LIMITS.perConversation.limit, LINK_LIMITS.perConversation.windowSeconds, input.now),
    hitRateLimit(q, `link:addr:${input.channel}:${input.address}`, LINK_LIMITS.perAddress.limit, LINK_LIMITS.perAddress.windowSeconds, input.now),
    hitRateLimit(q, 'link:all', LINK_LIMITS.overall.limit, LINK_LIMITS.overall.windowSeconds, input.now),
  ];
  if (input.origin) checks.push(hitRateLimit(q, `link:origin:${input.origin}`, LINK_LIMITS.perOrigin.limit, LINK_LIMITS.perOrigin.windowSeconds, input.now));
  const results = [];
  for (const check of checks) results.push(await check);
  const audit = (outcome: 'ok' | 'denied', reason: string, personId?: string) =>
    recordAudit(q, { actorType: 'person', actorId: input.identityId, action: 'chat.link', subjectType: personId ? 'person' : 'conversation', subjectId: personId ?? input.conversationId, outcome, reason });
  if (results.some((r) => !r.allowed)) {
    await audit('denied', 'rate_limited');
    return 'limited';
  }
  const [row] = await q
    .select({ id: linkCodes.id, personId: linkCodes.personId, expiresAt: linkCodes.expiresAt, usedAt: linkCodes.usedAt, failedAttempts: linkCodes.failedAttempts })
    .from(linkCodes)
    .where(eq(linkCodes.codeHash, hashLinkCode(input.code)))
    .for('update');
  if (!row) {
    await audit('denied', 'wrong_code');
    return 'wrong';
  }
  if (row.usedAt !== null || row.expiresAt.getTime() <= input.now.getTime() || row.failedAttempts >= LINK_CODE_MAX_FAILED) {
    await audit('denied', 'expired_code', row.personId);
    return 'expired';
  }
  await q.update(linkCodes).set({ usedAt: input.now, usedByIdentityId: input.identityId }).where(eq(linkCodes.id, row.id));
  await q.update(channelIdentities).set({ personId: row.personId }).where(eq(channelIdentities.id, input.identityId));
  await audit('ok', 'linked', row.personId);
  return 'ok';
}

/** The channel address of an identity (for the per-address limit). */
export async function identityAddress(q: Queryable, identityId: string): Promise<{ channel: string; address: string }> {
  const [row] = await q.select({ channel: channelIdentities.channel, address: channelIdentities.address }).from(channelIdentities).where(eq(channelIdentities.id, identityId));
  return row ?? { channel: 'web', address: identityId };
}
