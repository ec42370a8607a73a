/**
 * centrale's entry point: configuration → database (migrations, admin, demo data) → HTTP server.
 * Owns start-up and graceful shutdown; `npm start` runs it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './api/app.ts';
import { createLiveHub } from './api/live-hub.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { prepareDatabase, type GeneratedCredential } from './db/startup.ts';
import { createI18n } from './locales/index.ts';
import { createLogger, type Logger } from './logger.ts';

export const CREDENTIALS_FILE = 'admin-password.txt';

function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Appends generated passwords to data/admin-password.txt (0600): shown once, never logged. */
function writeCredentials(dataDir: string, generated: GeneratedCredential[]): string | undefined {
  if (generated.length === 0) return undefined;
  ensureDataDir(dataDir);
  const file = path.join(dataDir, CREDENTIALS_FILE);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '# centrale staff accounts created with generated passwords. Change them after the first login.\n';
  const lines = generated.map((g) => `${g.username}\t${g.role}\t${g.password}`).join('\n');
  writeFileSync(file, `${previous}${lines}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** SESSION_SECRET, or for PGlite one generated once and kept in data/ (in memory for memory://). */
function resolveSessionSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  if (config.database.kind === 'pglite' && config.database.dataDir) {
    ensureDataDir(config.dataDir);
    const file = path.join(config.dataDir, 'session-secret');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
  return randomBytes(32).toString('base64url');
}

export interface Running {
  config: Config;
  server: ServerType;
  url: string;
  stop(): Promise<void>;
}

export async function start(config: Config, logger: Logger): Promise<Running> {
  const started = performance.now();
  const database = await openDatabase(config.database);
  const report = await prepareDatabase(database.db, { adminPassword: config.adminPassword, demoData: config.demoData });
  const credentialsFile = writeCredentials(config.dataDir, report.generated);
  const i18n = await createI18n();
  const live = await createLiveHub(database);
  const app = createApp({ config, database, i18n, logger, live, sessionSecret: resolveSessionSecret(config), now: () => new Date() });

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.startsWith(`http://localhost:${config.port}`) ? `http://localhost:${port}` : config.publicUrl;
  logger.info(
    {
      db: database.kind,
      migrationsApplied: report.migrationsApplied,
      adminCreated: report.adminCreated,
      demoLoaded: report.demoLoaded,
      startupMs: Math.round(performance.now() - started),
    },
    'centrale started',
  );
  const lines = [
    '',
    `centrale is running (${database.kind === 'pglite' ? (config.database.kind === 'pglite' && config.database.dataDir ? `PGlite in ${config.database.dataDir}` : 'PGlite in memory') : 'PostgreSQL'})`,
    `  Web chat:   ${url}/`,
    `  API docs:   ${url}/docs  (spec: ${url}/openapi.json)`,
    `  Health:     ${url}/ready`,
    ...(credentialsFile ? [`  Staff passwords generated at this start: ${credentialsFile} (mode 0600)`] : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop accepting, let in-flight requests finish, then close the database.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams never end by themselves: cut them after a grace period.
        setTimeout(() => (server as { closeAllConnections?: () => void }).closeAllConnections?.(), 2000).unref();
      });
      await live.close();
      await database.close();
    })());
  return { config, server, url, stop };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example and the README for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const running = await start(config, logger);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1); // a second Ctrl-C means now
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`centrale failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
