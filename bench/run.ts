/**
 * `npm run bench`: starts what it needs (a throwaway PostgreSQL cluster, in-memory PGlite, centrale
 * and its baselines in their own processes, a fake Telegram Bot API) and prints figures measured
 * side by side in one run. BENCH_SECONDS sets the time per figure (default 3), BENCH_ROUNDS the
 * rounds of INSERT-then-webhook windows whose median ratio is reported (default 3).
 * The last line is exactly `webhook/insert ratio: X (postgres), Y (pglite)`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { benchCentraleHttp, type CentraleHttpResult } from './centrale-http.ts';
import { benchRedemptions } from './redemptions.ts';
import { benchWaitingList } from './waiting-list.ts';
import { openBenchTarget, startPostgresCluster } from './targets.ts';
import { rssMb } from './harness.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const KINDS = ['postgres', 'pglite'] as const;

async function main() {
  const startedAt = Date.now();
  // centrale is measured as it runs in production: compiled (dist/main.js), without the TypeScript loader.
  execFileSync(process.execPath, [path.join(import.meta.dirname, '..', 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  log(`centrale bench — ${new Date().toISOString()} — node ${process.version}, ${process.env.BENCH_SECONDS ?? 3} s per figure, 10 connections / concurrent callers`);
  const cluster = await startPostgresCluster();
  const summary: string[] = [];
  const http: Partial<Record<(typeof KINDS)[number], CentraleHttpResult>> = {};
  try {
    for (const kind of KINDS) {
      log(`\n== ${kind}: over HTTP, each server in its own process (at ${Math.round((Date.now() - startedAt) / 1000)} s) ==`);
      const result = await benchCentraleHttp(kind, kind === 'postgres' ? cluster.url : 'memory://', log);
      http[kind] = result;

      log(`\n== ${kind}: in process (at ${Math.round((Date.now() - startedAt) / 1000)} s) ==`);
      const target = await openBenchTarget(kind, cluster);
      try {
        const wl = await benchWaitingList(target, log);
        summary.push(`waiting list centrale/raw SQL p50 time (${kind}): ${Object.entries(wl.ratios).map(([k, v]) => `${k}/page ${v.toFixed(2)}×`).join(', ')}`);
        const race = await benchRedemptions(target, log);
        summary.push(`racing redemptions (${kind}): ${race.row.perSecond.toFixed(0)}/s, ${race.conflicts} refused at zero balance, invariant held: ${race.invariantHeld}`);
        log(`bench process RSS after ${kind}: ${rssMb()} MB`);
      } finally {
        await target.close();
      }
      const r = result;
      const m = r.median;
      summary.push(
        `${kind}: bare ${r.bare.perSecond.toFixed(0)}/s; median round: insert ${m.insert.perSecond.toFixed(0)}/s, webhook ${m.webhook.perSecond.toFixed(0)}/s (p99 ${m.webhook.p99Ms.toFixed(1)} ms, end to end ${m.endToEndPerSecond.toFixed(0)}/s); web chat ${r.webChat.perSecond.toFixed(0)}/s (p99 ${r.webChat.p99Ms.toFixed(1)} ms), centrale RSS ${r.rssMb} MB`,
      );
    }
  } finally {
    await cluster.stop();
  }
  log('');
  for (const line of summary) log(line);
  log(`bench took ${Math.round((Date.now() - startedAt) / 1000)} s`);
  // Per round: Telegram updates handled end to end (never more than were answered) over INSERT
  // requests, measured right before; the median of the rounds.
  const ratio = (kind: (typeof KINDS)[number]) => http[kind]!.median.ratio.toFixed(2);
  log(`webhook/insert ratio: ${ratio('postgres')} (postgres), ${ratio('pglite')} (pglite)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
