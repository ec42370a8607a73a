/**
 * centrale as it runs in production — `main.ts` in its own process, over real sockets — against
 * its own ceilings: a bare Hono route and a Hono route with one prepared INSERT, each in its own
 * process too. The Telegram webhook is measured twice: the answers the webhook gives (update
 * stored, 200) and end to end, until the engine has taken every turn and queued its reply (read
 * from the admin's channel status), so that no turn hides in a backlog. Sending then goes on at
 * Telegram's own pace (30 messages/s per bot, the production default), as it would in production.
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram } from '../test/helpers/fake-telegram.ts';
import { formatRow } from './harness.ts';
import { measureHttp, type HttpCall, type HttpMeasurement } from './http-load.ts';
import { startBaseline, startBenchProcess, type BenchProcess } from './processes.ts';

const TOKEN = '123456:bench-token';
const SECRET = 'bench-webhook-secret';

export interface CentraleHttpResult {
  bare: HttpMeasurement;
  insert: HttpMeasurement;
  webhook: HttpMeasurement;
  /** Updates handled end to end (turn taken, reply queued), per second, from the first request to the last one handled. */
  webhookEndToEndPerSecond: number;
  webChat: HttpMeasurement;
  /** Highest RSS of the centrale process while under load, MB. */
  rssMb: number;
}

/** A port nobody listens on now (webhook mode needs PUBLIC_URL, hence the port, before start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...headers, body: JSON.stringify(body) });

/** The bench's Telegram update number `n`: a text from one of 500 chats. */
export const benchUpdate = (n: number) => ({ update_id: 1_000_000 + n, message: { message_id: n + 1, date: 1_790_000_000, chat: { id: 5_000 + (n % 500), type: 'private' }, from: { id: 5_000 + (n % 500), is_bot: false, first_name: 'Bench' }, text: 'buongiorno' } });

/** centrale in webhook mode on `port`, without demo data, logging at info like production. */
export function centraleEnv(port: number, databaseUrl: string, telegramApiRoot: string): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DEMO_DATA: 'off',
    CENTRALE_ADMIN_PASSWORD: 'bench-admin-password',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
    LOG_LEVEL: 'info',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: telegramApiRoot,
  };
}

/** A POST of the bench's update `n` to centrale's webhook. */
export function webhookCall(n: number): HttpCall {
  const { body, ...headers } = json(benchUpdate(n), { 'x-telegram-bot-api-secret-token': SECRET });
  return { method: 'POST', path: '/telegram/webhook', headers, body };
}

export const startCentrale = (env: Record<string, string>) => startBenchProcess(['dist/main.js'], env, /Web chat:\s+(http:\/\/[\w.]+:\d+)\//);

/** How many inbound updates are handled so far, as the admin's channel status tells (any instance). */
export async function handledCounter(url: string): Promise<() => Promise<number>> {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) });
  if (login.status !== 200) throw new Error(`bench login → ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async () => {
    const res = await fetch(`${url}/api/v1/admin/channels/status`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`channel status → ${res.status}`);
    return ((await res.json()) as { inbound: { handled: number } }).inbound.handled;
  };
}

async function withProcess<T>(start: Promise<BenchProcess>, fn: (p: BenchProcess) => Promise<T>): Promise<T> {
  const p = await start;
  try {
    return await fn(p);
  } finally {
    await p.stop();
  }
}

/**
 * End to end: waits until `stored` updates are handled (turn taken, reply queued, in one
 * transaction) counting from `started`, which the caller took before sending them; waits up to 60 s
 * and counts only what was handled by then.
 */
export async function waitUntilHandled(handledCount: () => Promise<number>, before: number, stored: number, started: number): Promise<{ handled: number; perSecond: number }> {
  let handled = 0;
  let lastChange = performance.now();
  while (handled < stored && performance.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    const now = (await handledCount()) - before;
    if (now !== handled) {
      handled = now;
      lastChange = performance.now();
    }
  }
  return { handled, perSecond: handled === 0 ? 0 : handled / ((lastChange - started) / 1000) };
}

/** Samples the process RSS every 100 ms while `fn` runs; returns the highest value seen. */
async function sampleRss<T>(p: BenchProcess, fn: () => Promise<T>): Promise<{ value: T; maxRssMb: number }> {
  let max = p.rssMb();
  const timer = setInterval(() => (max = Math.max(max, p.rssMb())), 100);
  try {
    const value = await fn();
    return { value, maxRssMb: Math.max(max, p.rssMb()) };
  } finally {
    clearInterval(timer);
  }
}

export async function benchCentraleHttp(kind: 'postgres' | 'pglite', databaseUrl: string, log: (line: string) => void): Promise<CentraleHttpResult> {
  const bare = await withProcess(startBaseline('bare', databaseUrl), (p) =>
    measureHttp(`bare Hono route (${kind} run)`, p.url, (n) => {
      const { body, ...headers } = json(benchUpdate(n));
      return { method: 'POST', path: '/bench', headers, body };
    }),
  );
  log(formatRow(bare));
  const insert = await withProcess(startBaseline('insert', databaseUrl), (p) =>
    measureHttp(`Hono + one prepared INSERT (${kind})`, p.url, (n) => {
      const { body, ...headers } = json(benchUpdate(n));
      return { method: 'POST', path: '/bench', headers, body };
    }),
  );
  log(formatRow(insert));

  const fake = await startFakeTelegram(TOKEN);
  try {
    const port = await freePort();
    return await withProcess(startCentrale(centraleEnv(port, databaseUrl, fake.apiRoot)), async (centrale) => {
      const handledCount = await handledCounter(centrale.url);
      const handledAtStart = await handledCount();
      const warmupStarted = performance.now();
      let handledBefore = 0;
      let started = 0;
      const { value: webhook, maxRssMb: rssWebhook } = await sampleRss(centrale, () =>
        measureHttp(`centrale Telegram webhook (${kind})`, centrale.url, webhookCall, {
          // The turns of the warm-up's updates are taken before the window opens: the window's
          // end-to-end figure is then its own updates only, with no backlog carried in.
          afterWarmup: async (answered) => {
            await waitUntilHandled(handledCount, handledAtStart, answered, warmupStarted);
            handledBefore = await handledCount();
            started = performance.now();
          },
        }),
      );
      log(formatRow(webhook));
      const stored = webhook.ops;
      const { handled, perSecond: webhookEndToEndPerSecond } = await waitUntilHandled(handledCount, handledBefore, stored, started);
      log(`${`centrale Telegram webhook end to end, ${handled} of ${stored} updates handled (${kind})`.padEnd(58)} ${webhookEndToEndPerSecond.toFixed(0).padStart(8)} updates/s`);

      // Web chat: 50 sessions, each message a full engine turn answered in the response.
      const sessions: { id: string; token: string }[] = [];
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${centrale.url}/chat/web/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        if (res.status !== 201) throw new Error(`web chat session → ${res.status}`);
        const s = (await res.json()) as { sessionId: string; token: string };
        sessions.push({ id: s.sessionId, token: s.token });
      }
      const { value: webChat, maxRssMb: rssChat } = await sampleRss(centrale, () =>
        measureHttp(`centrale web-chat message (${kind})`, centrale.url, (n) => {
          const s = sessions[n % sessions.length]!;
          const { body, ...headers } = json({ text: 'buongiorno' }, { authorization: `Bearer ${s.token}` });
          return { method: 'POST', path: `/chat/web/sessions/${s.id}/messages`, headers, body };
        }),
      );
      log(formatRow(webChat));
      const rssMb = Math.max(rssWebhook, rssChat);
      log(`centrale process RSS under load (${kind}): ${rssMb} MB`);
      for (const m of [bare, insert, webhook, webChat]) if (m.failures > 0) log(`  ${m.name}: ${m.failures} answers with an unexpected status`);
      return { bare, insert, webhook, webhookEndToEndPerSecond, webChat, rssMb };
    });
  } finally {
    await fake.close();
  }
}
