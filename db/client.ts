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

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'pglite' ? openPglite(config.dataDir) : openPostgres(config.url);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) {
    // Health data at rest: only the service's user may read the directory.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
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

async function openPostgres(url: string): Promise<Database> {
  const client = postgres(url, {
    max: 10,
    // Errors carry `detail`, which echoes values (personal data): never log it; onnotice likewise.
    onnotice: () => {},
    connect_timeout: 5,
    idle_timeout: 60,
    connection: { application_name: 'centrale' },
  });
  const db = drizzlePostgres({ client, schema, casing }) as unknown as Db;
  let closed = false;
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
      const subscription = await client.listen(channel, handler);
      return async () => {
        if (!closed) await subscription.unlisten();
      };
    },
    async close() {
      if (closed) return;
      closed = true;
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
