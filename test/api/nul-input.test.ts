/**
 * PostgreSQL refuses NUL in text and jsonb (SQLSTATE 22P05 / 22021). A staff form or API client
 * sending "\u0000" inside a JSON string is bad input: it must get a 400 with a message, never a
 * 500, and nothing may be stored half way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { people } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('NUL inside JSON bodies of staff routes', () => {
  let t: TestApp;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestApp();
    cookie = await t.login('sara');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a person whose name holds NUL is refused with 400 VALIDATION_FAILED, in Italian, and not stored', async () => {
    const res = await t.json('/api/v1/people', { givenName: 'Fran\u0000co', familyName: 'Nul', comuneId: 'albairate' }, { headers: { cookie } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('carattere');
    const [row] = await t.db.database.db.select({ n: count() }).from(people).where(eq(people.familyName, 'Nul'));
    expect(row!.n).toBe(0);
  });

  it('the same request without NUL is stored (the refusal above is about NUL, nothing else)', async () => {
    const res = await t.json('/api/v1/people', { givenName: 'Franco', familyName: 'Nul', comuneId: 'albairate' }, { headers: { cookie } });
    expect(res.status).toBe(201);
  });

  it('an unpaired surrogate in a free-text field is stored as the driver encodes it, or refused: never a 500', async () => {
    const res = await t.json('/api/v1/people', { givenName: 'Ugo', familyName: 'Surr\uD800ogato', comuneId: 'albairate' }, { headers: { cookie } });
    expect(res.status, await res.text()).toBeLessThan(500);
    expect([201, 400]).toContain(res.status);
  });
});
