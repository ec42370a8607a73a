/**
 * Shared pieces of the reliability proofs (test/api/reliability-*.test.ts): bounded concurrency,
 * waiting for a condition, signed channel requests, and fakes of the Telegram Bot API and of
 * Twilio's REST API that count what centrale delivers (and how often) from another process.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { twilioSignature } from '../../api/routes/sms.ts';

export const RELIABILITY_SEED = 20261122;

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  });
  await Promise.all(workers);
  return results;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value (or throws with `what` after `timeoutMs`). */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

// ───────────── channel requests ─────────────

export function telegramText(updateId: number, chatId: number, text: string): Record<string, unknown> {
  return { update_id: updateId, message: { message_id: updateId, date: 0, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'x', language_code: 'it' }, text } };
}

export function telegramWebhookInit(update: unknown, secret: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) };
}

/** A Twilio inbound-SMS webhook request signed for `publicUrl`. */
export function smsWebhookInit(publicUrl: string, authToken: string, fields: { From: string; Body: string; MessageSid: string; To?: string }): RequestInit {
  const form: Record<string, string> = { To: '+390200000000', ...fields };
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(authToken, `${publicUrl}/sms/inbound`, form) },
    body: new URLSearchParams(form).toString(),
  };
}

export const messageSid = (n: number) => `SM${String(n).padStart(32, '0')}`;

// ───────────── fake providers (another process sends to them) ─────────────

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export interface SentText {
  to: string;
  text: string;
}

export interface FakeBotApi {
  apiRoot: string;
  /** sendMessage calls, in arrival order. */
  sent: SentText[];
  /** Queues an update for getUpdates (served until an offset confirms it, like Telegram). */
  pushUpdate(update: Record<string, unknown>): void;
  getUpdatesCalls: number;
  /** Most getUpdates requests ever open at once: 1 when a single instance polls. */
  maxConcurrentPolls: number;
  /** While true, every call answers 502 (Telegram briefly unavailable). */
  failing: boolean;
  close(): Promise<void>;
}

/**
 * The Bot API methods centrale calls. getUpdates holds an empty answer for `holdMs`, as a long
 * poll does, so that two pollers would be seen overlapping.
 */
export async function startFakeBotApi(token: string, options: { holdMs?: number } = {}): Promise<FakeBotApi> {
  const holdMs = options.holdMs ?? 300;
  let updates: Record<string, unknown>[] = [];
  let open = 0;
  let messageId = 1000;
  const fake: FakeBotApi = {
    apiRoot: '',
    sent: [],
    pushUpdate: (u) => updates.push(u),
    getUpdatesCalls: 0,
    maxConcurrentPolls: 0,
    failing: false,
    close: async () => closeServer(server),
  };
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const reply = (status: number, body: unknown) => {
      if (res.writableEnded) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = new RegExp(`^/bot${token}/(\\w+)$`).exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (fake.failing) return reply(502, { ok: false, error_code: 502, description: 'Bad Gateway' });
    let payload: Record<string, unknown> = {};
    try {
      payload = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      payload = Object.fromEntries(new URLSearchParams(raw));
    }
    switch (m[1]) {
      case 'getUpdates': {
        fake.getUpdatesCalls += 1;
        open += 1;
        fake.maxConcurrentPolls = Math.max(fake.maxConcurrentPolls, open);
        const offset = typeof payload.offset === 'number' ? payload.offset : undefined;
        if (offset !== undefined) updates = updates.filter((u) => (u.update_id as number) >= offset);
        const out = updates.slice(0, 100);
        const answer = () => {
          open -= 1;
          reply(200, { ok: true, result: out });
        };
        if (out.length > 0) return answer();
        return void setTimeout(answer, holdMs);
      }
      case 'sendMessage':
        fake.sent.push({ to: String(payload.chat_id), text: String(payload.text ?? '') });
        messageId += 1;
        return reply(200, { ok: true, result: { message_id: messageId, date: 0, chat: { id: Number(payload.chat_id), type: 'private' }, text: payload.text } });
      default:
        return reply(200, { ok: true, result: true });
    }
  });
  fake.apiRoot = await listen(server);
  return fake;
}

export interface FakeTwilio {
  apiRoot: string;
  sent: SentText[];
  close(): Promise<void>;
}

/** POST /2010-04-01/Accounts/{sid}/Messages.json → 201 with a sid; records what was sent. */
export async function startFakeTwilio(): Promise<FakeTwilio> {
  let n = 0;
  const fake: FakeTwilio = { apiRoot: '', sent: [], close: async () => closeServer(server) };
  const server = createServer(async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    if (req.method !== 'POST' || !/\/Messages\.json$/.test(req.url ?? '')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{}');
    }
    n += 1;
    fake.sent.push({ to: form.get('To') ?? '', text: form.get('Body') ?? '' });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid: `SMOUT${String(n).padStart(28, '0')}`, status: 'queued' }));
  });
  fake.apiRoot = await listen(server);
  return fake;
}

/** Counts of each distinct text to one address: values > 1 are duplicate deliveries. */
export function duplicatesOf(sent: SentText[]): number {
  const seen = new Map<string, number>();
  for (const s of sent) seen.set(`${s.to}\u0000${s.text}`, (seen.get(`${s.to}\u0000${s.text}`) ?? 0) + 1);
  return [...seen.values()].reduce((sum, k) => sum + (k - 1), 0);
}
