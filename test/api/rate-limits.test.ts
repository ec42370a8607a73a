/**
 * Every attempt limit triggers, answers in Italian and resets when its window ends. The limits
 * are set low through the RATE_LIMIT_* variables (so the test also proves they are configurable);
 * each test runs in its own clock window (setNow), so the counters of one cannot reach another.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, loadConfig } from '../../config.ts';
import { auditLog, outboundMessages } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';
import { openChat } from './web-chat.helpers.ts';

const WRONG_CODE = 'ACDE FGHJ';
const BASE = Date.parse('2031-03-03T08:00:00Z');

describe.skipIf(postgresSkipped)('rate limits (configurable, 429 in Italian, reset)', () => {
  let t: TestApp;
  let hour = 0;
  /** A fresh hour of the fake clock: a new window for every limit below. */
  const newWindow = () => {
    const start = BASE + ++hour * 3_600_000;
    t.setNow(new Date(start));
    return start;
  };
  const login = (username: string, password: string) => t.json('/api/v1/auth/login', { username, password });

  async function expectLimited(res: Response) {
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('RATE_LIMITED');
    expect(body.error.message).toBe('Troppi tentativi. Riprovi tra poco.');
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        SMS_PROVIDER: 'log',
        RATE_LIMIT_LOGIN_PER_USERNAME: '3/60',
        RATE_LIMIT_LOGIN_PER_ADDRESS: '6/60',
        RATE_LIMIT_CHAT_SESSIONS_PER_ADDRESS: '3/60',
        RATE_LIMIT_LINK_PER_CONVERSATION: '2/60',
        RATE_LIMIT_LINK_PER_ORIGIN: '4/60',
        RATE_LIMIT_LINK_OVERALL: '5/60',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has the documented defaults, web-chat sessions at least 600 a minute per address', () => {
    const config = loadConfig({ DATABASE_URL: 'memory://' });
    expect(config.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(config.rateLimits.chatSessionsPerAddress.limit).toBeGreaterThanOrEqual(600);
    expect(config.rateLimits.chatSessionsPerAddress.windowSeconds).toBeLessThanOrEqual(60);
    expect(() => loadConfig({ RATE_LIMIT_LOGIN_PER_USERNAME: 'many' })).toThrow(/RATE_LIMIT_LOGIN_PER_USERNAME/);
  });

  it('limits logins per username, even with the right password, until the window ends', async () => {
    const start = newWindow();
    for (let i = 0; i < 3; i++) expect((await login('sara', 'wrong-password')).status).toBe(401);
    await expectLimited(await login('sara', t.passwords.sara!));
    // Another account from the same address is not blocked by sara's counter.
    expect((await login('giorgio', t.passwords.giorgio!)).status).toBe(200);
    t.setNow(new Date(start + 61_000));
    expect((await login('sara', t.passwords.sara!)).status).toBe(200);
  });

  it('does not count successful logins: signing in many times a morning never locks anyone out', async () => {
    newWindow();
    for (let i = 0; i < 5; i++) expect((await login('sara', t.passwords.sara!)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await login('sara', 'wrong-password')).status).toBe(401);
    expect((await login('sara', t.passwords.sara!)).status).toBe(200);
    // The wrong guesses still count: one more and the account waits.
    expect((await login('sara', 'wrong-password')).status).toBe(401);
    await expectLimited(await login('sara', 'wrong-password'));
  });

  it('limits logins per address across usernames', async () => {
    const start = newWindow();
    for (let i = 0; i < 6; i++) expect((await login(`nobody${i}`, 'wrong-password')).status).toBe(401);
    await expectLimited(await login('marco', t.passwords.marco!));
    t.setNow(new Date(start + 61_000));
    expect((await login('marco', t.passwords.marco!)).status).toBe(200);
  });

  it('limits web-chat session creation per address', async () => {
    const start = newWindow();
    for (let i = 0; i < 3; i++) expect((await t.json('/chat/web/sessions', {})).status).toBe(201);
    await expectLimited(await t.json('/chat/web/sessions', {}));
    t.setNow(new Date(start + 61_000));
    expect((await t.json('/chat/web/sessions', {})).status).toBe(201);
  });

  it('limits link-code attempts per conversation, and forgets them after the window', async () => {
    const start = newWindow();
    const chat = await openChat(t);
    expect((await chat.say(WRONG_CODE)).text).toMatch(/codice non è giusto/);
    expect((await chat.say(WRONG_CODE)).text).toMatch(/codice non è giusto/);
    expect((await chat.say(WRONG_CODE)).text).toMatch(/troppi tentativi/);
    t.setNow(new Date(start + 61_000));
    expect((await chat.say(WRONG_CODE)).text).toMatch(/codice non è giusto/);
  });

  it('limits link-code attempts per client address across conversations', async () => {
    newWindow();
    const a = await openChat(t);
    const b = await openChat(t);
    const c = await openChat(t);
    for (const chat of [a, a, b, b]) expect((await chat.say(WRONG_CODE)).text).toMatch(/codice non è giusto/);
    // A fresh conversation, but the same address: the fifth try is refused.
    expect((await c.say(WRONG_CODE)).text).toMatch(/troppi tentativi/);
  });

  it('limits link-code attempts overall (SMS from different numbers)', async () => {
    newWindow();
    const limitedBefore = await rateLimitedAudits();
    for (let i = 0; i < 6; i++) {
      const form = new URLSearchParams({ From: `+3933310000${i}${hour}`, To: '+390000', Body: WRONG_CODE, MessageSid: `SMrl${hour}x${i}xxxxxxxxxx` });
      const res = await t.request('/sms/inbound', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      expect(res.status).toBe(200);
    }
    expect((await rateLimitedAudits()) - limitedBefore).toBe(1);
    const replies = await t.db.database.db.select({ body: outboundMessages.body }).from(outboundMessages).where(eq(outboundMessages.address, `+3933310000${5}${hour}`));
    expect(replies.map((r) => r.body).join('\n')).toMatch(/troppi tentativi/);
  });

  async function rateLimitedAudits(): Promise<number> {
    const [row] = await t.db.database.db.select({ n: count() }).from(auditLog).where(and(eq(auditLog.action, 'chat.link'), eq(auditLog.reason, 'rate_limited')));
    return row!.n;
  }
});
