/**
 * centrale's entry point: configuration → database (migrations, admin, demo data) → HTTP server.
 * Owns start-up and graceful shutdown; `npm start` runs it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './api/app.ts';
import { createLogSmsSender, createTwilioSmsSender, processStoredSms } from './api/routes/sms.ts';
import { createTelegramChannel, type TelegramChannel } from './bot/telegram.ts';
import { markInboundFailed, pendingInbound } from './db/channel-inbox.ts';
import { runCaseSweeps } from './db/case-sweeps.ts';
import { deleteHandledInbound } from './db/inbound-retention.ts';
import { deleteFinishedOutbound } from './db/outbound-retention.ts';
import { runDatabaseMaintenance } from './db/maintenance.ts';
import { nextDailyRun } from './core/daily.ts';
import { runCheckinSweep } from './db/checkins.ts';
import { createOutboundWorker, enqueueMissingOutbound, MISSING_OUTBOUND_LOOKBACK_DAYS, type ChannelSender } from './db/outbound.ts';
import { sendDueReminders, sendUrgentAlerts } from './db/reminders.ts';
import { createLiveHub } from './api/live-hub.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, recyclePostgresClients } from './db/client.ts';
import { prepareDatabase, type GeneratedCredential } from './db/startup.ts';
import { createI18n } from './locales/index.ts';
import { createLogger, stdoutDestination, type Logger } from './logger.ts';

export const CREDENTIALS_FILE = 'admin-password.txt';
/** How often time-driven case events are looked for (they are deduplicated, so instances may overlap). */
const CASE_SWEEP_MS = 5 * 60_000;
/** When PGlite's nightly VACUUM (ANALYZE) runs, Rome time: the quietest hour of a home-care service. */
const MAINTENANCE_AT = '03:30';

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

  // Channels (issue #6): Telegram, SMS, the outbound queue worker and the recovery sweep.
  const now = () => new Date();
  const channelCtx = { database, i18n, now, logger, publicUrl: config.publicUrl };
  const senders: ChannelSender[] = [];
  let telegram: TelegramChannel | undefined;
  if (config.telegram.enabled) {
    // PGlite has one connection: a second turn in flight only queues ahead of the next webhook.
    telegram = createTelegramChannel(config.telegram, channelCtx, { handlerConcurrency: database.kind === 'pglite' ? 1 : 4 });
    senders.push(telegram.sender);
  }
  if (config.sms.provider === 'log') senders.push(createLogSmsSender(i18n, logger));
  if (config.sms.provider === 'twilio') senders.push(createTwilioSmsSender(config.sms, config.publicUrl, i18n));
  const outbound = createOutboundWorker(database, senders, { now, onError: (err, itemId) => logger.warn({ err, itemId }, 'outbound send failed') }, {
    perChatIntervalMs: config.outbound.telegramPerChatMs,
    perSecond: { telegram: config.outbound.telegramPerSecond, sms: config.outbound.smsPerSecond },
  });
  let sweepTimer: NodeJS.Timeout | undefined;
  if (senders.length > 0 && config.outbound.workerIntervalSeconds > 0) {
    await outbound.start();
    await telegram?.start();
    const sweep = async () => {
      // Staff replies written in the inbox, and SMS stored but never handled (crash, DB error).
      await enqueueMissingOutbound(database.db, new Date(now().getTime() - MISSING_OUTBOUND_LOOKBACK_DAYS * 24 * 3600_000));
      await sendDueReminders(database.db, i18n, now());
      await sendUrgentAlerts(database.db, i18n, now(), { logger });
      if (config.sms.provider !== 'off') {
        for (const row of await pendingInbound(database.db, 'sms', new Date(now().getTime() - 30_000))) {
          await processStoredSms(channelCtx, row).catch((err) => markInboundFailed(database.db, row.id, err));
        }
      }
    };
    const loop = () => {
      sweepTimer = setTimeout(() => {
        sweep()
          .catch((err) => logger.warn({ err }, 'channel sweep failed'))
          .finally(loop);
      }, config.outbound.workerIntervalSeconds * 1000);
      sweepTimer.unref();
    };
    loop();
  }

  // Case events that come due with time (visit tomorrow, answer due, …): idempotent, every 5 minutes.
  let caseSweepTimer: NodeJS.Timeout | undefined;
  const caseSweep = () => {
    caseSweepTimer = setTimeout(() => {
      runCaseSweeps(database.db, new Date())
        .catch((err) => logger.warn({ err }, 'case sweep failed'))
        // Raw provider updates handled more than INBOUND_RETENTION_DAYS ago, and queued messages
        // sent more than OUTBOUND_RETENTION_DAYS ago (idempotent too).
        .then(async () => {
          const deleted = await deleteHandledInbound(database.db, new Date(), config.inboundRetentionDays);
          if (deleted > 0) logger.info({ deleted }, 'handled raw updates deleted');
          const sent = await deleteFinishedOutbound(database.db, new Date(), config.outboundRetentionDays);
          if (sent > 0) logger.info({ deleted: sent }, 'sent outbound messages deleted');
        })
        .catch((err) => logger.warn({ err }, 'retention sweep failed'))
        .finally(caseSweep);
    }, CASE_SWEEP_MS);
    caseSweepTimer.unref();
  };
  caseSweep();

  // Check-ins (issue #9): prompts, second prompts and alerts; idempotent, so every minute is safe on any number of instances.
  let checkinTimer: NodeJS.Timeout | undefined;
  const checkinSweep = () => {
    checkinTimer = setTimeout(() => {
      runCheckinSweep({ db: database.db, i18n }, new Date())
        .catch((err) => logger.warn({ errClass: (err as Error)?.name, code: (err as { code?: string })?.code }, 'check-in sweep failed'))
        .finally(checkinSweep);
    }, 60_000);
    checkinTimer.unref();
  };
  checkinSweep();

  // PGlite has no autovacuum: statistics and the space of deleted rows, once a night (db/maintenance.ts).
  let maintenanceTimer: NodeJS.Timeout | undefined;
  const maintenance = () => {
    if (database.kind !== 'pglite') return;
    maintenanceTimer = setTimeout(() => {
      const startedAt = performance.now();
      runDatabaseMaintenance(database)
        .then(() => logger.info({ ms: Math.round(performance.now() - startedAt) }, 'database maintenance done'))
        .catch((err) => logger.warn({ err }, 'database maintenance failed'))
        .finally(maintenance);
    }, nextDailyRun(new Date(), MAINTENANCE_AT).getTime() - Date.now());
    maintenanceTimer.unref();
  };
  maintenance();

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
      if (sweepTimer) clearTimeout(sweepTimer);
      if (caseSweepTimer) clearTimeout(caseSweepTimer);
      if (checkinTimer) clearTimeout(checkinTimer);
      if (maintenanceTimer) clearTimeout(maintenanceTimer);
      await telegram?.stop();
      await outbound.stop();
      await live.close();
      await database.close();
    })());
  return { config, server, url, stop };
}

export function isPostgresJsClosedSocketWrite(err: unknown): boolean {
  return err instanceof TypeError && /reading 'write'/.test(err.message) && /postgres[\\/]src[\\/]connection\.js/.test(err.stack ?? '');
}

/**
 * How much the old heap may grow past what survived the last full collection (V8's default lets it
 * reach up to four times that on a machine with memory to spare). Under steady webhook load the
 * live heap is ~65 MB and turns promote ~6 MB/s of short-lived objects, so RSS climbed to 300–330
 * MB before each full collection. Twice the live heap keeps it at 170–193 MB over 30 s of load at
 * the same throughput (side by side, 2026-11-23; 25% set here cost ~25% more CPU in collections).
 * V8 reads it at every full collection, so setting it at start-up is enough; an operator's own
 * --heap-growing-percent (command line or NODE_OPTIONS) wins.
 */
const HEAP_GROWING_PERCENT = 100;

function tuneHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('heap-growing-percent'));
  if (!given) v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

async function main(): Promise<void> {
  tuneHeapGrowth();
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
  const logger = createLogger(config.logLevel, stdoutDestination());
  // A stray rejected promise (a database that vanished under a background task) must not take the
  // service down with every open conversation: it is logged and the process goes on.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    // postgres.js 3.4.9 can flush a buffered write (a ROLLBACK after the server vanished) on a
    // socket it has just closed: a TypeError thrown from a setImmediate in its connection.js,
    // which also leaves that pooled connection unable to send again. Survive it with a fresh
    // pool (the old one's pending queries fail: 503, and the caller retries). Anything else: exit.
    if (isPostgresJsClosedSocketWrite(err)) {
      logger.warn({ err }, 'database connection broken by the server going away; connection pool replaced');
      recyclePostgresClients();
      return;
    }
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
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
