/**
 * Group commit for `storeInbound`: webhooks that arrive while a store is under way wait for it
 * and are then stored together, in one statement and one commit. Alone, an update is stored at
 * once, as before; under load each round trip (and each wake-up of the database) carries many.
 * Every caller still gets its answer only after its own row is committed, so the provider's 200
 * keeps meaning "stored", and duplicates are recognised on the same unique key.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './client.ts';
import type { OutChannel } from './outbound.ts';
import { preparedRunner, type PreparedRunner } from './prepared.ts';

export interface InboundToStore {
  channel: OutChannel;
  externalId: string;
  payload: Record<string, unknown>;
}

export interface StoredInbound {
  id: number;
  duplicate: boolean;
  processed: boolean;
}

/** At most this many updates share one statement (the rest wait for the next). */
const MAX_GROUP = 200;

/**
 * Stores raw updates and announces them on `notifyChannel` (payload `channel:id:instance`, the
 * last part naming the database handle, i.e. the instance, that stored them), in one statement.
 * For each input, in order: the new row's id, or the row already stored under its key (read in
 * the statement's snapshot; null when a concurrent store committed it after that snapshot).
 */
const storeManyText = (notifyChannel: string) => `
with k as (
  select * from jsonb_to_recordset($1::text::jsonb) as k(i int, channel text, external_id text, payload jsonb)),
ins as (
  insert into channel_inbound (channel, external_id, payload)
  select channel, external_id, payload from k order by i
  on conflict (channel, external_id) do nothing
  returning id, channel, external_id),
signal as (
  select pg_notify('${notifyChannel}', channel || ':' || id::text || ':' || $2::text) from ins)
select k.i, ins.id::text as new_id, old.id::text as old_id, old.processed_at is not null as processed,
       -- a plain CTE runs only if read: reading it sends the notifications
       (select count(*) from signal) as signalled
from k
left join ins on ins.channel = k.channel and ins.external_id = k.external_id
-- A probe of the unique key per duplicate. As a plain join the planner, which guesses 100 rows
-- for jsonb_to_recordset, hashed the whole table instead: every webhook then read every update
-- ever stored (about 1 ms per 5,000 rows), until the table was large enough to change its mind.
left join lateral (
  select o.id, o.processed_at from channel_inbound o
   where ins.id is null and o.channel = k.channel and o.external_id = k.external_id limit 1) old on true
order by k.i`;

/** The statement text per notify channel, built once (exported for the plan test). */
const storeManyTexts = new Map<string, string>();
export function storeManySql(notifyChannel: string): string {
  let text = storeManyTexts.get(notifyChannel);
  if (!text) storeManyTexts.set(notifyChannel, (text = storeManyText(notifyChannel)));
  return text;
}

const SEEN_SQL = `select id::text as id, processed_at is not null as processed from channel_inbound where channel = $1::text and external_id = $2::text`;

interface Waiting {
  input: InboundToStore;
  /** JSON of the payload, made once (it is also the statement's parameter). */
  payloadJson: string;
  resolve(stored: StoredInbound): void;
  reject(err: unknown): void;
}

interface Group {
  queue: Waiting[];
  storing: boolean;
}

const groups = new WeakMap<object, Group>();
const tags = new WeakMap<object, string>();

/**
 * This instance's name in the NOTIFY payloads of what it stores: a random tag per database handle
 * (one per process in production), so a listener tells its own updates from another instance's.
 */
export function instanceTagOf(db: Db): string {
  let tag = tags.get(db);
  if (!tag) tags.set(db, (tag = randomUUID().slice(0, 8)));
  return tag;
}

export function storeInboundGrouped(db: Db, notifyChannel: string, input: InboundToStore): Promise<StoredInbound> {
  let group = groups.get(db);
  if (!group) {
    group = { queue: [], storing: false };
    groups.set(db, group);
  }
  const g = group;
  return new Promise<StoredInbound>((resolve, reject) => {
    g.queue.push({ input, payloadJson: JSON.stringify(input.payload), resolve, reject });
    if (!g.storing) void drain(db, notifyChannel, g);
  });
}

async function drain(db: Db, notifyChannel: string, g: Group): Promise<void> {
  g.storing = true;
  const run = preparedRunner(db);
  try {
    while (g.queue.length > 0) {
      const taken = g.queue.splice(0, MAX_GROUP);
      try {
        await storeGroup(run, notifyChannel, instanceTagOf(db), taken);
      } catch {
        // One bad update must not cost the others their store: each is then tried on its own.
        await Promise.all(taken.map((w) => storeGroup(run, notifyChannel, instanceTagOf(db), [w]).catch((err: unknown) => w.reject(err))));
      }
    }
  } finally {
    g.storing = false;
  }
}

async function storeGroup(run: PreparedRunner, notifyChannel: string, tag: string, waiting: Waiting[]): Promise<void> {
  // The same key twice in one group (a provider retrying at once): stored once, the rest duplicates.
  const first = new Map<string, Waiting>();
  const copies: [Waiting, Waiting][] = [];
  for (const w of waiting) {
    const key = `${w.input.channel}\u0000${w.input.externalId}`;
    const seen = first.get(key);
    if (seen) copies.push([w, seen]);
    else first.set(key, w);
  }
  const unique = [...first.values()];
  const json = `[${unique.map((w, i) => `{"i":${i},"channel":${JSON.stringify(w.input.channel)},"external_id":${JSON.stringify(w.input.externalId)},"payload":${w.payloadJson}}`).join(',')}]`;
  const rows = await run<{ i: number; new_id: string | null; old_id: string | null; processed: boolean | null }>(storeManySql(notifyChannel), [json, tag]);
  const results = new Map<Waiting, StoredInbound>();
  for (const r of rows) {
    const w = unique[r.i]!;
    if (r.new_id !== null) results.set(w, { id: Number(r.new_id), duplicate: false, processed: false });
    else if (r.old_id !== null) results.set(w, { id: Number(r.old_id), duplicate: true, processed: r.processed === true });
    else {
      // Committed by a concurrent store after this statement's snapshot: read it now.
      const [seen] = await run<{ id: string; processed: boolean }>(SEEN_SQL, [w.input.channel, w.input.externalId]);
      if (!seen) throw new Error('inbound update neither stored nor found');
      results.set(w, { id: Number(seen.id), duplicate: true, processed: seen.processed });
    }
  }
  for (const w of unique) if (!results.has(w)) throw new Error('inbound update missing from its group');
  for (const [w, stored] of results) w.resolve(stored);
  for (const [copy, of] of copies) {
    const stored = results.get(of)!;
    copy.resolve({ id: stored.id, duplicate: true, processed: stored.processed });
  }
}
