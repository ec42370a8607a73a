/**
 * The SMS gateway (Twilio webhook format) and the SMS providers of the outbound queue.
 *
 *   POST /sms/inbound  form fields From, To, Body, MessageSid → stored, handled, replies queued
 *   POST /sms/status   delivery-status callbacks (MessageSid, MessageStatus)
 *
 * Both check `X-Twilio-Signature` (HMAC-SHA1 of PUBLIC_URL + path + the sorted form fields, with
 * TWILIO_AUTH_TOKEN) in constant time: 403 otherwise. `SMS_PROVIDER=off` answers 404.
 * Store first: the message is committed (deduplicated on MessageSid) before handling; if storing
 * fails the answer is 5xx and Twilio retries; if handling fails after storing, the answer is 200
 * and the channel worker's recovery sweep handles it later. Replies never go in the webhook
 * answer (always an empty TwiML), only through the outbound queue.
 */
import { createHmac } from 'node:crypto';
import type { i18n as I18n } from 'i18next';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { SmsConfig } from '../../config.ts';
import { normalisePhone, renderSms } from '../../core/channels/render.ts';
import { DomainError } from '../../core/errors.ts';
import { handleChannelInput, markInboundFailed, storeInbound, type ChannelContext, type InboundRow } from '../../db/channel-inbox.ts';
import { recordDeliveryStatus, type ChannelSender, type OutboundItem, type SendResult } from '../../db/outbound.ts';
import type { Logger } from '../../logger.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { sendError } from '../errors.ts';
import { safeEqual } from '../security.ts';
import { storableText } from '../storable.ts';

export const SMS_INBOUND_PATH = '/sms/inbound';
export const SMS_STATUS_PATH = '/sms/status';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** Twilio's request signature: base64 HMAC-SHA1 over the full URL and the sorted POST fields. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const inboundForm = z.object({
  From: z.string().min(3).max(32),
  To: z.string().max(32).optional(),
  Body: z.string().max(1600).default(''),
  MessageSid: z.string().regex(/^[A-Za-z0-9]{10,64}$/),
});
const statusForm = z.object({
  MessageSid: z.string().regex(/^[A-Za-z0-9]{10,64}$/),
  MessageStatus: z.string().max(32),
});

function smsAuthToken(sms: SmsConfig): string | undefined {
  return sms.provider === 'twilio' ? sms.authToken : sms.provider === 'log' ? sms.authToken : undefined;
}

/** Handles one stored SMS (also the recovery sweep's handler). */
export async function processStoredSms(ctx: ChannelContext, row: Pick<InboundRow, 'id' | 'externalId' | 'payload'>): Promise<void> {
  const from = normalisePhone(String(row.payload.From ?? '')) ?? String(row.payload.From ?? '');
  await handleChannelInput(ctx, {
    channel: 'sms',
    address: from,
    locale: 'it',
    externalId: row.externalId,
    event: { kind: 'text', text: String(row.payload.Body ?? '') },
    // Marked handled in the turn's own transaction (or after a keyword's reply).
    inboundRowId: row.id,
  });
}

export function smsRoutes(deps: AppDeps) {
  const ctx: ChannelContext = { database: deps.database, i18n: deps.i18n, now: deps.now };
  const app = new Hono<AppEnv>();

  /** 404 when SMS is off, 403 without a valid signature; the parsed form otherwise. */
  async function authenticate(c: Context<AppEnv>, path: string) {
    if (deps.config.sms.provider === 'off') return { error: sendError(c, deps.i18n, new DomainError('NOT_FOUND', { key: 'errors:routeNotFound' })) };
    const form: Record<string, string> = {};
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const parsed = new URLSearchParams(await c.req.text());
      for (const [k, v] of parsed) form[k] = v;
    }
    const token = smsAuthToken(deps.config.sms);
    if (token !== undefined) {
      const expected = twilioSignature(token, `${deps.config.publicUrl}${path}`, form);
      const given = c.req.header('x-twilio-signature') ?? '';
      if (!safeEqual(expected, given)) {
        deps.logger.warn({ requestId: c.get('requestId'), route: path }, 'sms webhook signature refused');
        return { error: sendError(c, deps.i18n, new DomainError('FORBIDDEN', { key: 'errors:FORBIDDEN' })) };
      }
    }
    return { form };
  }

  app.post(SMS_INBOUND_PATH, async (c) => {
    const auth = await authenticate(c, SMS_INBOUND_PATH);
    if (auth.error) return auth.error;
    const parsed = inboundForm.safeParse(auth.form);
    // A well-signed request we cannot use: 200, or the provider retries it forever.
    if (!parsed.success) return c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' });
    // NUL and lone surrogates would fail the insert (a 500, retried forever): replaced.
    const payload = { From: storableText(parsed.data.From), To: storableText(parsed.data.To ?? ''), Body: storableText(parsed.data.Body) };
    // Storing must succeed before we say 200: a failure here is a 5xx and the provider retries.
    const stored = await storeInbound(deps.database.db, { channel: 'sms', externalId: parsed.data.MessageSid, payload });
    if (!stored.processed) {
      try {
        await processStoredSms(ctx, { id: stored.id, externalId: parsed.data.MessageSid, payload });
      } catch (err) {
        // Stored: the recovery sweep will handle it. Never a 5xx now (that would only cause a replay).
        deps.logger.error({ requestId: c.get('requestId'), inboundId: stored.id, err }, 'sms handling failed; left for the sweep');
        await markInboundFailed(deps.database.db, stored.id, err).catch(() => undefined);
      }
    }
    c.set('logIds', { inboundId: stored.id, duplicate: stored.duplicate });
    return c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' });
  });

  app.post(SMS_STATUS_PATH, async (c) => {
    const auth = await authenticate(c, SMS_STATUS_PATH);
    if (auth.error) return auth.error;
    const parsed = statusForm.safeParse(auth.form);
    if (parsed.success) {
      const outcome = await recordDeliveryStatus(deps.database.db, parsed.data.MessageSid, storableText(parsed.data.MessageStatus.toLowerCase()), deps.now());
      deps.logger.info({ requestId: c.get('requestId'), outcome, status: parsed.data.MessageStatus }, 'sms status');
    }
    return c.body(null, 204);
  });

  return app;
}

// ───────────── outbound providers ─────────────

/** The SMS text of a queued message: numbered options, GSM-7, at most two segments. */
export function smsText(i18n: I18n, item: Pick<OutboundItem, 'body' | 'options' | 'locale'>): string {
  const lng = item.locale === 'en' ? 'en' : 'it';
  return renderSms(
    item.body,
    item.options,
    (numbers) => i18n.t('channels:sms.replyHint', { numbers, lng }),
    i18n.t('channels:sms.or', { lng }),
    { range: (last) => i18n.t('channels:sms.replyRange', { last, lng }), single: i18n.t('channels:sms.replyOne', { lng }) },
  );
}

export interface LogSmsSender extends ChannelSender {
  /** What the log provider "sent" (development and tests; never logged). */
  readonly sent: { to: string; text: string; providerId: string }[];
}

/** Development provider: keeps the texts in memory, logs ids and segment counts only. */
export function createLogSmsSender(i18n: I18n, logger: Logger): LogSmsSender {
  const sent: { to: string; text: string; providerId: string }[] = [];
  let n = 0;
  return {
    channel: 'sms',
    sent,
    async send(item) {
      const text = smsText(i18n, item);
      n += 1;
      const providerId = `LOG${String(n).padStart(10, '0')}`;
      sent.push({ to: item.address, text, providerId });
      logger.info({ outboundId: item.id, providerId, chars: text.length }, 'sms sent (log provider)');
      return { ok: true, providerId };
    },
  };
}

/** Twilio REST provider: POST …/Accounts/{sid}/Messages.json with a status callback. */
export function createTwilioSmsSender(
  sms: Extract<SmsConfig, { provider: 'twilio' }>,
  publicUrl: string,
  i18n: I18n,
  fetchImpl: typeof fetch = fetch,
): ChannelSender {
  const url = `${sms.apiRoot}/2010-04-01/Accounts/${encodeURIComponent(sms.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${sms.accountSid}:${sms.authToken}`).toString('base64')}`;
  return {
    channel: 'sms',
    async send(item): Promise<SendResult> {
      const body = new URLSearchParams({ To: item.address, From: sms.from, Body: smsText(i18n, item), StatusCallback: `${publicUrl}${SMS_STATUS_PATH}` });
      let res: Response;
      try {
        res = await fetchImpl(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body, signal: AbortSignal.timeout(15_000) });
      } catch {
        return { ok: false, kind: 'retry', code: 'network' };
      }
      const json = (await res.json().catch(() => ({}))) as { sid?: string; code?: number };
      if (res.ok) return json.sid ? { ok: true, providerId: json.sid } : { ok: true };
      if (res.status === 429 || res.status >= 500) {
        const retryAfter = Number(res.headers.get('retry-after'));
        return { ok: false, kind: 'retry', code: `http_${res.status}`, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
      }
      // 21610: the number replied STOP; 21211/21614: not a valid / not a mobile number.
      if (json.code === 21610 || json.code === 21211 || json.code === 21614) return { ok: false, kind: 'unreachable', code: `twilio_${json.code}` };
      return { ok: false, kind: 'failed', code: `http_${res.status}${json.code ? `_${json.code}` : ''}` };
    },
  };
}
