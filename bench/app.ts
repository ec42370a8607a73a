/** The real centrale HTTP app over a bench database, logging (at info, like production) into a discarding sink. */
import { Writable } from 'node:stream';
import { createApp } from '../api/app.ts';
import { createLiveHub } from '../api/live-hub.ts';
import { loadConfig } from '../config.ts';
import { createI18n } from '../locales/index.ts';
import { createLogger } from '../logger.ts';
import { BENCH_ADMIN_PASSWORD, type BenchTarget } from './targets.ts';

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
  return { app, cookie, close: () => live.close() };
}
