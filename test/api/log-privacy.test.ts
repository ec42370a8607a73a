/**
 * Logs carry ids, never personal data: a realistic session (web chat with a name, a codice
 * fiscale, phone numbers and a help request; SMS and Telegram inbound; staff searching, reading
 * and exporting the person's file; a failed login and a failing database query) runs with the
 * logger at debug level, and no log line contains any of the names, numbers or texts used.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../api/app.ts';
import { createLiveHub, type LiveHub } from '../../api/live-hub.ts';
import { twilioSignature } from '../../api/routes/sms.ts';
import { loadConfig } from '../../config.ts';
import { people } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger, serializeError } from '../../logger.ts';
import { createTestDatabase, postgresSkipped, TEST_ADMIN_PASSWORD, type TestDatabase } from '../helpers/test-db.ts';

const NAME = 'Ernesta';
const SURNAME = 'Sbrodolini';
const CF = 'SBRRST40A41A010K';
const PHONE = '3337654321';
const PHONE_SPACED = '333 765 4321';
const RELATIVE = 'Gianfilippo';
const RELATIVE_PHONE = '3481112222';
const SMS_FROM = '+393459876543';
const TELEGRAM_NAME = 'Brunilde';
const TEXTS = [
  `Buongiorno, sono ${NAME} ${SURNAME}, codice fiscale ${CF}, telefono ${PHONE_SPACED}`,
  `Ho bisogno di aiuto per la spesa, mio nipote ${RELATIVE} chiama dal ${RELATIVE_PHONE}`,
  'Vorrei parlare con la signora delle pulizie del giovedì pomeriggio',
  `Sono ${TELEGRAM_NAME}, la mia vicina non risponde al campanello`,
];
const SECRETS = [NAME, SURNAME, CF, PHONE, PHONE_SPACED, RELATIVE, RELATIVE_PHONE, SMS_FROM, SMS_FROM.slice(3), TELEGRAM_NAME, ...TEXTS, 'signora delle pulizie', 'campanello'];

describe.skipIf(postgresSkipped)('logs never contain personal data', () => {
  let db: TestDatabase & { report: { generated: { username: string; password: string }[] } };
  let app: App;
  let live: LiveHub;
  const logs: string[] = [];
  const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));
  const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    db = await createTestDatabase({ demoData: true });
    const config = loadConfig({
      DATABASE_URL: 'memory://',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'http://localhost:3000',
      SESSION_SECRET: 'test-session-secret-test-session-secret',
      CENTRALE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      TELEGRAM_BOT_TOKEN: '123:logs',
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: 'logs-secret',
      SMS_PROVIDER: 'log',
      TWILIO_AUTH_TOKEN: 'logs-token',
    });
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    live = await createLiveHub(db.database);
    app = createApp({ config, database: db.database, i18n: await createI18n(), logger: createLogger('debug', sink), live, sessionSecret: config.sessionSecret!, now: () => new Date() });
  });
  afterAll(async () => {
    await live?.close();
    await db?.close();
  });

  it('runs a realistic session and finds none of the personal data in any log line', async () => {
    // Web chat: personal details and a help request.
    const session = (await (await json('/chat/web/sessions', {})).json()) as { sessionId: string; token: string };
    for (const text of TEXTS.slice(0, 3)) {
      const res = await json(`/chat/web/sessions/${session.sessionId}/messages`, { text }, { authorization: `Bearer ${session.token}` });
      expect(res.status).toBe(200);
    }
    // SMS inbound, signed.
    const form = { From: SMS_FROM, To: '+390000000', Body: TEXTS[1]!, MessageSid: 'SMlogprivacy0000001' };
    const sms = await request('/sms/inbound', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature('logs-token', 'http://localhost:3000/sms/inbound', form) },
      body: new URLSearchParams(form).toString(),
    });
    expect(sms.status).toBe(200);
    // Telegram inbound.
    const update = { update_id: 424242, message: { message_id: 1, date: 1, chat: { id: 99887766, type: 'private', first_name: TELEGRAM_NAME }, from: { id: 99887766, is_bot: false, first_name: TELEGRAM_NAME }, text: TEXTS[3] } };
    const tg = await request('/telegram/webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'logs-secret' }, body: JSON.stringify(update) });
    expect(tg.status).toBe(200);
    // One line for the update: the request's own, with the stored row's ids.
    const tgLines = logs.filter((l) => l.includes(`"requestId":"${tg.headers.get('x-request-id')}"`));
    expect(tgLines).toHaveLength(1);
    expect(JSON.parse(tgLines[0]!)).toMatchObject({ msg: 'request', route: '/telegram/webhook', status: 200, updateId: 424242, duplicate: false, inboundId: expect.any(Number) });

    // Staff: a failed login with a name as username, then search, read and export the file.
    expect((await json('/api/v1/auth/login', { username: SURNAME, password: CF })).status).toBe(401);
    const login = await json('/api/v1/auth/login', { username: 'paola', password: db.report.generated.find((g) => g.username === 'paola')!.password });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const [person] = await db.database.db
      .insert(people)
      .values({ comuneId: 'albairate', givenName: NAME, familyName: SURNAME, codiceFiscale: CF, phone: PHONE, address: 'Via dei Campanelli 3' })
      .returning({ id: people.id });
    expect((await request(`/api/v1/people?q=${SURNAME}`, { headers: { cookie } })).status).toBe(200);
    expect((await request(`/api/v1/people/${person!.id}`, { headers: { cookie } })).status).toBe(200);
    expect((await request(`/api/v1/people/${person!.id}/export`, { headers: { cookie } })).status).toBe(200);
    // A conflicting codice fiscale: the driver error (which quotes the value) is refused, not logged verbatim.
    const dup = await json('/api/v1/people', { givenName: NAME, familyName: SURNAME, codiceFiscale: CF, comuneId: 'albairate' }, { cookie });
    expect(dup.status).toBeLessThan(500);

    expect(logs.length).toBeGreaterThan(10);
    expect(logs.some((l) => l.includes('"level":20') || l.includes('"level":30'))).toBe(true);
    for (const line of logs) {
      for (const secret of SECRETS) expect(line.includes(secret), `log line contains "${secret}": ${line.slice(0, 300)}`).toBe(false);
    }
  });

  it('serialises a failed query without its parameters (drizzle puts them in the message)', () => {
    const cause = Object.assign(new Error(`invalid byte sequence`), { code: '22021', routine: 'report_invalid_encoding' });
    const err = Object.assign(new Error(`Failed query: insert into messages (body) values ($1)\nparams: ${TEXTS[0]}`), { cause });
    const out = JSON.stringify(serializeError(err));
    for (const secret of SECRETS) expect(out).not.toContain(secret);
    expect(out).toContain('22021');
  });
});
