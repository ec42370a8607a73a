/**
 * Web chat idempotency (issue #8): a message sent again with the same clientMessageId — a retry
 * after a 503 or a lost answer, or a double submit — is stored and answered once, creates nothing
 * twice, and every attempt gets the same replies.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendInbound } from '../../db/conversations.ts';
import { helpRequests, messages, webChatSessions } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

interface Answer {
  replies: { id: string; seq: number; text: string; options?: { id: string; label: string }[] }[];
  understood: { intent: string };
}

describe.skipIf(postgresSkipped)('web chat: clientMessageId makes retries idempotent', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const db = () => t.db.database.db;

  async function newSession() {
    const res = await t.json('/chat/web/sessions', {});
    expect(res.status).toBe(201);
    const { sessionId, token } = (await res.json()) as { sessionId: string; token: string };
    const [row] = await db().select({ conversationId: webChatSessions.conversationId }).from(webChatSessions).where(eq(webChatSessions.id, sessionId));
    return { sessionId, conversationId: row!.conversationId, auth: { authorization: `Bearer ${token}` } };
  }
  type Session = Awaited<ReturnType<typeof newSession>>;

  const send = (s: Session, body: unknown, headers: Record<string, string> = {}) =>
    t.json(`/chat/web/sessions/${s.sessionId}/messages`, body, { headers: { ...s.auth, ...headers } });

  async function ok(res: Response): Promise<Answer> {
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Answer;
  }

  async function messageCount(s: Session): Promise<number> {
    const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(messages).where(eq(messages.conversationId, s.conversationId));
    return Number(row!.n);
  }

  async function inboundWith(s: Session, clientMessageId: string) {
    return db()
      .select({ id: messages.id, processedAt: messages.processedAt })
      .from(messages)
      .where(and(eq(messages.conversationId, s.conversationId), eq(messages.externalId, `web:${clientMessageId}`)));
  }

  /** To the recap of an on-demand request: the next "sì" creates a help request. */
  async function atRecap(s: Session) {
    await ok(await send(s, { text: 'vorrei aiuto per la spesa martedì alle 10', clientMessageId: 'step-1' }));
    const recap = await ok(await send(s, { text: 'Albairate', clientMessageId: 'step-2' }));
    expect(recap.replies.map((r) => r.text).join('\n')).toMatch(/Ricapitolo/);
  }

  const requestsOf = (s: Session) => db().select({ reference: helpRequests.reference }).from(helpRequests).where(eq(helpRequests.conversationId, s.conversationId));

  it('answers a message without clientMessageId as before (old clients)', async () => {
    const s = await newSession();
    const before = await messageCount(s);
    const a = await ok(await send(s, { text: 'buongiorno' }));
    expect(a.understood.intent).toBe('greeting');
    expect(a.replies.length).toBeGreaterThan(0);
    // Without an id the same text twice is two messages: nothing is deduplicated by content.
    const b = await ok(await send(s, { text: 'buongiorno' }));
    expect(b.replies.map((r) => r.id)).not.toEqual(a.replies.map((r) => r.id));
    expect(await messageCount(s)).toBe(before + 2 + a.replies.length + b.replies.length);
  });

  it('stores and answers the same clientMessageId once when sent 20 times in sequence', async () => {
    const s = await newSession();
    const before = await messageCount(s);
    const first = await ok(await send(s, { text: 'buongiorno', clientMessageId: 'seq-0001' }));
    expect(first.replies.length).toBeGreaterThan(0);
    for (let i = 0; i < 19; i++) {
      const again = await ok(await send(s, { text: 'buongiorno', clientMessageId: 'seq-0001' }));
      expect(again).toEqual(first);
    }
    expect(await inboundWith(s, 'seq-0001')).toHaveLength(1);
    expect(await messageCount(s)).toBe(before + 1 + first.replies.length);
  });

  it('stores and answers the same clientMessageId once when sent 20 times at once', async () => {
    const s = await newSession();
    const before = await messageCount(s);
    const id = '0b8f2f8e-8d7c-4c4e-9a55-3f0e2c1d9a10';
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(s, { text: 'buongiorno', clientMessageId: id }).then(ok)));
    const first = answers[0]!;
    expect(first.replies.length).toBeGreaterThan(0);
    for (const a of answers) expect(a).toEqual(first);
    expect(await inboundWith(s, id)).toHaveLength(1);
    expect(await messageCount(s)).toBe(before + 1 + first.replies.length);
  });

  it('creates one help request when the confirming "sì" is sent 20 times at once and 20 more in sequence', async () => {
    t.setNow(new Date('2026-11-23T08:00:00Z')); // a Monday
    try {
      const s = await newSession();
      await atRecap(s);
      const answers = await Promise.all(Array.from({ length: 20 }, () => send(s, { text: 'sì', clientMessageId: 'confirm' }).then(ok)));
      const reference = /R-\d+/.exec(answers[0]!.replies.map((r) => r.text).join('\n'))?.[0];
      expect(reference).toBeDefined();
      for (const a of answers) expect(a).toEqual(answers[0]);
      for (let i = 0; i < 20; i++) expect(await ok(await send(s, { text: 'sì', clientMessageId: 'confirm' }))).toEqual(answers[0]);
      expect(await requestsOf(s)).toEqual([{ reference }]);
      expect(await inboundWith(s, 'confirm')).toHaveLength(1);
    } finally {
      t.setNow(undefined);
    }
  });

  it('deduplicates a chosen option the same way', async () => {
    const s = await newSession();
    const { messages: opening } = (await (await t.request(`/chat/web/sessions/${s.sessionId}/messages`, { headers: s.auth })).json()) as { messages: Answer['replies'] };
    const operator = opening.at(-1)!.options!.find((o) => o.id.endsWith('.talk_to_operator'))!;
    const picks = await Promise.all(Array.from({ length: 5 }, () => send(s, { option: operator.id, clientMessageId: 'pick' }).then(ok)));
    for (const p of picks) expect(p).toEqual(picks[0]);
    expect(picks[0]!.understood.intent).toBe('talk_to_operator');
    expect(picks[0]!.replies.length).toBeGreaterThan(0);
    expect(await inboundWith(s, 'pick')).toHaveLength(1);
  });

  it('answers a retry of a message stored by an attempt that failed before handling it', async () => {
    t.setNow(new Date('2026-11-23T08:00:00Z'));
    try {
      const s = await newSession();
      await atRecap(s);
      // What a 503 after the commit leaves: the message stored, not handled, not answered.
      await appendInbound(db(), s.conversationId, { body: 'sì', input: { kind: 'text' }, externalId: 'web:lost-answer' });
      expect((await inboundWith(s, 'lost-answer'))[0]!.processedAt).toBeNull();
      const retry = await ok(await send(s, { text: 'sì', clientMessageId: 'lost-answer' }));
      const reference = /R-\d+/.exec(retry.replies.map((r) => r.text).join('\n'))?.[0];
      expect(reference).toBeDefined();
      const stored = await inboundWith(s, 'lost-answer');
      expect(stored).toHaveLength(1);
      expect(stored[0]!.processedAt).not.toBeNull();
      expect(await ok(await send(s, { text: 'sì', clientMessageId: 'lost-answer' }))).toEqual(retry);
      expect(await requestsOf(s)).toEqual([{ reference }]);
    } finally {
      t.setNow(undefined);
    }
  });

  it('keeps ids apart per conversation: the same id in another session is a new message', async () => {
    const a = await newSession();
    const b = await newSession();
    await ok(await send(a, { text: 'buongiorno', clientMessageId: 'shared-id' }));
    const other = await ok(await send(b, { text: 'voglio parlare con un operatore', clientMessageId: 'shared-id' }));
    expect(other.understood.intent).toBe('talk_to_operator');
    expect(await inboundWith(b, 'shared-id')).toHaveLength(1);
  });

  it('refuses a malformed clientMessageId with 400 and a clear message, storing nothing', async () => {
    const s = await newSession();
    const before = await messageCount(s);
    for (const bad of ['', 'x'.repeat(65), 'con spazio', 'àccento', 'a/b', 'web:abc', 'a\u0000b', 42, null, ['a']]) {
      const res = await send(s, { text: 'buongiorno', clientMessageId: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; fields?: Record<string, string> } };
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.fields?.clientMessageId, JSON.stringify(bad)).toBeDefined();
    }
    const it = (await (await send(s, { text: 'buongiorno', clientMessageId: 'a b' })).json()) as { error: { fields: Record<string, string> } };
    expect(it.error.fields.clientMessageId).toMatch(/^Codice del messaggio non valido: da 1 a 64 caratteri/);
    const en = (await (await send(s, { text: 'buongiorno', clientMessageId: 'a b' }, { 'accept-language': 'en' })).json()) as { error: { fields: Record<string, string> } };
    expect(en.error.fields.clientMessageId).toMatch(/^Invalid message id: 1 to 64 characters/);
    // The longest valid one is accepted.
    await ok(await send(s, { text: 'buongiorno', clientMessageId: `${'A'.repeat(32)}_-${'9'.repeat(30)}` }));
    expect(await messageCount(s)).toBeGreaterThan(before);
    const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(messages).where(and(eq(messages.conversationId, s.conversationId), eq(messages.direction, 'in'), eq(messages.author, 'person')));
    expect(Number(row!.n)).toBe(1);
  });
});
