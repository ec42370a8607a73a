/**
 * The Telegram webhook: POST /telegram/webhook (TELEGRAM_MODE=webhook only, 404 otherwise).
 * The `X-Telegram-Bot-Api-Secret-Token` header is compared in constant time (401 without it).
 * The update is stored (deduplicated on update_id) and answered 200 at once; the bot's channel
 * worker (bot/) handles it from the store, woken by NOTIFY, with a recovery sweep behind it.
 * An authenticated update of a kind we ignore still gets 200: Telegram redelivers what gets a 4xx.
 */
import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { storeInbound } from '../../db/channel-inbox.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { sendError } from '../errors.ts';
import { safeEqual } from '../security.ts';
import { storable } from '../storable.ts';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export function telegramRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.post(TELEGRAM_WEBHOOK_PATH, async (c) => {
    const tg = deps.config.telegram;
    if (!tg.enabled || tg.mode !== 'webhook') return sendError(c, deps.i18n, new DomainError('NOT_FOUND', { key: 'errors:routeNotFound' }));
    const given = c.req.header('x-telegram-bot-api-secret-token') ?? '';
    if (!safeEqual(given, tg.webhookSecret)) {
      deps.logger.warn({ requestId: c.get('requestId') }, 'telegram webhook secret refused');
      return sendError(c, deps.i18n, new DomainError('UNAUTHORIZED', { key: 'errors:UNAUTHORIZED' }));
    }
    let update: unknown;
    try {
      update = await c.req.json();
    } catch {
      return c.body(null, 200);
    }
    const updateId = (update as { update_id?: unknown } | null)?.update_id;
    if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId)) return c.body(null, 200);
    // NUL and lone surrogates would fail the jsonb insert (a 500, redelivered forever): replaced.
    const payload = storable(update as Record<string, unknown>);
    if (payload === undefined) return c.body(null, 200);
    const stored = await storeInbound(deps.database.db, { channel: 'telegram', externalId: String(updateId), payload });
    // On the request's own log line: one line per update, not two.
    c.set('logIds', { inboundId: stored.id, updateId, duplicate: stored.duplicate });
    return c.body(null, 200);
  });
  return app;
}
