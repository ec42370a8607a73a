/** The real centrale HTTP app over a bench database, logging (at info, like production) into a discarding sink. */
import { Writable } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { createApp } from '../api/app.ts';
import { createLiveHub } from '../api/live-hub.ts';
import { loadConfig } from '../config.ts';
import { createI18n } from '../locales/index.ts';
import { createLogger } from '../logger.ts';
import { BENCH_ADMIN_PASSWORD, type BenchTarget } from './targets.ts';

// centrale runs under @hono/node-server (main.ts), which replaces the global Request and Response
// with its lightweight ones: a Response keeps its body string until the server writes it to the
// socket. Creating a listener is how node-server installs them; the bench does the same, so that a
// route called in process costs what it costs in production, not the price of undici's streams.
getRequestListener(() => new Response(null));

/** The body as node-server sends it: a lightweight Response's own string, or read as usual. */
function bodyText(res: Response): string | Promise<string> {
  const cache = Object.getOwnPropertySymbols(res).find((s) => s.description === 'cache');
  const kept = cache ? (res as unknown as Record<symbol, unknown[] | undefined>)[cache]?.[1] : undefined;
  return typeof kept === 'string' ? kept : res.text();
}

export async function createBenchApp(target: BenchTarget) {
  const config = loadConfig({
    DATABASE_URL: 'memory://',
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://localhost:3000',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
    CENTRALE_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
  });
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const live = await createLiveHub(target.database);
  const app = createApp({ config, database: target.database, i18n: await createI18n(), logger: createLogger('info', sink), live, sessionSecret: config.sessionSecret!, now: () => new Date() });
  const login = await app.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`bench login failed: ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  // A GET carries no body, so one Request per path serves every call (node-server makes a
  // lightweight one per HTTP request; building undici's each time would be the bench's own cost).
  const requests = new Map<string, Request>();
  /** GET `path` as the signed-in admin; the body text of a 200, else an error. */
  const get = async (path: string): Promise<string> => {
    let request = requests.get(path);
    if (!request) requests.set(path, (request = new Request(`http://localhost${path}`, { headers: { cookie } })));
    const res = await app.fetch(request);
    if (res.status !== 200) throw new Error(`${path} → ${res.status}`);
    return bodyText(res);
  };
  return { app, cookie, get, close: () => live.close() };
}
