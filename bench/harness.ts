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

export async function measure(
  name: string,
  op: (i: number) => Promise<unknown>,
  options: { seconds?: number; concurrency?: number; warmup?: number } = {},
): Promise<Measurement> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 3);
  const concurrency = options.concurrency ?? 10;
  for (let i = 0; i < (options.warmup ?? 50); i++) await op(i);
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
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { name, ops: latencies.length, perSecond: latencies.length / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

export function formatRow(m: Measurement): string {
  return `${m.name.padEnd(58)} ${m.perSecond.toFixed(0).padStart(8)} req/s   p50 ${m.p50Ms.toFixed(2).padStart(7)} ms   p99 ${m.p99Ms.toFixed(2).padStart(7)} ms`;
}

export function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}
