/**
 * A fake Twilio REST API on 127.0.0.1 for the SMS provider: records every Messages.json call
 * (auth header and form fields), answers 201 with a message SID, and can be told to answer the
 * next calls to a number with an error (429 with Retry-After, 500, or a 4xx Twilio error code).
 */
import { createServer, type Server } from 'node:http';

export interface TwilioCall {
  path: string;
  authorization: string;
  contentType: string;
  form: Record<string, string>;
  status: number;
}

export interface FakeTwilio {
  apiRoot: string;
  calls: TwilioCall[];
  /** The next `times` calls to `to` answer `status` (with a Twilio `code` and a Retry-After header). */
  fail(to: string, failure: { status: number; code?: number; retryAfter?: number; times?: number }): void;
  close(): Promise<void>;
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const calls: TwilioCall[] = [];
  const failures = new Map<string, { status: number; code?: number; retryAfter?: number; times: number }>();
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        calls.push({ path: url.pathname, authorization: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '', form, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || !/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(url.pathname)) return reply(404, { code: 20404, message: 'Not Found', status: 404 });
      const failure = failures.get(form.To ?? '');
      if (failure && failure.times > 0) {
        failure.times -= 1;
        return reply(failure.status, { code: failure.code ?? failure.status, message: 'fake failure', status: failure.status }, failure.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {});
      }
      n += 1;
      return reply(201, { sid: `SM${String(n).padStart(32, 'f')}`, status: 'queued', to: form.To, from: form.From, body: form.Body });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    fail: (to, f) => failures.set(to, { ...f, times: f.times ?? Number.POSITIVE_INFINITY }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
