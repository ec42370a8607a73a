/**
 * `npm run bench`: starts what it needs (in-memory PGlite and a throwaway PostgreSQL cluster)
 * and prints figures measured side by side in one run. BENCH_SECONDS sets the time per figure.
 */
import { benchWaitingList } from './waiting-list.ts';
import { openBenchTarget, startPostgresCluster } from './targets.ts';
import { rssMb } from './harness.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  log(`centrale bench — ${new Date().toISOString()} — node ${process.version}, ${process.env.BENCH_SECONDS ?? 3} s per figure, 10 concurrent callers`);
  const cluster = await startPostgresCluster();
  const summary: string[] = [];
  try {
    for (const kind of ['postgres', 'pglite'] as const) {
      const target = await openBenchTarget(kind, cluster);
      try {
        log(`\n== ${kind} ==`);
        const wl = await benchWaitingList(target, log);
        summary.push(
          `waiting list centrale/raw SQL p50 time (${kind}): ${Object.entries(wl.ratios)
            .map(([k, v]) => `${k}/page ${v.toFixed(2)}×`)
            .join(', ')}`,
        );
        log(`process RSS after ${kind}: ${rssMb()} MB`);
      } finally {
        await target.close();
      }
    }
  } finally {
    await cluster.stop();
  }
  log('');
  for (const line of summary) log(line);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
