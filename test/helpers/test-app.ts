/**
 * The real HTTP app on a real database, for integration tests: requests go through
 * `app.request()` (no socket) or, with `listen()`, through a real server on 127.0.0.1.
 */
import { Writable } from 'node:stream';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type App } from '../../api/app.ts';
import { createLiveHub } from '../../api/live-hub.ts';
import { loadConfig, type Config } from '../../config.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { createTestDatabase, TEST_ADMIN_PASSWORD, type TestDatabase } from './test-db.ts';

export interface TestApp {
  app: App;
  config: Config;
  db: TestDatabase;
  /** Every log line the app wrote (JSON), for privacy checks. */
  logs: string[];
  /** Passwords of the demo staff accounts, by username (plus admin). */
  passwords: Record<string, string>;
  /** Sets the clock the app reads (defaults to the real one). */
  setNow(now: Date | undefined): void;
  request(path: string, init?: RequestInit): Promise<Response>;
  json(path: string, body: unknown, init?: RequestInit): Promise<Response>;
  /** Logs in and returns the Cookie header value. */
  login(username: string): Promise<string>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createTestApp(options: { demoData?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const db = await createTestDatabase({ demoData: options.demoData ?? true });
  const config = loadConfig({
    DATABASE_URL: 'memory://',
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://localhost:3000',
    SESSION_SECRET: 'test-session-secret-test-session-secret',
    CENTRALE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const i18n = await createI18n();
  const live = await createLiveHub(db.database);
  let fixedNow: Date | undefined;
  const app = createApp({ config, database: db.database, i18n, logger, live, sessionSecret: config.sessionSecret!, now: () => fixedNow ?? new Date() });
  const passwords: Record<string, string> = { admin: TEST_ADMIN_PASSWORD };
  for (const g of db.report.generated) passwords[g.username] = g.password;
  let server: ServerType | undefined;

  const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));
  const json = (path: string, body: unknown, init: RequestInit = {}) =>
    request(path, { method: 'POST', ...init, headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) }, body: JSON.stringify(body) });

  return {
    app,
    config,
    db,
    logs,
    passwords,
    setNow(now) {
      fixedNow = now;
    },
    request,
    json,
    async login(username) {
      const res = await json('/api/v1/auth/login', { username, password: passwords[username] });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers.get('set-cookie') ?? '';
      return cookie.split(';')[0]!;
    },
    async listen() {
      server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
      });
      const address = server.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    },
    async close() {
      if (server) {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await live.close();
      await db.close();
    },
  };
}
