/**
 * centrale as it runs in production — `main.ts` in its own process, over real sockets — against
 * its own ceilings: a bare Hono route and a Hono route with one prepared INSERT, each in its own
 * process too. The Telegram webhook is measured twice: the answers the webhook gives (update
 * stored, 200) and end to end, until the engine has taken every turn and queued its reply (read
 * from the admin's channel status), so that no turn hides in a backlog. Sending then goes on at
 * Telegram's own pace (30 messages/s per bot, the production default), as it would in production.
 *
 * The ratio compares the webhook with the INSERT route in alternating rounds (INSERT, webhook,
 * INSERT, webhook…), both servers running and warm throughout, and takes the median of the rounds'
 * ratios: the machine's speed drifts (a shared 2-core machine did 865 to 5,300 INSERT requests/s
 * on one day), and one window of each, a minute apart, measured the drift as much as the code.
 */
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startFakeTelegram } from '../test/helpers/fake-telegram.ts';
import { formatRow } from './harness.ts';
import { measureHttp, type HttpCall, type HttpMeasurement } from './http-load.ts';
import { startBaseline, startBenchProcess, type BenchProcess } from './processes.ts';

const TOKEN = '123456:bench-token';
const SECRET = 'bench-webhook-secret';

/** One round: the INSERT route, then the webhook right after it. */
export interface WebhookRound {
  insert: HttpMeasurement;
  webhook: HttpMeasurement;
  /** Updates handled end to end (turn taken, reply queued), per second, from the first request to the last one handled. */
  endToEndPerSecond: number;
  /** The webhook's rate (end to end, never more than were answered) over the INSERT route's. */
  ratio: number;
}

export interface CentraleHttpResult {
  bare: HttpMeasurement;
  rounds: WebhookRound[];
  /** The round with the median ratio (its figures are the ones summed up). */
  median: WebhookRound;
  webChat: HttpMeasurement;
  /** Highest RSS of the centrale process while under load, MB. */
  rssMb: number;
}

/** Rounds of INSERT-then-webhook windows (BENCH_ROUNDS, default 3). */
const rounds = () => Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

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

/** The round whose ratio is the median (the lower middle one for an even count). */
export function medianRound(all: WebhookRound[]): WebhookRound {
  const sorted = [...all].sort((a, b) => a.ratio - b.ratio);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function benchCentraleHttp(kind: 'postgres' | 'pglite', databaseUrl: string, log: (line: string) => void): Promise<CentraleHttpResult> {
  let sent = 0;
  // Every request is a new update (update_id never repeats across windows): none is a duplicate.
  const toBench = (): HttpCall => {
    const { body, ...headers } = json(benchUpdate(sent++));
    return { method: 'POST', path: '/bench', headers, body };
  };
  const bare = await withProcess(startBaseline('bare', databaseUrl), (p) => measureHttp(`bare Hono route (${kind} run)`, p.url, toBench));
  log(formatRow(bare));

  const fake = await startFakeTelegram(TOKEN);
  try {
    return await withProcess(startBaseline('insert', databaseUrl), async (insertServer) => {
      const port = await freePort();
      return await withProcess(startCentrale(centraleEnv(port, databaseUrl, fake.apiRoot)), async (centrale) => {
        const handledCount = await handledCounter(centrale.url);
        const toWebhook = (): HttpCall => webhookCall(sent++);
        const { value: all, maxRssMb: rssWebhook } = await sampleRss(centrale, async () => {
          // Both servers warmed up under load first; the warm-up's turns are all taken before round 1.
          await measureHttp('INSERT warm-up', insertServer.url, toBench, { seconds: 0 });
          const handledAtStart = await handledCount();
          const warmupStarted = performance.now();
          const warm = await measureHttp('webhook warm-up', centrale.url, toWebhook, { seconds: 0 });
          await waitUntilHandled(handledCount, handledAtStart, warm.warmupAnswered, warmupStarted);
          const done: WebhookRound[] = [];
          for (let r = 1; r <= rounds(); r++) {
            const insert = await measureHttp(`Hono + one prepared INSERT (${kind}), round ${r}`, insertServer.url, toBench, { warmupSeconds: 0 });
            log(formatRow(insert));
            const handledBefore = await handledCount();
            const started = performance.now();
            const webhook = await measureHttp(`centrale Telegram webhook (${kind}), round ${r}`, centrale.url, toWebhook, { warmupSeconds: 0 });
            log(formatRow(webhook));
            const { handled, perSecond } = await waitUntilHandled(handledCount, handledBefore, webhook.ops, started);
            log(`${`  end to end, ${handled} of ${webhook.ops} updates handled`.padEnd(58)} ${perSecond.toFixed(0).padStart(8)} updates/s`);
            for (const m of [insert, webhook]) if (m.failures > 0) log(`  ${m.name}: ${m.failures} answers with an unexpected status`);
            done.push({ insert, webhook, endToEndPerSecond: perSecond, ratio: Math.min(webhook.perSecond, perSecond) / insert.perSecond });
          }
          return done;
        });
        const median = medianRound(all);
        log(`webhook/insert by round (${kind}): ${all.map((r) => r.ratio.toFixed(2)).join(', ')}; median ${median.ratio.toFixed(2)}`);

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
        for (const m of [bare, webChat]) if (m.failures > 0) log(`  ${m.name}: ${m.failures} answers with an unexpected status`);
        return { bare, rounds: all, median, webChat, rssMb };
      });
    });
  } finally {
    await fake.close();
  }
}
