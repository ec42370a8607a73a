import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { messages } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('web chat (bad input)', () => {
  let t: TestApp;
  let session: { sessionId: string; token: string };
  const path = () => `/chat/web/sessions/${session.sessionId}/messages`;
  const auth = () => ({ authorization: `Bearer ${session.token}` });
  const storedCount = async () => (await t.db.database.db.select({ n: count() }).from(messages))[0]!.n;

  beforeAll(async () => {
    t = await createTestApp({ demoData: false });
    session = (await (await t.json('/chat/web/sessions', {})).json()) as typeof session;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function expectError(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string; fields?: Record<string, string> } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.requestId).toMatch(/\S/);
    return body.error;
  }

  it('refuses malformed JSON with 400 and stores nothing', async () => {
    const before = await storedCount();
    const res = await t.request(path(), { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"text":' });
    await expectError(res, 400, 'VALIDATION_FAILED');
    expect(await storedCount()).toBe(before);
  });

  it('names the wrong field and its problem', async () => {
    const wrongType = await expectError(await t.json(path(), { text: 5 }, { headers: auth() }), 400, 'VALIDATION_FAILED');
    expect(wrongType.fields?.text).toMatch(/Tipo non valido/);
    const both = await expectError(await t.json(path(), { text: 'ciao', option: 'm1.greeting' }, { headers: auth() }), 400, 'VALIDATION_FAILED');
    expect(both.fields?.text).toMatch(/testo oppure una scelta/);
    const extra = await expectError(await t.json(path(), { text: 'ciao', admin: true }, { headers: auth() }), 400, 'VALIDATION_FAILED');
    expect(extra.fields?.admin).toBe('Campo non previsto.');
    const locale = await expectError(await t.json('/chat/web/sessions', { locale: 'fr' }), 400, 'VALIDATION_FAILED');
    expect(locale.fields?.locale).toBe('Valore non ammesso.');
  });

  it('answers in English when the client asks for it', async () => {
    const res = await t.json(path(), { text: 5 }, { headers: { ...auth(), 'accept-language': 'en-GB,en;q=0.9' } });
    const error = await expectError(res, 400, 'VALIDATION_FAILED');
    expect(error.message).toMatch(/not valid/);
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const before = await storedCount();
    const res = await t.request(path(), { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a'.repeat(70_000) }) });
    await expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(await storedCount()).toBe(before);
  });

  // Over a real socket: a declared Content-Length is checked from the header (api/app.ts
  // declaredBodyLimit), a chunked body is counted as it arrives; both end in the same 413.
  it('over HTTP: refuses a declared or a chunked body over 64 KiB, and takes a small chunked one', async () => {
    const base = await t.listen();
    const before = await storedCount();
    const big = JSON.stringify({ text: 'a'.repeat(70_000) });
    const declared = await fetch(`${base}${path()}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) }, body: big });
    await expectError(declared, 413, 'PAYLOAD_TOO_LARGE');
    const chunks = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < text.length; i += 8192) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 8192)));
          controller.close();
        },
      });
    const chunked = await fetch(`${base}${path()}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: chunks(big), duplex: 'half' } as RequestInit);
    await expectError(chunked, 413, 'PAYLOAD_TOO_LARGE');
    expect(await storedCount()).toBe(before);
    const small = await fetch(`${base}${path()}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: chunks(JSON.stringify({ text: 'buongiorno' })), duplex: 'half' } as RequestInit);
    expect(small.status).toBe(200);
    expect(await storedCount()).toBeGreaterThan(before);
  });

  it('refuses unknown sessions, malformed ids, missing and wrong tokens', async () => {
    await expectError(await t.json(path(), { text: 'ciao' }), 401, 'UNAUTHORIZED');
    await expectError(await t.json(path(), { text: 'ciao' }, { headers: { authorization: 'Bearer wrong' } }), 404, 'NOT_FOUND');
    await expectError(await t.json(`/chat/web/sessions/${crypto.randomUUID()}/messages`, { text: 'ciao' }, { headers: auth() }), 404, 'NOT_FOUND');
    await expectError(await t.json('/chat/web/sessions/not-a-uuid/messages', { text: 'ciao' }, { headers: auth() }), 404, 'NOT_FOUND');
    await expectError(await t.request(`/chat/web/sessions/${session.sessionId}/messages`), 401, 'UNAUTHORIZED');
    // Another session's token does not open this one.
    const other = (await (await t.json('/chat/web/sessions', {})).json()) as { token: string };
    await expectError(await t.request(path(), { headers: { authorization: `Bearer ${other.token}` } }), 404, 'NOT_FOUND');
    // The events stream wants the cookie, never a token in the URL.
    await expectError(await t.request(`/chat/web/sessions/${session.sessionId}/events?token=${session.token}`), 401, 'UNAUTHORIZED');
  });

  it('answers odd but valid messages politely, never with an error', async () => {
    for (const text of ['', '   ', '😀😀😀', 'x'.repeat(5000), '\u0000\u200b', 'SELECT * FROM people; --']) {
      const res = await t.json(path(), { text }, { headers: auth() });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { replies: { text: string }[] };
      expect(body.replies.length).toBeGreaterThan(0);
    }
    for (const option of ['m0.request_help', 'm999.talk_to_operator', 'nonsense', 'm1.delete_everything']) {
      const res = await t.json(path(), { option }, { headers: auth() });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { replies: { text: string }[] };
      expect(body.replies[0]!.text).toMatch(/non è più valida/);
    }
  });

  it('never writes message text to the logs', async () => {
    await t.json(path(), { text: 'Mi chiamo Ernestina Bonfiglioli, codice RSSMRA40A41A010X' }, { headers: auth() });
    const all = t.logs.join('\n');
    expect(all).not.toMatch(/Ernestina|Bonfiglioli|RSSMRA40A41A010X/);
    expect(all).toMatch(/"route":"\/chat\/web\/sessions\/:id\/messages"/);
  });
});
