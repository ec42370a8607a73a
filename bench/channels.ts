/**
 * Channel throughput of one instance: Telegram webhook updates and signed SMS webhooks handled end
 * to end (stored → engine turn → reply queued in the outbound queue) at 10 concurrent callers.
 *
 *   benchChannels(target, log) → rows, for bench/run.ts
 *   node bench/channels.ts      → both targets (in-memory PGlite and a throwaway PostgreSQL)
 *
 * Telegram: POST /telegram/webhook (secret checked, update stored), then the stored update is
 * handled as the NOTIFY listener would (processStored). SMS: POST /sms/inbound handles the message
 * inside the request. Sending is not measured: Telegram caps a bot at 30 messages/s and the queue
 * paces itself to that (OUTBOUND_TELEGRAM_PER_SECOND), SMS at OUTBOUND_SMS_PER_SECOND.
 */
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createApp } from '../api/app.ts';
import { createLiveHub } from '../api/live-hub.ts';
import { twilioSignature } from '../api/routes/sms.ts';
import { createTelegramChannel } from '../bot/telegram.ts';
import { loadConfig } from '../config.ts';
import { storeInbound } from '../db/channel-inbox.ts';
import { createI18n } from '../locales/index.ts';
import { createLogger } from '../logger.ts';
import { startFakeTelegram } from '../test/helpers/fake-telegram.ts';
import { formatRow, measure, type Measurement } from './harness.ts';
import { BENCH_ADMIN_PASSWORD, openBenchTarget, startPostgresCluster, type BenchTarget } from './targets.ts';

const TOKEN = '424242:BENCH-token';
const SECRET = 'bench-webhook-secret';
const SMS_TOKEN = 'bench-twilio-token';
/** Distinct chats / phones the callers write from (a conversation is serialised by its row lock). */
const PEOPLE = 200;
const TEXTS = ['buongiorno', 'menu', 'quante ore ho ancora?', 'grazie'];

export async function benchChannels(target: BenchTarget, log: (line: string) => void): Promise<Measurement[]> {
  const fake = await startFakeTelegram(TOKEN);
  const config = loadConfig({
    DATABASE_URL: 'memory://',
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://localhost:3000',
    SESSION_SECRET: 'bench-session-secret-bench-session-secret',
    CENTRALE_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: fake.apiRoot,
    SMS_PROVIDER: 'log',
    TWILIO_AUTH_TOKEN: SMS_TOKEN,
  });
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const logger = createLogger('info', sink);
  const i18n = await createI18n();
  const live = await createLiveHub(target.database);
  const app = createApp({ config, database: target.database, i18n, logger, live, sessionSecret: config.sessionSecret!, now: () => new Date() });
  const channel = createTelegramChannel({ enabled: true, token: TOKEN, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: SECRET }, { database: target.database, i18n, now: () => new Date(), logger, publicUrl: config.publicUrl });
  // Each run uses fresh ids, so that a second run on the same database is not all duplicates.
  const base = Date.now() % 1_000_000_000;
  const rows: Measurement[] = [];
  try {
    let updateId = base * 100;
    rows.push(
      await measure(`${target.kind}: Telegram webhook update, stored → turn → reply queued`, async (i) => {
        const chatId = 7_000_000 + (i % PEOPLE);
        const update = { update_id: ++updateId, message: { message_id: i, date: 0, chat: { id: chatId, type: 'private' }, from: { id: chatId }, text: TEXTS[i % TEXTS.length] } };
        const res = await app.request('/telegram/webhook', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
          body: JSON.stringify(update),
        });
        if (res.status !== 200) throw new Error(`telegram webhook ${res.status}`);
        // The webhook answered after storing; find the stored row (a duplicate insert returns its id) and handle it.
        const stored = await storeInbound(target.database.db, { channel: 'telegram', externalId: String(update.update_id), payload: update });
        await channel.processStored(stored.id);
      }),
    );
    let sid = base * 100;
    rows.push(
      await measure(`${target.kind}: SMS webhook (signed), stored → turn → reply queued`, async (i) => {
        const fields = { From: `+39347${String(i % PEOPLE).padStart(7, '0')}`, To: '+390200000000', Body: TEXTS[i % TEXTS.length]!, MessageSid: `SM${String(++sid).padStart(32, '0')}` };
        const res = await app.request('/sms/inbound', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(SMS_TOKEN, `${config.publicUrl}/sms/inbound`, fields) },
          body: new URLSearchParams(fields).toString(),
        });
        if (res.status !== 200) throw new Error(`sms webhook ${res.status}`);
      }),
    );
  } finally {
    await channel.stop();
    await live.close();
    await fake.close();
  }
  for (const row of rows) log(formatRow(row));
  return rows;
}

// Standalone: `node bench/channels.ts` measures both targets in one run.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = await startPostgresCluster();
  try {
    for (const kind of ['postgres', 'pglite'] as const) {
      const target = await openBenchTarget(kind, cluster);
      try {
        await benchChannels(target, log);
      } finally {
        await target.close();
      }
    }
  } finally {
    await cluster.stop();
  }
}
