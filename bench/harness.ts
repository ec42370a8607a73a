/**
 * Tiny measuring harness for `npm run bench`: runs an async operation for a fixed time with a
 * fixed number of concurrent callers, after a warm-up, and reports throughput and latency
 * percentiles. Benchmarks compare figures measured side by side in one run; nothing here is
 * an assertion.
 */
import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  ops: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

type Op = (i: number) => Promise<unknown>;

/** Runs `op` from `concurrency` callers until `seconds` have passed; the latency of every call. */
async function load(op: Op, seconds: number, concurrency: number): Promise<{ latencies: number[]; elapsed: number }> {
  const latencies: number[] = [];
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await op(counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, elapsed: (performance.now() - started) / 1000 };
}

function summarise(name: string, latencies: number[], elapsed: number): Measurement {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { name, ops: latencies.length, perSecond: latencies.length / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

export async function measure(name: string, op: Op, options: { seconds?: number; concurrency?: number; warmup?: number } = {}): Promise<Measurement> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 3);
  for (let i = 0; i < (options.warmup ?? 50); i++) await op(i);
  const { latencies, elapsed } = await load(op, seconds, options.concurrency ?? 10);
  return summarise(name, latencies, elapsed);
}

/**
 * Two operations compared side by side: each is first run under load for `warmupSeconds` (so that
 * both are measured with their code optimised by the JIT: a route through the whole app was still
 * getting cheaper after one second, a bare driver call long before),
 * then they take turns in `rounds` short runs (a b, b a, a b…) adding up to `seconds` each, so
 * that a slower or faster spell of the machine falls on both. Latencies are pooled over the rounds.
 */
export async function measureSideBySide(
  a: { name: string; op: Op },
  b: { name: string; op: Op },
  options: { seconds?: number; rounds?: number; warmupSeconds?: number; concurrency?: number } = {},
): Promise<[Measurement, Measurement]> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 3);
  const rounds = options.rounds ?? 3;
  const concurrency = options.concurrency ?? 10;
  // 2 s: past the second in which the whole-app route was still getting cheaper, and the bench
  // stays under five minutes on a slow spell of the machine.
  const warmup = options.warmupSeconds ?? 2;
  for (const side of [a, b]) await load(side.op, warmup, concurrency);
  const pooled = [a, b].map(() => ({ latencies: [] as number[], elapsed: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const run = await load([a, b][index]!.op, seconds / rounds, concurrency);
      pooled[index]!.latencies.push(...run.latencies);
      pooled[index]!.elapsed += run.elapsed;
    }
  }
  return [summarise(a.name, pooled[0]!.latencies, pooled[0]!.elapsed), summarise(b.name, pooled[1]!.latencies, pooled[1]!.elapsed)];
}

export function formatRow(m: Measurement): string {
  return `${m.name.padEnd(58)} ${m.perSecond.toFixed(0).padStart(8)} req/s   p50 ${m.p50Ms.toFixed(2).padStart(7)} ms   p99 ${m.p99Ms.toFixed(2).padStart(7)} ms`;
}

export function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}
