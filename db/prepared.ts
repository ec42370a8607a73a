/**
 * Driver-level prepared statements for the hottest statements, where drizzle's per-row mapping
 * costs more than the query (the waiting list serves up to 1,000 rows a page) and planning costs
 * more than running (the Telegram webhook's store, the batch of turns). The statement text is fixed
 * SQL with $n parameters, so nothing user-supplied is ever spliced into it. Named, server-side
 * prepared statements on both drivers: postgres.js prepares them itself; on PGlite they are
 * prepared here, over its wire-protocol API, because its `query()` parses and plans every
 * statement anew (9 ms for the batch write, 1.5 ms for the store, each time, in WebAssembly).
 */
import { parse, protocol, type PGlite } from '@electric-sql/pglite';
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
  if (isPgliteInstance(client)) return pgliteNamedRunner(client);
  // A PGlite transaction: only `query()` is there (planned each time, as any statement in it).
  const lite = client as PgliteClient;
  return async <T>(text: string, params: readonly unknown[]) => (await lite.query(text, [...params])).rows as T[];
}

/** The PGlite instance itself (not a transaction handle): it has the wire-protocol API. */
function isPgliteInstance(client: unknown): client is PGlite {
  const c = client as Partial<PGlite>;
  return typeof c.execProtocol === 'function' && typeof c._runExclusiveTransaction === 'function' && typeof c.runExclusive === 'function';
}

interface NamedStatement {
  name: string;
  /** Parameter type oids, as the server inferred them (to serialise the values as `query()` does). */
  paramTypes: number[];
}

/** One runner per PGlite instance (its one session), which keeps that session's statements. */
const runners = new WeakMap<PGlite, PreparedRunner>();
let statementCounter = 0;

function concatMessages(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Parse once under a name (with Describe, for the parameter types), then Bind/Describe/Execute/Sync
 * in one message batch per call. It takes the same two locks as `query()`: the transaction lock,
 * so that it never runs inside someone else's open transaction, and the query lock. Each batch ends
 * with Sync, so an error leaves the session ready; a statement whose Parse failed is not remembered.
 */
function pgliteNamedRunner(pg: PGlite): PreparedRunner {
  const cached = runners.get(pg);
  if (cached) return cached;
  /** The statements prepared on this session, by SQL text. */
  const known = new Map<string, NamedStatement>();
  const { serialize } = protocol;
  const runner: PreparedRunner = <T>(text: string, params: readonly unknown[]) =>
    pg._runExclusiveTransaction(() =>
      pg.runExclusive(async () => {
        let statement = known.get(text);
        if (!statement) {
          const name = `centrale_prepared_${++statementCounter}`;
          const described = await pg.execProtocol(concatMessages([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
          const parameters = described.messages.find((m) => m.name === 'parameterDescription') as { dataTypeIDs?: number[] } | undefined;
          statement = { name, paramTypes: parameters?.dataTypeIDs ?? [] };
          known.set(text, statement);
        }
        const types = statement.paramTypes;
        const values = params.map((value, i) => {
          if (value === null || value === undefined) return null;
          const serializer = pg.serializers[types[i] ?? 0];
          return serializer ? serializer(value) : String(value);
        });
        const result = await pg.execProtocol(
          concatMessages([serialize.bind({ statement: statement.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
          { syncToFs: false },
        );
        await pg.syncToFs();
        return (parse.parseResults(result.messages, pg.parsers)[0]?.rows ?? []) as T[];
      }),
    );
  runners.set(pg, runner);
  return runner;
}
