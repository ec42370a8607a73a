import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog, staffSessions } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';
import { hmacHex, memoHmacHex } from '../../api/security.ts';

describe.skipIf(postgresSkipped)('staff login and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in with a httpOnly SameSite=Lax cookie and a stored, hashed session', async () => {
    const res = await t.json('/api/v1/auth/login', { username: 'sara', password: t.passwords.sara });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { staff: { username: string; role: string; comuni: string[] } };
    expect(body.staff).toMatchObject({ username: 'sara', role: 'social_worker', comuni: ['albairate', 'cisliano'] });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/centrale_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const token = cookie.split(';')[0]!.split('=')[1]!;
    const rows = await t.db.database.db.select({ id: staffSessions.id }).from(staffSessions);
    expect(rows.some((r) => r.id === token)).toBe(false); // only a keyed hash is stored
    const me = await t.request('/api/v1/auth/me', { headers: { cookie: cookie.split(';')[0]! } });
    expect(((await me.json()) as { staff: { username: string } }).staff.username).toBe('sara');
  });

  it('remembers session keys without ever answering a stale or wrong one, within its bound', () => {
    const keyOf = memoHmacHex('secret-a', 3);
    const values = ['t1', 't2', 't3', 't4', 't5', 't1', 't5'];
    for (const v of values) expect(keyOf(v)).toBe(hmacHex('secret-a', v));
    expect(memoHmacHex('secret-b')('t1')).not.toBe(keyOf('t1'));
  });

  it('gives a new session id at every login', async () => {
    const a = await t.login('marco');
    const b = await t.login('marco');
    expect(a).not.toBe(b);
  });

  it('refuses wrong passwords and unknown users alike, and audits the attempt', async () => {
    const wrong = await t.json('/api/v1/auth/login', { username: 'sara', password: 'not-her-password' });
    const unknown = await t.json('/api/v1/auth/login', { username: 'nobody', password: 'whatever-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(((await unknown.json()) as { error: { message: string } }).error.message);
    const denied = await t.db.database.db.select().from(auditLog).where(eq(auditLog.outcome, 'denied'));
    expect(denied.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects malformed login bodies with field errors', async () => {
    const res = await t.json('/api/v1/auth/login', { username: '', password: 3 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(body.error.fields).sort()).toEqual(['password', 'username']);
  });

  it('ends a session after the idle timeout', async () => {
    const cookie = await t.login('giorgio');
    const start = Date.now();
    t.setNow(new Date(start + 5 * 60_000));
    expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(200);
    t.setNow(new Date(start + 5 * 60_000 + (t.config.sessionIdleMinutes + 1) * 60_000));
    expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
    t.setNow(undefined);
  });

  it('logs out: the cookie no longer opens anything', async () => {
    const cookie = await t.login('paola');
    const out = await t.request('/api/v1/auth/logout', { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(204);
    expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(401);
  });

  it('refuses cookie-authenticated writes from another site, allows same-origin and no Origin', async () => {
    const cookie = await t.login('marco');
    const cross = await t.request('/api/v1/auth/logout', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect((await t.request('/api/v1/auth/me', { headers: { cookie } })).status).toBe(200);
    const same = await t.request('/api/v1/auth/logout', { method: 'POST', headers: { cookie, origin: 'http://localhost:3000' } });
    expect(same.status).toBe(204);
  });

  it('rate-limits repeated login failures per username', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) last = (await t.json('/api/v1/auth/login', { username: 'ilsole', password: `wrong-${i}-password` })).status;
    expect(last).toBe(429);
    const ok = await t.json('/api/v1/auth/login', { username: 'ilsole', password: t.passwords.ilsole });
    expect(ok.status).toBe(429); // even the right password waits for the window to pass
  });
});
