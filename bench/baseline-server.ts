/**
 * The ceilings centrale is compared with, each run in its own process like centrale itself:
 * `bare` — a Hono route answering JSON; `insert` — a Hono route running one prepared INSERT of
 * the request body, on PostgreSQL (DATABASE_URL) or in-memory PGlite (DATABASE_URL=memory://).
 * Prints "listening <port>" when ready.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { openDatabase } from '../db/client.ts';
import { preparedRunner } from '../db/prepared.ts';

const mode = process.argv[2];
const app = new Hono();

if (mode === 'bare') {
  app.post('/bench', async (c) => {
    await c.req.json();
    return c.json({ ok: true });
  });
} else if (mode === 'insert') {
  const url = process.env.DATABASE_URL ?? 'memory://';
  const database = await openDatabase(url === 'memory://' ? { kind: 'pglite', dataDir: undefined } : { kind: 'postgres', url });
  const run = preparedRunner(database.db);
  await run('create table if not exists bench_inserts (id bigserial primary key, payload jsonb not null)', []);
  app.post('/bench', async (c) => {
    const body = await c.req.json();
    await run('insert into bench_inserts (payload) values ($1::jsonb)', [JSON.stringify(body)]);
    return c.json({ ok: true });
  });
} else {
  throw new Error('usage: baseline-server.ts bare|insert');
}

serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`listening ${info.port}\n`));
