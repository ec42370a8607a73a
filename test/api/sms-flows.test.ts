/**
 * SMS end to end: the web-chat flow scenarios replayed through signed Twilio webhooks (every
 * reply within two segments of the encoding actually used), the Twilio REST provider against a
 * fake Twilio on 127.0.0.1 (auth, form, 201 / 4xx / 429 / 5xx), and the staff routes for
 * channels (outbound status, phone-link confirmation, staff contacts).
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogSmsSender, createTwilioSmsSender, twilioSignature, type LogSmsSender } from '../../api/routes/sms.ts';
import { loadConfig } from '../../config.ts';
import { countSegments } from '../../core/channels/gsm.ts';
import { createOutboundWorker, enqueueOutbound, type ChannelSender } from '../../db/outbound.ts';
import { auditLog, channelIdentities, conversations, outboundMessages, people, staffContacts, staffTasks, staffUsers } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { SCENARIOS, type ChannelUser, type ScenarioEnv } from '../bot/channel-scenarios.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// Sent as fast as the test goes: at the providers' pace (30 Telegram messages a second, 10 SMS)
// a quick run would leave a reply waiting for the next second, and the test would read none.
const UNPACED = { perChatIntervalMs: 0, perSecond: { telegram: 1_000_000, sms: 1_000_000 } };

const TOKEN = 'twilio-flows-auth-token';
let t: TestApp;
let f: CaseFixtures;
let i18n: I18n;
let sender: LogSmsSender;
let sara: string;
let sid = 0;
let phoneSeq = 0;

beforeAll(async () => {
  t = await createTestApp({ env: { SMS_PROVIDER: 'log', TWILIO_AUTH_TOKEN: TOKEN } });
  f = await createCaseFixtures(t.db.database.db);
  i18n = await createI18n();
  sender = createLogSmsSender(i18n, createLogger('silent'));
  sara = await t.login('sara');
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.db.database.db;

function signedPost(path: string, fields: Record<string, string>) {
  return t.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TOKEN, `http://localhost:3000${path}`, fields) },
    body: new URLSearchParams(fields).toString(),
  });
}

async function flush(senders: ChannelSender[] = [sender], now: () => Date = () => new Date()): Promise<void> {
  const worker = createOutboundWorker(t.db.database, senders, { now }, UNPACED);
  for (let i = 0; i < 20 && (await worker.tick()) > 0; i++);
}

async function conversationOf(phone: string) {
  const [row] = await db()
    .select({ c: conversations })
    .from(conversations)
    .innerJoin(channelIdentities, eq(channelIdentities.id, conversations.identityId))
    .where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)))
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  return row!.c;
}

/** A phone writing through the signed webhook; replies are read from the log provider. */
function smsUser(phone = `+39340${String(++phoneSeq).padStart(7, '0')}`): ChannelUser {
  let lastWithOptions = '';
  const turn = async (body: string): Promise<string> => {
    const mine = () => sender.sent.filter((s) => s.to === phone);
    const before = mine().length;
    const res = await signedPost('/sms/inbound', { From: phone, To: '+390200000000', Body: body, MessageSid: `SM${String(++sid).padStart(32, '0')}` });
    expect(res.status).toBe(200);
    await flush();
    const texts = mine()
      .slice(before)
      .map((s) => s.text);
    for (const text of texts) {
      const s = countSegments(text);
      expect(s.segments, text).toBeLessThanOrEqual(2);
    }
    const withOptions = [...texts].reverse().find((x) => /\n1 /.test(x));
    if (withOptions) lastWithOptions = withOptions;
    return texts.join('\n');
  };
  return {
    channel: 'sms',
    address: phone,
    say: turn,
    link: turn,
    async choose(label) {
      const options = [...lastWithOptions.matchAll(/^(\d{1,2}) (.+)$/gm)].map((m) => ({ n: m[1]!, label: m[2]! }));
      const found = options.find((o) => label.test(o.label));
      if (!found) throw new Error(`no option ${label} in: ${lastWithOptions}`);
      return turn(found.n);
    },
    conversation: () => conversationOf(phone),
  };
}

describe('the web-chat scenarios on SMS', () => {
  const env = (): ScenarioEnv => ({ t, f, staffCookie: sara, newUser: async () => smsUser(), setNow: (now) => t.setNow(now) });
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await scenario.run(env());
  });

  it('never uses more than two segments, whatever the encoding (a Cyrillic name forces UCS-2)', async () => {
    const user = smsUser();
    await user.say('buongiorno');
    await user.choose(/Segnalare una persona/);
    await user.choose(/^Custode sociale$/);
    await user.say('Анастасия');
    const reply = await user.say('Анастасия Петровна Иванова '.repeat(8));
    expect(reply.length).toBeGreaterThan(0);
    // countSegments picked the encoding; the assertion ran inside `say` for every text.
    expect(sender.sent.filter((s) => s.to === user.address).every((s) => countSegments(s.text).segments <= 2)).toBe(true);
  });
});

describe('the Twilio REST provider against a fake Twilio', () => {
  let fake: FakeTwilio;
  let twilio: ChannelSender;
  const SID = 'AC0123456789abcdef0123456789abcdef';
  beforeAll(async () => {
    fake = await startFakeTwilio();
    const config = loadConfig({
      DATABASE_URL: 'memory://',
      PUBLIC_URL: 'https://centrale.example.it',
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'secret-token',
      TWILIO_FROM: '+390299999999',
      TWILIO_API_ROOT: `${fake.apiRoot}/`,
    });
    if (config.sms.provider !== 'twilio') throw new Error('twilio config expected');
    expect(config.sms.apiRoot).toBe(fake.apiRoot);
    twilio = createTwilioSmsSender(config.sms, config.publicUrl, i18n);
  });
  afterAll(async () => {
    await fake?.close();
  });

  async function queued(address: string, extra: { identityId?: string; personId?: string } = {}) {
    const { id } = await enqueueOutbound(db(), { channel: 'sms', address, body: 'Perché è così? “Sì” — ecco', options: [{ id: 'm1.yes', label: 'Sì' }, { id: 'm1.no', label: 'No' }], purpose: 'notice', dedupeKey: `twilio-test:${address}:${++sid}`, ...extra });
    return id!;
  }
  const row = async (id: number) => (await db().select().from(outboundMessages).where(eq(outboundMessages.id, id)))[0]!;

  it('posts form-encoded To/From/Body/StatusCallback with Basic auth, and stores the SID on 201', async () => {
    const id = await queued('+393401110001');
    await flush([twilio]);
    const call = fake.calls.find((c) => c.form.To === '+393401110001')!;
    expect(call.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(call.authorization).toBe(`Basic ${Buffer.from(`${SID}:secret-token`).toString('base64')}`);
    expect(call.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call.form).toMatchObject({ From: '+390299999999', StatusCallback: 'https://centrale.example.it/sms/status' });
    // GSM-7 normalised (’ “ ” — È would force UCS-2), numbered options.
    expect(call.form.Body).toMatch(/^Perch[eé] è così\? "Sì" - ecco\n1 Sì\n2 No\nRisponda 1 o 2\.$/);
    expect(countSegments(call.form.Body!).encoding).toBe('GSM-7');
    const sent = await row(id);
    expect(sent).toMatchObject({ status: 'sent', providerId: 'SM' + '1'.padStart(32, 'f') });
  });

  it('retries 429 after Retry-After and 5xx with backoff, then sends', async () => {
    fake.fail('+393401110002', { status: 429, retryAfter: 7, times: 1 });
    fake.fail('+393401110003', { status: 503, times: 1 });
    const a = await queued('+393401110002');
    const b = await queued('+393401110003');
    const start = Date.now();
    await flush([twilio]);
    const [ra, rb] = [await row(a), await row(b)];
    expect(ra).toMatchObject({ status: 'queued', lastError: 'http_429', attempts: 1 });
    expect(ra.nextAttemptAt.getTime() - start).toBeGreaterThanOrEqual(6_900);
    expect(rb).toMatchObject({ status: 'queued', lastError: 'http_503', attempts: 1 });
    expect(rb.nextAttemptAt.getTime() - start).toBeGreaterThanOrEqual(1_900); // backoff 2 s
    expect(rb.nextAttemptAt.getTime() - start).toBeLessThan(6_900);
    await flush([twilio], () => new Date(Date.now() + 8_000));
    expect((await row(a)).status).toBe('sent');
    expect((await row(b)).status).toBe('sent');
    expect(fake.calls.filter((c) => c.form.To === '+393401110002').map((c) => c.status)).toEqual([429, 201]);
  });

  it('21610 (the number sent STOP) is permanent: identity unreachable, staff task, fallback to Telegram', async () => {
    const [person] = await db().insert(people).values({ comuneId: 'albairate', givenName: 'Teresa' }).returning({ id: people.id });
    const [smsIdentity] = await db().insert(channelIdentities).values({ channel: 'sms', address: '+393401110004', personId: person!.id }).returning();
    await db().insert(channelIdentities).values({ channel: 'telegram', address: '4401110004', personId: person!.id });
    fake.fail('+393401110004', { status: 400, code: 21610 });
    const id = await queued('+393401110004', { identityId: smsIdentity!.id, personId: person!.id });
    await flush([twilio]);
    expect(await row(id)).toMatchObject({ status: 'fallback', lastError: 'twilio_21610' });
    expect(fake.calls.filter((c) => c.form.To === '+393401110004')).toHaveLength(1); // never retried
    const [identity] = await db().select().from(channelIdentities).where(eq(channelIdentities.id, smsIdentity!.id));
    expect(identity!.reachable).toBe(false);
    const fallback = await db().select().from(outboundMessages).where(eq(outboundMessages.dedupeKey, `fallback:${id}`));
    expect(fallback).toMatchObject([{ channel: 'telegram', address: '4401110004', status: 'queued' }]);
    expect(await db().select().from(staffTasks).where(and(eq(staffTasks.kind, 'unreachable_identity'), eq(staffTasks.personId, person!.id)))).toHaveLength(1);
  });

  it('another 4xx fails at once and opens a staff task', async () => {
    fake.fail('+393401110005', { status: 400, code: 21408 });
    const id = await queued('+393401110005');
    await flush([twilio]);
    expect(await row(id)).toMatchObject({ status: 'failed', lastError: 'http_400_21408', attempts: 1 });
    expect(await db().select().from(staffTasks).where(eq(staffTasks.dedupeKey, `outbound_failed:${id}`))).toHaveLength(1);
  });
});

describe('staff routes for channels', () => {
  const post = (url: string, cookie: string, body: unknown) => t.request(url, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const put = (url: string, cookie: string, body: unknown) => t.request(url, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a first SMS from a number on file waits for staff: confirm links it, the task closes, the outbound list follows the comune', async () => {
    const phone = '+393405550101';
    const file = await f.createFile('albairate', { issuedHours: 33 });
    await db().update(people).set({ phone: '340 555 0101' }).where(eq(people.id, file.personId));
    const user = smsUser(phone);
    const before = await user.say('quante ore ho ancora?');
    expect(before).not.toMatch(/33 ore/);
    const [identity] = await db().select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)));
    expect(identity!.personId).toBeNull();
    const conversation = await user.conversation();
    const outboundUrl = `/api/v1/inbox/conversations/${conversation.id}/outbound`;

    // Not linked yet: no comune, so an operator sees the queue and a social worker does not.
    const marco = await t.login('marco');
    const list = await t.request(outboundUrl, { headers: { cookie: marco } });
    expect(list.status).toBe(200);
    const { messages } = (await list.json()) as { messages: { status: string; channel: string; purpose: string }[] };
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.status === 'sent' && m.channel === 'sms')).toBe(true);
    expect(JSON.stringify(messages)).not.toContain(phone);
    expect((await t.request(outboundUrl, { headers: { cookie: sara } })).status).toBe(404);

    const url = `/api/v1/channel-identities/${identity!.id}/confirm-link`;
    const giorgio = await t.login('giorgio');
    expect((await post(url, giorgio, { personId: file.personId })).status).toBe(404);
    expect((await post(url, sara, { personId: f.albairate.personId })).status).toBe(409); // not the proposed person
    expect((await post(url, sara, { personId: file.personId, extra: 1 })).status).toBe(400);
    expect((await post('/api/v1/channel-identities/not-a-uuid/confirm-link', sara, { personId: file.personId })).status).toBe(404);
    const ok = await post(url, sara, { personId: file.personId });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ identityId: identity!.id, personId: file.personId, outcome: 'linked' });
    const [linked] = await db().select().from(channelIdentities).where(eq(channelIdentities.id, identity!.id));
    expect(linked!.personId).toBe(file.personId);
    const tasks = await db().select().from(staffTasks).where(and(eq(staffTasks.kind, 'confirm_phone_link'), eq(staffTasks.subjectId, identity!.id)));
    expect(tasks.map((x) => x.status)).toEqual(['done']);
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.action, 'channel_identity.link_confirmed'), eq(auditLog.subjectId, file.personId)));
    expect(audit).toHaveLength(1);
    expect((await post(url, sara, { personId: file.personId })).status).toBe(409); // decided once

    // Now the person's file answers, and the conversation is Albairate's.
    expect(await user.say('quante ore ho ancora?')).toMatch(/Le restano 33 ore/);
    expect((await t.request(outboundUrl, { headers: { cookie: sara } })).status).toBe(200);
    expect((await t.request(outboundUrl, { headers: { cookie: giorgio } })).status).toBe(404);
  });

  it('reject closes the proposal without linking', async () => {
    const phone = '+393405550102';
    const file = await f.createFile('albairate');
    await db().update(people).set({ phone }).where(eq(people.id, file.personId));
    await smsUser(phone).say('ciao');
    const [identity] = await db().select().from(channelIdentities).where(and(eq(channelIdentities.channel, 'sms'), eq(channelIdentities.address, phone)));
    const res = await post(`/api/v1/channel-identities/${identity!.id}/reject-link`, sara, { personId: file.personId });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('rejected');
    const [after] = await db().select().from(channelIdentities).where(eq(channelIdentities.id, identity!.id));
    expect(after!.personId).toBeNull();
    expect((await post(`/api/v1/channel-identities/${identity!.id}/confirm-link`, sara, { personId: file.personId })).status).toBe(409);
  });

  it('staff contacts: admin for anyone, everyone else for themself; invalid input saves nothing', async () => {
    const ids = Object.fromEntries((await db().select({ id: staffUsers.id, username: staffUsers.username }).from(staffUsers)).map((r) => [r.username, r.id]));
    const paola = await t.login('paola');
    const own = `/api/v1/admin/staff/${ids.sara}/contacts`;
    const got = await t.request(own, { headers: { cookie: sara } });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ staffId: ids.sara, telegramChatId: null, phone: null });
    const saved = await put(own, sara, { phone: '333 123 4567' });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ phone: '+393331234567', telegramChatId: null });
    expect((await put(`/api/v1/admin/staff/${ids.giorgio}/contacts`, sara, { phone: '333 123 4567' })).status).toBe(403);
    expect((await t.request(`/api/v1/admin/staff/${ids.giorgio}/contacts`, { headers: { cookie: sara } })).status).toBe(403);

    const bad = await put(`/api/v1/admin/staff/${ids.giorgio}/contacts`, paola, { telegramChatId: 'abc', phone: '333 765 4321' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Record<string, string> } };
    expect(body.error.fields.telegramChatId).toMatch(/solo di cifre/);
    expect(await db().select().from(staffContacts).where(eq(staffContacts.staffUserId, ids.giorgio!))).toHaveLength(0);
    expect((await put(`/api/v1/admin/staff/${ids.giorgio}/contacts`, paola, { telegram: '1' })).status).toBe(400);
    expect((await put(`/api/v1/admin/staff/${ids.giorgio}/contacts`, paola, { telegramChatId: '123456789' })).status).toBe(200);
    expect((await put(`/api/v1/admin/staff/${crypto.randomUUID()}/contacts`, paola, { phone: null })).status).toBe(404);
    expect((await t.request('/api/v1/admin/staff/nope/contacts', { headers: { cookie: paola } })).status).toBe(404);
    const [n] = (await db().execute(sql`select count(*)::int as n from audit_log where action = 'staff.contacts.update'`).then((r) => ('rows' in (r as object) ? (r as { rows: unknown[] }).rows : (r as unknown as unknown[])))) as { n: number }[];
    expect(Number(n!.n)).toBe(2);
  });

  it('never logs phone numbers or message text', () => {
    const all = t.logs.join('\n');
    expect(all).not.toMatch(/\+39340\d{7}/);
    expect(all).not.toContain('Signora Ferri');
  });
});
