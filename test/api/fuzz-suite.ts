/**
 * In-process fuzzing of every public endpoint and every staff route of /openapi.json with
 * fast-check (fixed seeds): wrong types, huge strings, deep nesting, NUL, lone surrogates, RTL
 * marks, emoji, malformed JSON and wrong content types. Never a 5xx; what must not change for
 * invalid input does not change (table checksums before and after each endpoint).
 * Shared by fuzz.test.ts (a small sample on PGlite) and fuzz.postgres.test.ts (10,000 per endpoint).
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../db/client.ts';
import { twilioSignature } from '../../api/routes/sms.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const SEED = 20261122;
const TG_SECRET = 'fuzz-telegram-secret';
const SMS_TOKEN = 'fuzz-sms-auth-token';
const PUBLIC_URL = 'http://localhost:3000';

/** Tables whose content the fuzzed requests may change only where an endpoint accepts input. */
const WATCHED = [
  'people', 'messages', 'conversations', 'channel_identities', 'channel_inbound', 'web_chat_sessions', 'staff_sessions', 'staff_users',
  'voucher_ledger', 'fee_statements', 'payments', 'programmes', 'applications', 'outbound_messages', 'help_requests', 'segnalazioni',
] as const;
type Watched = (typeof WATCHED)[number];

// ─── generators ───

const ODD = ['\u0000', '\uD800', '\uDFFF', '\uDBFF\uDBFF', '\u202E', '\u200F', '\u200D', '👵🏻', '👨‍👩‍👧', '\uFEFF', '\u2028', '\\', '"', "'; drop table people; --", '%00', '${x}', '{{x}}', '<script>', '\r\n'];
const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...ODD), fc.string({ maxLength: 5 })), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('+393331234567', 'RSSMRA41E42A010X', 'ACDE FGHJ', '/start ACDEFGHJ', '1', 'operatore', 'STOP', '') },
);
const scalar = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 0, 1e308));
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(nasty, fc.constantFrom('text', 'option', 'locale', 'username', 'password', 'update_id', 'message', '__proto__', 'constructor')), tie('value'), { maxKeys: 5 }),
})).value;

/** A body as sent on the wire, with its content type. */
interface WireBody {
  type: string | undefined;
  body: string | undefined;
  label: string;
}
const contentType = fc.constantFrom<string | undefined>('application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=xyz', 'application/xml', 'APPLICATION/JSON', undefined);
const wireBody: fc.Arbitrary<WireBody> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(contentType, jsonish).map(([type, v]) => ({ type, body: JSON.stringify(v) ?? 'null', label: 'json' })) },
  { weight: 2, arbitrary: fc.tuple(contentType, nasty).map(([type, s]) => ({ type, body: s, label: 'raw' })) },
  { weight: 1, arbitrary: fc.tuple(contentType, fc.constantFrom('{', '{"text":', '[1,2', '{"a":1}}', 'nul', '\u0000', '{"text":"\\ud800"}', '{"text":"\\u0000"}', '{"update_id":1,"message":{"text":"\\u0000\\ud800"}}')).map(([type, s]) => ({ type, body: s, label: 'malformed' })) },
  { weight: 1, arbitrary: fc.tuple(contentType, fc.integer({ min: 100, max: 20_000 })).map(([type, d]) => ({ type, body: `${'['.repeat(d)}${']'.repeat(d)}`, label: `deep${d}` })) },
  { weight: 1, arbitrary: fc.tuple(contentType, fc.integer({ min: 100, max: 2_000 })).map(([type, d]) => ({ type, body: `{"update_id":${d},"message":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`, label: `deepobj${d}` })) },
  { weight: 1, arbitrary: contentType.map((type) => ({ type, body: JSON.stringify({ text: 'a'.repeat(70_000) }), label: 'huge' })) },
  { weight: 1, arbitrary: contentType.map((type) => ({ type, body: undefined, label: 'empty' })) },
  { weight: 2, arbitrary: fc.tuple(contentType, fc.dictionary(nasty, nasty, { maxKeys: 5 })).map(([type, d]) => ({ type, body: new URLSearchParams(d).toString(), label: 'form' })) },
);

/** A path segment: encoded odd text, or broken percent-encoding. */
const pathSegment = fc.oneof(
  nasty.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD')) || 'x'),
  fc.constantFrom('%', '%E0%A4%A', '%00', '%2F..%2F', '..', '%F0%9F%91', 'a%20b'),
);

/** An SMS webhook form: Twilio's fields with fuzzed values (sometimes valid) and stray ones. */
const smsForm = fc.record(
  {
    From: fc.oneof(nasty, fc.constantFrom('+393331234567', '+39 333 000 1111')),
    To: nasty,
    Body: nasty,
    // Mostly invalid: a valid form is a real message, handled by the engine (slow and not the point).
    MessageSid: fc.oneof({ weight: 9, arbitrary: nasty }, { weight: 1, arbitrary: fc.stringMatching(/^SM[A-Za-z0-9]{10,30}$/) }),
    MessageStatus: fc.oneof(nasty, fc.constantFrom('delivered', 'failed', 'undelivered', 'sent')),
    extra: nasty,
  },
  { requiredKeys: [] },
);

// ─── harness ───

interface Outcome {
  status: number;
  label: string;
}

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}

export function defineFuzzSuite(options: { publicRuns: number; staffRuns: number; concurrency: number; timeoutMs: number }) {
  let t: TestApp;
  let f: CaseFixtures;
  let admin: string;
  let session: { sessionId: string; token: string };
  // Each test sends thousands of requests: its own timeout (a timed-out test would keep sending
  // into the next one's checksums).
  const test = (name: string, fn: () => Promise<void>) => it(name, fn, options.timeoutMs);

  async function checksums(): Promise<Record<Watched, string>> {
    const out = {} as Record<Watched, string>;
    for (const table of WATCHED) {
      const rows = rowsOf<{ n: number; h: string }>(
        await t.db.database.db.execute(sql.raw(`select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${table} x`)),
      );
      out[table] = `${rows[0]!.n}:${rows[0]!.h}`;
    }
    return out;
  }
  const countOf = (c: Record<Watched, string>, table: Watched) => Number(c[table].split(':')[0]);

  /** Runs the generated requests; fails listing the first 5xx inputs; returns the outcomes. */
  async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, runs: number, send: (input: T) => Promise<Response>, describeInput: (input: T) => string, collect?: string[]): Promise<Outcome[]> {
    const inputs = fc.sample(arb, { seed: SEED + name.length * 7919, numRuns: runs });
    const failures: string[] = [];
    const outcomes = await pool(inputs, options.concurrency, async (input) => {
      let status: number;
      try {
        status = (await send(input)).status;
      } catch (err) {
        status = 599;
        failures.push(`${name}: threw ${(err as Error).message.slice(0, 200)} for ${describeInput(input).slice(0, 300)}`);
      }
      if (status >= 500 && status !== 599) failures.push(`${name}: ${status} for ${describeInput(input).slice(0, 300)}`);
      return { status, label: describeInput(input).slice(0, 40) };
    });
    if (collect) collect.push(...failures.slice(0, 3));
    else expect(failures.slice(0, 10), `${failures.length} server errors`).toEqual([]);
    return outcomes;
  }
  const describeWire = (w: WireBody) => `${w.label} ${w.type ?? '(no type)'} ${JSON.stringify(w.body?.slice(0, 200))}`;
  const post = (path: string, w: WireBody, headers: Record<string, string> = {}) =>
    t.request(path, { method: 'POST', headers: { ...(w.type ? { 'content-type': w.type } : {}), ...headers }, ...(w.body !== undefined ? { body: w.body } : {}) });
  const statuses = (o: Outcome[]) => new Set(o.map((x) => x.status));
  const only4xx = (o: Outcome[]) => o.every((x) => x.status >= 400 && x.status < 500);

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        PUBLIC_URL,
        TELEGRAM_BOT_TOKEN: '123:fuzz',
        TELEGRAM_MODE: 'webhook',
        TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
        SMS_PROVIDER: 'log',
        TWILIO_AUTH_TOKEN: SMS_TOKEN,
        // Valid session creations are allowed to store; this keeps their number (and cost) small.
        RATE_LIMIT_CHAT_SESSIONS_PER_ADDRESS: '10/60',
      },
    });
    f = await createCaseFixtures(t.db.database.db);
    admin = await t.login('paola');
    session = (await (await t.json('/chat/web/sessions', {})).json()) as typeof session;
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  }, 120_000);

  describe('public endpoints', () => {
    test('POST /telegram/webhook without the secret: always 401, nothing stored', async () => {
      const before = await checksums();
      const out = await fuzz('tg-nosecret', fc.tuple(wireBody, fc.option(nasty)), options.publicRuns, ([w, secret]) => post('/telegram/webhook', w, secret !== null ? { 'x-telegram-bot-api-secret-token': storableHeader(secret) } : {}), ([w]) => describeWire(w));
      // 413 for bodies over 64 KiB comes before the secret check.
      expect([...statuses(out)].every((s) => s === 401 || s === 413)).toBe(true);
      expect(await checksums()).toEqual(before);
    });

    test('POST /telegram/webhook with the secret: 2xx (acknowledged) or 4xx, stores at most one row per acknowledged update', async () => {
      const before = await checksums();
      const out = await fuzz('tg-secret', wireBody, options.publicRuns, (w) => post('/telegram/webhook', w, { 'x-telegram-bot-api-secret-token': TG_SECRET }), describeWire);
      const after = await checksums();
      const ok = out.filter((o) => o.status === 200).length;
      expect(out.every((o) => o.status === 200 || (o.status >= 400 && o.status < 500))).toBe(true);
      expect(countOf(after, 'channel_inbound') - countOf(before, 'channel_inbound')).toBeLessThanOrEqual(ok);
      for (const table of WATCHED.filter((x) => x !== 'channel_inbound')) expect(after[table], table).toBe(before[table]);
    });

    test('POST /sms/inbound and /sms/status unsigned: always 403, nothing stored', async () => {
      const before = await checksums();
      for (const path of ['/sms/inbound', '/sms/status']) {
        const out = await fuzz(`sms-unsigned${path}`, fc.tuple(smsForm, fc.option(nasty)), options.publicRuns, ([form, sig]) => {
          const body = new URLSearchParams(form as Record<string, string>).toString();
          return t.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(sig !== null ? { 'x-twilio-signature': storableHeader(sig) } : {}) }, body });
        }, ([form]) => JSON.stringify(form));
        expect(statuses(out)).toEqual(new Set([403]));
      }
      expect(await checksums()).toEqual(before);
    });

    test('POST /sms/inbound and /sms/status signed: 2xx or 4xx, never 5xx; the ledger and the people are untouched', async () => {
      const before = await checksums();
      for (const path of ['/sms/inbound', '/sms/status']) {
        const out = await fuzz(`sms-signed${path}`, fc.tuple(smsForm, wireBody), options.publicRuns, ([form, w]) => {
          // Half are well-formed signed forms; half are other bodies signed over what they parse to.
          const useForm = w.label !== 'form' || form.Body !== undefined;
          const body = useForm ? new URLSearchParams(form as Record<string, string>).toString() : (w.body ?? '');
          const type = useForm ? 'application/x-www-form-urlencoded' : w.type;
          const fields: Record<string, string> = {};
          if (type?.startsWith('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(body)) fields[k] = v;
          const signature = twilioSignature(SMS_TOKEN, `${PUBLIC_URL}${path}`, fields);
          return t.request(path, { method: 'POST', headers: { ...(type ? { 'content-type': type } : {}), 'x-twilio-signature': signature }, body });
        }, ([form]) => JSON.stringify(form));
        expect(out.every((o) => o.status < 500)).toBe(true);
      }
      const after = await checksums();
      for (const table of ['people', 'staff_users', 'staff_sessions', 'voucher_ledger', 'fee_statements', 'payments', 'programmes', 'applications'] as const) expect(after[table], table).toBe(before[table]);
    });

    test('POST /chat/web/sessions: 201 or 4xx; one stored session per 201, nothing else of value touched', async () => {
      const before = await checksums();
      const out = await fuzz('chat-sessions', wireBody, options.publicRuns, (w) => post('/chat/web/sessions', w), describeWire);
      const created = out.filter((o) => o.status === 201).length;
      expect(out.every((o) => o.status === 201 || (o.status >= 400 && o.status < 500))).toBe(true);
      const after = await checksums();
      expect(countOf(after, 'web_chat_sessions') - countOf(before, 'web_chat_sessions')).toBe(created);
      for (const table of ['people', 'staff_users', 'staff_sessions', 'voucher_ledger', 'payments', 'programmes', 'applications', 'channel_inbound'] as const) expect(after[table], table).toBe(before[table]);
    });

    test('POST /chat/web/sessions/{id}/messages without a valid token: always 4xx, nothing stored', async () => {
      const before = await checksums();
      const ids = fc.oneof(fc.constant(session.sessionId), fc.uuid(), pathSegment);
      const out = await fuzz('chat-notoken', fc.tuple(wireBody, ids, fc.option(nasty)), options.publicRuns, ([w, id, token]) =>
        post(`/chat/web/sessions/${id}/messages`, w, token !== null ? { authorization: storableHeader(`Bearer ${token}`) } : {}), ([w, id]) => `${id} ${describeWire(w)}`);
      expect(only4xx(out)).toBe(true);
      expect(await checksums()).toEqual(before);
    });

    test('POST /chat/web/sessions/{id}/messages with the token: 200 or 4xx; messages stored only for a 200', async () => {
      const before = await checksums();
      const out = await fuzz('chat-token', wireBody, options.publicRuns, (w) => post(`/chat/web/sessions/${session.sessionId}/messages`, w, { authorization: `Bearer ${session.token}` }), describeWire);
      const answered = out.filter((o) => o.status === 200).length;
      expect(out.every((o) => o.status === 200 || (o.status >= 400 && o.status < 500))).toBe(true);
      const after = await checksums();
      if (answered === 0) expect(after.messages).toBe(before.messages);
      for (const table of ['people', 'staff_users', 'staff_sessions', 'voucher_ledger', 'payments', 'programmes', 'web_chat_sessions', 'channel_inbound'] as const) expect(after[table], table).toBe(before[table]);
    });

    test('POST /api/v1/auth/login: always 4xx, no session ever opened', async () => {
      const before = await checksums();
      const out = await fuzz('login', wireBody, options.publicRuns, (w) => post('/api/v1/auth/login', w), describeWire);
      expect(only4xx(out)).toBe(true);
      expect(await checksums()).toEqual(before);
    });
  });

  describe('staff routes (as admin)', () => {
    test('answers every generated request to every /openapi.json route with 2xx or 4xx, never 5xx', async () => {
      const spec = (await (await t.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
      const realIds = [f.albairate.personId, f.albairate.programmeId, f.albairate.applicationId, f.albairate.documentId, f.abbiategrasso.personId, f.albairate.plannedVisitId];
      const pathValue = fc.oneof(fc.constantFrom(...realIds), fc.uuid(), fc.constantFrom('albairate', '2026', '0', '-1', '99999999999999999999'), pathSegment);
      const queryValue = fc.oneof(nasty, fc.constantFrom('albairate', '1', '0', '-5', 'true', '2026-13-45', '2026-01-01', 'NaN', '1e999'));
      let routes = 0;
      const failures: string[] = [];
      for (const [path, ops] of Object.entries(spec.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (`${method} ${path}` === 'post /api/v1/auth/logout') continue; // would end the admin session
          routes += 1;
          const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          const arb = fc.record({
            params: fc.array(pathValue, { minLength: 4, maxLength: 4 }),
            query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(queryNames.length ? queryNames : ['q'])), nasty), queryValue), { maxLength: 4 }),
            body: wireBody,
          });
          await fuzz(`${method} ${path}`, arb, options.staffRuns, ({ params, query, body }) => {
            let i = 0;
            const url = path.replace(/\{[^}]+\}/g, () => params[i++ % params.length]!);
            const qs = new URLSearchParams(query).toString();
            const init: RequestInit = { method: method.toUpperCase(), headers: { cookie: admin, ...(body.type && method !== 'get' ? { 'content-type': body.type } : {}) } };
            if (method !== 'get' && body.body !== undefined) init.body = body.body;
            return t.request(`${url}${qs ? `?${qs}` : ''}`, init);
          }, ({ params, query, body }) => `${params.join(',')} ?${JSON.stringify(query)} ${describeWire(body)}`, failures);
        }
      }
      expect(failures, `${failures.length} server errors`).toEqual([]);
      expect(routes).toBeGreaterThan(50);
      // The admin session survived the whole run (no generated request ended or corrupted it).
      expect((await t.request('/api/v1/auth/me', { headers: { cookie: admin } })).status).toBe(200);
    });
  });
}

/** Header values must be ByteStrings: keep what fetch can send. */
function storableHeader(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
