import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('web chat (happy paths)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function newSession(locale?: 'it' | 'en') {
    const res = await t.json('/chat/web/sessions', locale ? { locale } : {});
    expect(res.status).toBe(201);
    const body = (await res.json()) as { sessionId: string; token: string };
    return { ...body, cookie: res.headers.get('set-cookie') ?? '', auth: { authorization: `Bearer ${body.token}` } };
  }

  const send = (s: { sessionId: string; auth: Record<string, string> }, body: unknown) =>
    t.json(`/chat/web/sessions/${s.sessionId}/messages`, body, { headers: s.auth });

  it('opens with the privacy notice, a greeting and the main menu', async () => {
    const s = await newSession();
    expect(s.cookie).toMatch(/centrale_chat=.*HttpOnly/i);
    expect(s.cookie).toContain(`Path=/chat/web/sessions/${s.sessionId}`);
    const res = await t.request(`/chat/web/sessions/${s.sessionId}/messages`, { headers: s.auth });
    expect(res.status).toBe(200);
    const { messages } = (await res.json()) as { messages: { seq: number; text: string; options?: { id: string; label: string }[] }[] };
    expect(messages[0]!.text).toMatch(/112/);
    expect(messages[0]!.text).toMatch(/servizio sociale/);
    const menu = messages.at(-1)!;
    expect(menu.options?.map((o) => o.label)).toEqual([
      'Chiedere aiuto a casa',
      'Le mie ore di voucher',
      'La mia domanda',
      'Segnalare una persona in difficoltà',
      'Altro: domanda, fornitori, sospensioni',
      'Parlare con un operatore',
    ]);
    expect(messages.map((m) => m.seq)).toEqual([...messages.map((m) => m.seq)].sort((a, b) => a - b));
  });

  it('answers "buongiorno" in Italian with the main menu', async () => {
    const s = await newSession();
    const res = await send(s, { text: 'buongiorno' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { replies: { id: string; seq: number; text: string; options?: unknown[] }[]; understood: { intent: string } };
    expect(body.understood).toEqual({ intent: 'greeting' });
    // "Buonasera" from 17:00 in Rome (core/conversation/greeting.ts): the test runs at any hour.
    expect(body.replies[0]!.text).toMatch(/^(Buongiorno|Buonasera)! Come posso aiutarLa\?$/);
    expect(body.replies.at(-1)!.options).toHaveLength(6);
    for (const r of body.replies) expect(r).toMatchObject({ id: expect.any(String), seq: expect.any(Number) });
    // A thank you is answered as one, not with another "Buongiorno".
    const thanks = (await (await send(s, { text: 'grazie mille!' })).json()) as { replies: { text: string }[] };
    expect(thanks.replies[0]!.text).toBe('Prego, è un piacere! Se Le serve altro, mi scriva quando vuole.');
  });

  it('hands the conversation to an operator on "voglio parlare con un operatore"', async () => {
    const s = await newSession();
    const res = await send(s, { text: 'voglio parlare con un operatore' });
    const body = (await res.json()) as { replies: { text: string }[]; understood: { intent: string } };
    expect(body.understood.intent).toBe('talk_to_operator');
    expect(body.replies[0]!.text).toMatch(/operatore/);
    // While a person of staff handles it, the bot is silent...
    const quiet = (await (await send(s, { text: 'buongiorno' })).json()) as { replies: unknown[] };
    expect(quiet.replies).toEqual([]);
    // ...except for emergencies.
    const urgent = (await (await send(s, { text: "c'è odore di gas in cucina" })).json()) as { replies: { text: string }[]; understood: { intent: string } };
    expect(urgent.understood.intent).toBe('emergency');
    expect(urgent.replies[0]!.text).toMatch(/112/);
  });

  it('follows a chosen option and keeps the whole conversation for a reload', async () => {
    const s = await newSession();
    const list = async () =>
      ((await (await t.request(`/chat/web/sessions/${s.sessionId}/messages`, { headers: s.auth })).json()) as { messages: { seq: number; direction: string; text: string; options?: { id: string; label: string }[] }[] }).messages;
    const first = await list();
    const option = first.at(-1)!.options!.find((o) => o.id.endsWith('.talk_to_operator'))!;
    const res = await send(s, { option: option.id });
    const body = (await res.json()) as { understood: { intent: string } };
    expect(body.understood.intent).toBe('talk_to_operator');
    const after = await list();
    // The person's choice is in the transcript as the label they read.
    expect(after.find((m) => m.direction === 'in')!.text).toBe('Parlare con un operatore');
    expect(after.length).toBeGreaterThan(first.length);
  });

  it('reports the art. 7 family and code of a help request', async () => {
    const s = await newSession();
    const body = (await (await send(s, { text: 'Vorrei aiuto per fare la spesa' })).json()) as { understood: Record<string, string> };
    expect(body.understood).toMatchObject({ intent: 'request_help', family: '8', code: '8A', service: '8A' });
  });

  it('speaks English when the session asks for it', async () => {
    const s = await newSession('en');
    const body = (await (await send(s, { text: 'hello' })).json()) as { replies: { text: string }[] };
    expect(body.replies[0]!.text).toMatch(/^(Hello|Good evening)! How can I help you\?$/);
  });

  it('streams later messages as server-sent events with their seq as id', async () => {
    const s = await newSession();
    const controller = new AbortController();
    const res = await t.request(`/chat/web/sessions/${s.sessionId}/events`, { headers: { cookie: s.cookie.split(';')[0]! }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    };
    await readUntil(/Scelga una di queste voci/);
    await send(s, { text: 'buongiorno' });
    await readUntil(/Come posso aiutarLa/);
    controller.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Last-Event-ID resumes after what the page already has: the next event is a newer one.
    const resume = new AbortController();
    const again = await t.request(`/chat/web/sessions/${s.sessionId}/events`, { headers: { cookie: s.cookie.split(';')[0]!, 'last-event-id': String(ids.at(-1)) }, signal: resume.signal });
    expect(again.status).toBe(200);
    await send(s, { text: 'ciao' });
    const resumed = again.body!.getReader();
    let more = '';
    while (!/^id: \d+$/m.test(more)) more += decoder.decode((await resumed.read()).value);
    resume.abort();
    const firstResumed = Number(/^id: (\d+)$/m.exec(more)![1]);
    expect(firstResumed).toBe(ids.at(-1)! + 1);
  });
});
