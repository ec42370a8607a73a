/** A person chatting through the real web-chat HTTP API, for scenario tests. */
import { expect } from 'vitest';
import type { TestApp } from '../helpers/test-app.ts';

export interface Reply {
  id: string;
  seq: number;
  text: string;
  options?: { id: string; label: string }[];
}

export interface ChatUser {
  sessionId: string;
  /** Every turn so far (for turn counts). */
  turns: number;
  /** The options of the last reply that had some. */
  options: { id: string; label: string }[];
  say(text: string): Promise<{ replies: Reply[]; text: string; understood: Record<string, string> }>;
  choose(label: RegExp): Promise<{ replies: Reply[]; text: string; understood: Record<string, string> }>;
  optionId(label: RegExp): string;
  /** Sends any option id, even a stale or made-up one. */
  option(id: string): Promise<{ replies: Reply[]; text: string; understood: Record<string, string> }>;
}

export async function openChat(t: TestApp, locale?: 'it' | 'en'): Promise<ChatUser> {
  const res = await t.json('/chat/web/sessions', locale ? { locale } : {});
  expect(res.status).toBe(201);
  const { sessionId, token } = (await res.json()) as { sessionId: string; token: string };
  const auth = { authorization: `Bearer ${token}` };
  const first = (await (await t.request(`/chat/web/sessions/${sessionId}/messages`, { headers: auth })).json()) as { messages: Reply[] };
  const user: ChatUser = {
    sessionId,
    turns: 0,
    options: first.messages.at(-1)?.options ?? [],
    async say(text) {
      return send({ text });
    },
    async option(id) {
      return send({ option: id });
    },
    async choose(label) {
      return send({ option: user.optionId(label) });
    },
    optionId(label) {
      const found = user.options.find((o) => label.test(o.label));
      if (!found) throw new Error(`no option ${label} among ${user.options.map((o) => o.label).join(' | ')}`);
      return found.id;
    },
  };
  async function send(body: { text?: string; option?: string }) {
    const r = await t.json(`/chat/web/sessions/${sessionId}/messages`, body, { headers: auth });
    expect(r.status).toBe(200);
    const out = (await r.json()) as { replies: Reply[]; understood: Record<string, string> };
    user.turns += 1;
    const withOptions = [...out.replies].reverse().find((x) => x.options && x.options.length > 0);
    if (withOptions) user.options = withOptions.options!;
    return { ...out, text: out.replies.map((x) => x.text).join('\n') };
  }
  return user;
}

/** Issues a link code as a staff member and returns it as shown. */
export async function issueCode(t: TestApp, cookie: string, personId: string): Promise<string> {
  const res = await t.request(`/api/v1/people/${personId}/link-codes`, { method: 'POST', headers: { cookie } });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { code: string; expiresAt: string };
  expect(body.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  return body.code;
}
