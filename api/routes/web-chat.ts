/**
 * The web chat gateway (fixed contract, see README):
 *   POST /chat/web/sessions                     → { sessionId, token }
 *   POST /chat/web/sessions/{id}/messages       (Bearer token) → { replies, understood }
 *        body { text } or { option }, plus an optional clientMessageId (1–64 of [A-Za-z0-9_-]):
 *        the page makes one per message and sends it again with every retry of that message. A
 *        retry is not stored or answered twice (and creates no second request): it gets the
 *        replies the first attempt produced, 200 with the same body shape. The first body sent
 *        under an id wins; a later one with other text under the same id is answered as a retry.
 *   GET  /chat/web/sessions/{id}/messages       (Bearer token) → { messages }
 *   GET  /chat/web/sessions/{id}/events         (httpOnly cookie) → server-sent events
 * The token never travels in a URL: EventSource cannot send headers, so the events stream is
 * authenticated by a cookie scoped to this session's path, set when the session is created.
 */
import { zValidator } from '@hono/zod-validator';
import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { decideTurn, receiveMessage } from '../../core/conversation/service.ts';
import { DomainError } from '../../core/errors.ts';
import {
  createWebChatSession,
  listMessages,
  type StoredMessage,
} from '../../db/conversations.ts';
import type { HotQueries } from '../../db/hot-queries.ts';
import { hitRateLimit } from '../../db/rate-limit.ts';
import { createChatDeps } from '../../db/chat-deps.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { sendError, validationError } from '../errors.ts';
import { isUuid, newToken, safeEqual, sha256Hex } from '../security.ts';
import { storableText } from '../storable.ts';
import { clientAddress } from '../client-address.ts';

/** Longest text accepted; the engine asks politely for a shorter one above 1,000 characters. */
export const MAX_CHAT_TEXT = 10_000;
/** A municipal office shares one address among many citizens: generous per-address limit. */
export const SESSION_CREATE_LIMIT = { perAddress: 600, windowSeconds: 60 };
const CHAT_COOKIE = 'centrale_chat';
/** A client's own id for one message (a UUID fits); stored prefixed, see WEB_EXTERNAL_PREFIX. */
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Web-chat ids live in messages.external_id next to channel ids: the prefix keeps them apart. */
export const WEB_EXTERNAL_PREFIX = 'web:';
const SSE_KEEPALIVE_MS = 20_000;

const createSessionBody = z.strictObject({ locale: z.enum(['it', 'en']).optional() });
const messageBody = z
  .strictObject({
    // NUL and lone surrogates cannot be stored: replaced, so the message still gets an answer.
    text: z.string().max(MAX_CHAT_TEXT).transform(storableText).optional(),
    option: z.string().min(1).max(100).transform(storableText).optional(),
    // One refinement rather than min/max/regex: one clear message whatever is wrong with it.
    clientMessageId: z
      .string()
      .refine((id) => CLIENT_MESSAGE_ID.test(id), { params: { key: 'web:clientMessageIdInvalid' } })
      .optional(),
  })
  .refine((b) => (b.text === undefined) !== (b.option === undefined), {
    params: { key: 'errors:field.textOrOption' },
    path: ['text'],
  });

function publicMessage(m: StoredMessage) {
  return {
    id: m.id,
    seq: m.seq,
    direction: m.direction,
    author: m.author,
    text: m.body,
    ...(m.options ? { options: m.options } : {}),
    createdAt: m.createdAt.toISOString(),
  };
}

function replyView(r: { id: string; seq: number; body: string; options: { id: string; label: string }[] | null }) {
  return { id: r.id, seq: r.seq, text: r.body, ...(r.options ? { options: r.options } : {}) };
}

export function webChatRoutes(deps: AppDeps, hot: HotQueries) {
  const { db } = deps.database;
  const chat = createChatDeps(deps.database, deps.i18n, deps.now);

  const invalid = (result: { success: boolean; error?: { issues: z.core.$ZodIssue[] } }, c: Context) => {
    if (!result.success) return sendError(c, deps.i18n, validationError(result.error?.issues ?? []));
  };

  /** Resolves the session from the path and a token (bearer header or cookie); 401/404 otherwise. */
  async function authorise(c: Context, token: string | undefined) {
    const id = c.req.param('id') ?? '';
    if (!token) return { error: sendError(c, deps.i18n, new DomainError('UNAUTHORIZED', { key: 'errors:chatSessionNotFound' })) };
    const session = isUuid(id) ? await hot.findWebChatSession(id) : undefined;
    // Unknown session and wrong token answer alike: no oracle for valid session ids.
    if (!session || !safeEqual(session.tokenHash, sha256Hex(token))) {
      return { error: sendError(c, deps.i18n, new DomainError('NOT_FOUND', { key: 'errors:chatSessionNotFound' })) };
    }
    return { id, session };
  }

  const bearer = (c: Context) => /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];

  return new Hono<AppEnv>()
    // A body without a JSON content type validates as {}: every field here is optional.
    .post('/chat/web/sessions', zValidator('json', createSessionBody, invalid), async (c) => {
      const now = deps.now();
      const limit = await hitRateLimit(db, `chat:create:${clientAddress(c, deps.config.trustedProxies)}`, SESSION_CREATE_LIMIT.perAddress, SESSION_CREATE_LIMIT.windowSeconds, now);
      if (!limit.allowed) {
        c.header('Retry-After', String(limit.retryAfter));
        return sendError(c, deps.i18n, new DomainError('RATE_LIMITED', { key: 'errors:RATE_LIMITED' }));
      }
      const locale = c.req.valid('json').locale ?? 'it';
      const token = newToken();
      const { sessionId, conversationId } = await createWebChatSession(db, { locale, tokenHash: sha256Hex(token) });
      // The welcome (privacy notice, greeting, menu) is the engine's opening turn, stored like any other.
      await receiveMessage(chat, conversationId, { start: true });
      setCookie(c, CHAT_COOKIE, token, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: deps.config.secureCookies,
        path: `/chat/web/sessions/${sessionId}`,
        maxAge: 30 * 24 * 3600,
      });
      deps.logger.info({ sessionId, conversationId, requestId: c.get('requestId') }, 'web chat session created');
      return c.json({ sessionId, token }, 201);
    })
    .post('/chat/web/sessions/:id/messages', zValidator('json', messageBody, invalid), async (c) => {
      const auth = await authorise(c, bearer(c));
      if (auth.error) return auth.error;
      const body = c.req.valid('json');
      const origin = clientAddress(c, deps.config.trustedProxies);
      const conversationId = auth.session.conversationId;
      const externalId = body.clientMessageId !== undefined ? `${WEB_EXTERNAL_PREFIX}${body.clientMessageId}` : undefined;
      const turn = await receiveMessage(chat, conversationId, {
        ...(body.option !== undefined ? { optionId: body.option } : { text: body.text ?? '' }),
        ...(externalId !== undefined ? { externalId } : {}),
        origin,
      });
      if (!turn.duplicate) return c.json({ replies: turn.replies.map(replyView), understood: turn.understood }, 200);
      // A retry. The first attempt may have stored the message and then failed (503), or may still
      // be handling it in a concurrent request: handling pending messages takes the conversation's
      // lock, so this waits for that attempt, handles the message only if nobody did, and is a
      // no-op otherwise. Then the replies the message got are this answer too.
      const now = deps.now();
      await chat.store.processPending(conversationId, (conv, m, context) => decideTurn(chat.render, now, conv, m, context), now, { origin });
      const first = await chat.store.repliesTo(turn.inboundId);
      deps.logger.info({ conversationId, inboundId: turn.inboundId, requestId: c.get('requestId') }, 'web chat message retried');
      return c.json({ replies: first.replies.map(replyView), understood: first.understood ?? { intent: 'unknown' } }, 200);
    })
    .get('/chat/web/sessions/:id/messages', async (c) => {
      const auth = await authorise(c, bearer(c));
      if (auth.error) return auth.error;
      const all = await listMessages(db, auth.session.conversationId);
      return c.json({ messages: all.filter((m) => m.author !== 'system').map(publicMessage) }, 200);
    })
    .get('/chat/web/sessions/:id/events', async (c) => {
      const auth = await authorise(c, getCookie(c, CHAT_COOKIE));
      if (auth.error) return auth.error;
      const conversationId = auth.session.conversationId;
      const fromHeader = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? '0');
      let lastSeq = Number.isSafeInteger(fromHeader) && fromHeader > 0 ? fromHeader : 0;
      c.header('X-Accel-Buffering', 'no');
      return streamSSE(c, async (stream) => {
        let wake: (() => void) | undefined;
        let pending = true; // read once at start: messages may predate the subscription
        const unsubscribe = deps.live.subscribe(conversationId, (seq) => {
          if (seq > lastSeq) {
            pending = true;
            wake?.();
          }
        });
        stream.onAbort(() => {
          unsubscribe();
          wake?.();
        });
        try {
          while (!stream.aborted) {
            if (pending) {
              pending = false;
              for (const m of await listMessages(db, conversationId, lastSeq)) {
                if (m.author === 'system') {
                  lastSeq = m.seq;
                  continue;
                }
                await stream.writeSSE({ id: String(m.seq), event: 'message', data: JSON.stringify(publicMessage(m)) });
                lastSeq = m.seq;
              }
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
              const timer = setTimeout(resolve, SSE_KEEPALIVE_MS);
              timer.unref?.();
            });
            wake = undefined;
            if (!pending && !stream.aborted) await stream.write(': keep-alive\n\n');
          }
        } finally {
          unsubscribe();
        }
      });
    });
}
