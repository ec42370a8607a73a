/**
 * A fake Telegram Bot API on 127.0.0.1 for telegraf: records every call, serves queued updates to
 * getUpdates (redelivering them until the offset confirms them, like Telegram), and can be told to
 * answer sendMessage with 403 (bot blocked) or 429 (retry_after) for a chat.
 */
import { createServer, type Server } from 'node:http';

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
}

export interface FakeTelegram {
  apiRoot: string;
  calls: RecordedCall[];
  sent(chatId?: string | number): RecordedCall[];
  pushUpdate(update: Record<string, unknown>): void;
  /** Next sendMessage calls to this chat fail: 403 forever, or 429 `times` times. */
  block(chatId: string | number): void;
  throttle(chatId: string | number, retryAfter: number, times: number): void;
  files: Map<string, Buffer>;
  close(): Promise<void>;
}

export async function startFakeTelegram(token: string): Promise<FakeTelegram> {
  const calls: RecordedCall[] = [];
  let updates: Record<string, unknown>[] = [];
  const blocked = new Set<string>();
  const throttled = new Map<string, { retryAfter: number; times: number }>();
  const files = new Map<string, Buffer>();
  let messageId = 100;
  let port = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const filePrefix = `/file/bot${token}/`;
      if (url.pathname.startsWith(filePrefix)) {
        const content = files.get(url.pathname.slice(filePrefix.length));
        if (!content) return reply(404, { ok: false });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(content);
      }
      const m = new RegExp(`^/bot${token}/(\\w+)$`).exec(url.pathname);
      if (!m) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      const method = m[1]!;
      const raw = Buffer.concat(chunks).toString('utf8');
      let payload: Record<string, unknown> = {};
      try {
        payload = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        payload = Object.fromEntries(new URLSearchParams(raw));
      }
      calls.push({ method, payload });
      switch (method) {
        case 'getUpdates': {
          const offset = typeof payload.offset === 'number' ? payload.offset : undefined;
          if (offset !== undefined) updates = updates.filter((u) => (u.update_id as number) >= offset);
          const out = updates.slice(0, 100);
          if (out.length > 0) return reply(200, { ok: true, result: out });
          // Short long-poll so tests stay quick.
          return setTimeout(() => reply(200, { ok: true, result: [] }), 50);
        }
        case 'sendMessage': {
          const chat = String(payload.chat_id);
          if (blocked.has(chat)) return reply(403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
          const t = throttled.get(chat);
          if (t && t.times > 0) {
            t.times -= 1;
            return reply(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry later', parameters: { retry_after: t.retryAfter } });
          }
          messageId += 1;
          return reply(200, { ok: true, result: { message_id: messageId, date: 0, chat: { id: Number(chat), type: 'private' }, text: payload.text } });
        }
        case 'getFile':
          return reply(200, { ok: true, result: { file_id: payload.file_id, file_unique_id: 'u', file_path: `media/${String(payload.file_id)}` } });
        default:
          return reply(200, { ok: true, result: true });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    sent: (chatId) => calls.filter((c) => c.method === 'sendMessage' && (chatId === undefined || String(c.payload.chat_id) === String(chatId))),
    pushUpdate: (u) => updates.push(u),
    block: (chatId) => blocked.add(String(chatId)),
    throttle: (chatId, retryAfter, times) => throttled.set(String(chatId), { retryAfter, times }),
    files,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
