/**
 * The statements every Telegram update runs read the tables they grow by key, never by scanning
 * them. The planner guesses 100 rows for jsonb_to_recordset and unnest, so a plain join on their
 * rows could hash a whole table: the webhook's store once read every update ever stored, and the
 * batch write every conversation, so each turn got slower as the tables grew. And "earlier
 * unhandled updates of this chat" walked every pending update once the statistics were older than
 * a backlog, the options last offered read the whole conversation, and the outbound claim read
 * every pending message to find each chat's oldest. Checked on tables of a few thousand rows,
 * analyzed before a backlog arrives, with both plans a prepared statement can get.
 */
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_CHANNEL, PENDING_OF_CHAT_SQL } from '../../db/channel-inbox.ts';
import { RESOLVE_SQL, WRITE_SQL } from '../../db/channel-batch.ts';
import { IDENTITIES_SQL } from '../../db/chat-data.ts';
import { rowsOf } from '../../db/client.ts';
import { storeManySql } from '../../db/inbound-store.ts';
import { claimSql } from '../../db/outbound.ts';
import { createTestDatabase, postgresSkipped, type TestDatabase } from '../helpers/test-db.ts';

const ROWS = 3000;

describe.skipIf(postgresSkipped)('plans of the per-update statements', () => {
  let t: TestDatabase;
  let identityIds: string[];
  beforeAll(async () => {
    t = await createTestDatabase({ demoData: false });
    const db = t.database.db;
    const update = (g: string) => `jsonb_build_object('update_id', ${g}, 'message', jsonb_build_object('chat', jsonb_build_object('id', ${g} % 500)))`;
    await db.execute(sql.raw(`insert into channel_inbound (channel, external_id, payload, processed_at) select 'telegram', g::text, ${update('g')}, now() from generate_series(1, ${ROWS}) g`));
    await db.execute(sql.raw(`insert into channel_identities (channel, address, locale) select 'telegram', g::text, 'it' from generate_series(1, ${ROWS}) g`));
    await db.execute(sql.raw(`insert into conversations (channel, identity_id, locale) select 'telegram', id, 'it' from channel_identities`));
    // A long conversation (chat 400): two thousand messages, every tenth reply offering options.
    await db.execute(
      sql.raw(`insert into messages (conversation_id, seq, direction, author, body, options)
               select c.id, g, case when g % 2 = 0 then 'out' else 'in' end, case when g % 2 = 0 then 'bot' else 'person' end, 'm',
                      case when g % 20 = 0 then '[{"id":"a","label":"A"}]'::jsonb end
                 from conversations c join channel_identities i on i.id = c.identity_id, generate_series(1, 2000) g
                where i.address = '400'`),
    );
    // Replies long sent to 100 chats, and a few still queued when the statistics are taken.
    await db.execute(
      sql.raw(`insert into outbound_messages (channel, address, body, dedupe_key, status, sent_at)
               select 'telegram', (g % 100)::text, 'm', 'sent:' || g, 'sent', now() - interval '1 hour' from generate_series(1, ${ROWS}) g`),
    );
    await db.execute(sql.raw(`insert into outbound_messages (channel, address, body, dedupe_key) select 'telegram', (g % 100)::text, 'm', 'early:' || g from generate_series(1, 300) g`));
    // Each reply points at the person's message before it.
    await db.execute(sql.raw(`update messages r set reply_to = m.id from messages m where r.direction = 'out' and m.conversation_id = r.conversation_id and m.seq = r.seq - 1`));
    await db.execute(sql.raw('analyze channel_inbound, channel_identities, conversations, messages, outbound_messages'));
    // A burst after the statistics were taken: they still say nothing is pending. Thirty
    // replies queued for each of the 100 chats, which Telegram takes at one per chat per second.
    await db.execute(
      sql.raw(`insert into outbound_messages (channel, address, body, dedupe_key)
               select 'telegram', (g % 100)::text, 'm', 'queued:' || g from generate_series(1, ${ROWS}) g`),
    );
    await db.execute(sql.raw(`insert into channel_inbound (channel, external_id, payload) select 'telegram', g::text, ${update('g')} from generate_series(${ROWS + 1}, ${ROWS + 1000}) g`));
    identityIds = rowsOf<{ id: string }>(await db.execute(sql.raw('select id::text as id from channel_identities limit 50'))).map((r) => r.id);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The plan of `text` as a prepared statement run with `params`, in `mode` (custom or generic plan). */
  async function planOf(text: string, params: string[], mode: 'force_custom_plan' | 'force_generic_plan'): Promise<string> {
    return t.database.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local plan_cache_mode = ${mode}`));
      await tx.execute(sql.raw(`prepare hot_plan as ${text}`));
      try {
        const literals = params.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ');
        const rows = rowsOf<{ 'QUERY PLAN': string }>(await tx.execute(sql.raw(`explain execute hot_plan(${literals})`)));
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await tx.execute(sql.raw('deallocate hot_plan'));
      }
    });
  }

  const modes = ['force_custom_plan', 'force_generic_plan'] as const;

  /** Whether the plan walks the pending rows: channel_inbound_pending_idx used other than to find one id. */
  const walksPending = (plan: string) => plan.split('\n').some((line, i, lines) => line.includes('channel_inbound_pending_idx') && !/Index Cond: \(id = /.test(lines[i + 1] ?? ''));

  it.each(modes)('the webhook store finds a redelivered update by its key (%s)', async (mode) => {
    const batch = JSON.stringify([
      { i: 0, channel: 'telegram', external_id: '17', payload: { update_id: 17 } },
      { i: 1, channel: 'telegram', external_id: 'new', payload: { update_id: 18 } },
    ]);
    const plan = await planOf(storeManySql(INBOX_CHANNEL), [batch, 'tag'], mode);
    expect(plan).toMatch(/channel_inbound_external_key on channel_inbound/);
    expect(plan).not.toMatch(/Seq Scan on channel_inbound/);
  });

  it.each(modes)('the batch looks for earlier unhandled updates of each chat in its chat only (%s)', async (mode) => {
    const updates = JSON.stringify([{ i: 0, row_id: ROWS + 900, chat: '400', update_seq: ROWS + 900, external_id: String(ROWS + 900) }]);
    const plan = await planOf(RESOLVE_SQL, [updates], mode);
    expect(plan).toMatch(/channel_inbound_pending_chat_idx on channel_inbound/);
    // …and finds the options last offered without reading the whole conversation.
    expect(plan).toMatch(/messages_offered_options_idx on messages/);
    expect(walksPending(plan)).toBe(false);
    expect(plan).not.toMatch(/Seq Scan on channel_inbound/);
  });

  it.each(modes)('the one-by-one path does the same (%s)', async (mode) => {
    const plan = await planOf(PENDING_OF_CHAT_SQL, [String(ROWS + 900), '400', String(ROWS + 900), '50'], mode);
    expect(plan).toMatch(/channel_inbound_pending_chat_idx on channel_inbound/);
    expect(plan).not.toMatch(/Sort/);
    expect(walksPending(plan)).toBe(false);
    expect(plan).not.toMatch(/Seq Scan on channel_inbound/);
  });

  it.each(modes)('the batch write updates conversations by key (%s)', async (mode) => {
    const plan = await planOf(WRITE_SQL, ['[]', '2026-11-22T10:00:00Z'], mode);
    expect(plan).toMatch(/Update on conversations/);
    expect(plan).not.toMatch(/Seq Scan on conversations/);
  });

  it.each(modes)('the outbound claim reads the oldest pending messages, not the backlog behind them (%s)', async (mode) => {
    const { sql: text, params } = new PgDialect().sqlToQuery(claimSql(['telegram'], new Date(), { perChatIntervalMs: 1000 }, 30, 240));
    const literals = params.map((p) => (typeof p === 'number' ? String(p) : `'${String(p).replaceAll("'", "''")}'`)).join(', ');
    const { claimed, rowsRead } = await t.database.db
      .transaction(async (tx) => {
        await tx.execute(sql.raw(`set local plan_cache_mode = ${mode}`));
        await tx.execute(sql.raw(`prepare claim_plan as ${text}`));
        const [row] = rowsOf<{ 'QUERY PLAN': unknown }>(await tx.execute(sql.raw(`explain (analyze, format json) execute claim_plan(${literals})`)));
        // A prepared statement outlives the transaction; its locks do not.
        await tx.execute(sql.raw('deallocate claim_plan'));
        const raw = row!['QUERY PLAN'];
        const [plan] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
        throw new RolledBack(plan.Plan['Actual Rows'] ?? 0, readFrom(plan.Plan, 'outbound_messages'));
      })
      .catch((err: unknown) => {
        if (err instanceof RolledBack) return err;
        throw err;
      });
    expect(claimed).toBe(30);
    // The 240 oldest, a probe per chat for a message sent in the last second, the 30 taken;
    // the backlog is 3,300 rows.
    expect(rowsRead).toBeLessThan(400);
  });

  it.each(modes)("a web-chat turn finds its replies by the partial reply index, which leaves the person's messages out (%s)", async (mode) => {
    const plan = await planOf('select id from messages where reply_to = $1::uuid order by seq', ['00000000-0000-4000-8000-000000000000'], mode);
    expect(plan).toMatch(/messages_reply_to_idx on messages/);
    const [size] = rowsOf<{ entries: number }>(await t.database.db.execute(sql.raw("select reltuples::int as entries from pg_class where relname = 'messages_reply_to_idx'")));
    const [replies] = rowsOf<{ n: number }>(await t.database.db.execute(sql.raw('select count(*)::int as n from messages where reply_to is not null')));
    expect(size!.entries).toBe(replies!.n);
  });

  it.each(modes)('the batch reads identities by key (%s)', async (mode) => {
    const plan = await planOf(IDENTITIES_SQL, [`{${identityIds.join(',')}}`], mode);
    expect(plan).toMatch(/channel_identities_pkey on channel_identities/);
    expect(plan).not.toMatch(/Seq Scan on channel_identities/);
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows a plan's scans of `table` returned, over all their loops. */
function readFrom(node: PlanNode, table: string): number {
  const own = node['Relation Name'] === table ? (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + readFrom(child, table), 0);
}

/** Ends the EXPLAIN ANALYZE transaction without keeping its locks, with what it measured. */
class RolledBack extends Error {
  constructor(
    readonly claimed: number,
    readonly rowsRead: number,
  ) {
    super('rolled back');
  }
}
