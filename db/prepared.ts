/**
 * Driver-level prepared statements for the few hottest reads, where drizzle's per-row mapping
 * costs more than the query (the waiting list serves up to 1,000 rows a page). The statement text
 * is fixed SQL with $n parameters, so nothing user-supplied is ever spliced into it. Works on
 * postgres.js (named, server-side prepared) and PGlite (extended protocol with parameters).
 */
import type { Db, Queryable } from './client.ts';

export type PreparedRunner = <T>(text: string, params: readonly unknown[]) => Promise<T[]>;

interface PostgresJsClient {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
}
interface PgliteClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

export function preparedRunner(db: Db): PreparedRunner {
  // Both drizzle drivers keep the underlying client on `$client`.
  return runnerFor((db as unknown as { $client: PostgresJsClient | PgliteClient }).$client);
}

/**
 * The same runner on the database or on a drizzle transaction: inside a transaction the
 * statements run on the transaction's own connection (drizzle keeps it as `session.client` for
 * both drivers), so hot paths can mix prepared SQL with drizzle queries in one transaction.
 */
export function preparedRunnerOn(q: Queryable): PreparedRunner {
  return runnerFor((q as unknown as { session: { client: PostgresJsClient | PgliteClient } }).session.client);
}

function runnerFor(client: PostgresJsClient | PgliteClient): PreparedRunner {
  // Ask through property access, not `in`: the PostgreSQL client is a proxy that follows the
  // current connection pool (db/client.ts), and only its `get` reaches the real client.
  if (typeof (client as Partial<PostgresJsClient>).unsafe === 'function') {
    const pg = client as PostgresJsClient;
    return async <T>(text: string, params: readonly unknown[]) => (await pg.unsafe(text, [...params], { prepare: true })) as T[];
  }
  const lite = client as PgliteClient;
  return async <T>(text: string, params: readonly unknown[]) => (await lite.query(text, [...params])).rows as T[];
}
