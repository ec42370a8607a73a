/**
 * The database factory: embedded PGlite by default (zero setup), PostgreSQL through postgres.js
 * when DATABASE_URL says so. Everything above this file sees one drizzle `Db` type and one
 * `Database` handle, so every query runs unchanged on both.
 */
import { mkdirSync, chmodSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { DatabaseConfig } from '../config.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it. Transactions have the same shape. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or a transaction: query functions accept both. */
export type Queryable = Db | Tx;

export type NotificationHandler = (payload: string) => void;

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** True when the server answers a trivial query (for /ready). */
  ping(): Promise<boolean>;
  /** Postgres LISTEN: every instance on the same database hears NOTIFYs, so live updates cross instances. */
  listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const casing = 'snake_case' as const;
/** How often a PostgreSQL LISTEN is checked for a server that went away and came back. */
const LISTEN_WATCH_MS = 1000;

/** `loadDataDir`: PGlite only, a `dumpDataDir()` tarball to start from (tests copy a prepared template). */
export async function openDatabase(config: DatabaseConfig, options: { loadDataDir?: Blob } = {}): Promise<Database> {
  return config.kind === 'pglite' ? openPglite(config.dataDir, options.loadDataDir) : openPostgres(config.url);
}

async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) {
    // Health data at rest: only the service's user may read the directory.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  // Options must come as the only argument: `new PGlite(undefined, options)` ignores them.
  const client = loadDataDir ? new PGlite({ dataDir, loadDataDir }) : dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite({ client, schema, casing }) as unknown as Db;
  let closed = false;
  return {
    db,
    kind: 'pglite',
    async ping() {
      if (closed) return false;
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async listen(channel, handler) {
      const unsubscribe = await client.listen(channel, handler);
      return async () => {
        if (!closed) await unsubscribe();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/** Open PostgreSQL handles, for `recyclePostgresClients`. */
const openPostgresHandles = new Set<{ recycle(): void }>();

/**
 * Replaces the connection pool of every open PostgreSQL handle with a fresh one, ending the old.
 * For main.ts after a postgres.js internal error that can leave one pooled connection unable to
 * send anything (its queries would hang forever): ending the pool fails them instead, so callers
 * get an error (503, the provider retries) and later queries get healthy connections.
 */
export function recyclePostgresClients(): void {
  for (const handle of openPostgresHandles) handle.recycle();
}

async function openPostgres(url: string): Promise<Database> {
  const newClient = () => {
    const c = postgres(url, {
      max: 10,
      // Errors carry `detail`, which echoes values (personal data): never log it; onnotice likewise.
      onnotice: () => {},
      connect_timeout: 5,
      // postgres.js waits up to 20 s before reconnecting after repeated failures, holding queued
      // queries (and so requests) that long: during an outage answer 503 quickly, and notice its
      // end within a second.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      idle_timeout: 60,
      // ISO dates whatever the server's default (an Italian server may say 'SQL, DMY'): the drivers'
      // date parsing and the JSON Postgres writes for the API (db/waiting-list.ts) both rely on it.
      connection: { application_name: 'centrale', DateStyle: 'ISO, MDY' },
    });
    drizzlePostgres({ client: c, schema, casing }); // drizzle sets its date parsers on the client
    return c;
  };
  let client = newClient();
  // drizzle keeps the client it was given: it gets this stand-in, which always calls the current one.
  const current = new Proxy(function () {} as unknown as postgres.Sql, {
    apply: (_target, _this, args: unknown[]) => (client as unknown as (...a: unknown[]) => unknown)(...args),
    get: (_target, property) => {
      const value = (client as unknown as Record<string | symbol, unknown>)[property];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(client) : value;
    },
  });
  const db = drizzlePostgres({ client: current, schema, casing }) as unknown as Db;
  let closed = false;
  const handle = {
    recycle() {
      if (closed) return;
      const old = client;
      client = newClient();
      serverWasDown = true; // LISTENs move to the new pool at the next watch
      void old.end({ timeout: 0 }).catch(() => undefined);
    },
  };
  openPostgresHandles.add(handle);

  // postgres.js re-issues LISTEN once when its listening connection drops; if the server is still
  // down then, the subscription is silently lost for good. So while anyone listens, a watch pings
  // the server and, when it answers again after failing, subscribes everything afresh (new LISTEN
  // first, then the old one dropped: a notification may arrive twice, never not at all).
  type Subscription = { channel: string; handler: NotificationHandler; current: { unlisten(): Promise<unknown> } | undefined };
  const subscriptions = new Set<Subscription>();
  let watch: NodeJS.Timeout | undefined;
  let serverWasDown = false;
  const resubscribe = async (s: Subscription) => {
    const previous = s.current;
    s.current = await client.listen(s.channel, s.handler);
    await previous?.unlisten().catch(() => undefined);
  };
  const watchListeners = () => {
    watch = setTimeout(async () => {
      try {
        await client`select 1`;
        if (serverWasDown) {
          for (const s of subscriptions) await resubscribe(s);
          serverWasDown = false;
        }
      } catch {
        serverWasDown = true;
      }
      if (!closed && subscriptions.size > 0) watchListeners();
      else watch = undefined;
    }, LISTEN_WATCH_MS);
    watch.unref();
  };

  return {
    db,
    kind: 'postgres',
    async ping() {
      if (closed) return false;
      try {
        await client`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    async listen(channel, handler) {
      const subscription: Subscription = { channel, handler, current: undefined };
      subscription.current = await client.listen(channel, handler);
      subscriptions.add(subscription);
      if (!watch) watchListeners();
      return async () => {
        subscriptions.delete(subscription);
        if (!closed) await subscription.current?.unlisten();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      openPostgresHandles.delete(handle);
      if (watch) clearTimeout(watch);
      await client.end({ timeout: 5 });
    },
  };
}

/** NOTIFY inside the caller's transaction: delivered only if it commits. */
export async function notify(q: Queryable, channel: string, payload: string): Promise<void> {
  await q.execute(sql`select pg_notify(${channel}, ${payload})`);
}

/** Rows of a raw `execute()`, which postgres.js returns as an array and PGlite as `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
