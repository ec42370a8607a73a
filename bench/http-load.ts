/**
 * HTTP load from the bench process to a server in another process, over real sockets: a fixed
 * number of keep-alive connections, each sending its next request as soon as the previous one is
 * answered, for a fixed time after a warm-up under the same load. Every answer that is not the
 * expected status is counted, so a fast error never passes for a fast success.
 *
 * The warm-up is what makes the figures those of a running server, not of one just started: V8
 * optimises a function only after many calls, and compiles it on a background thread that takes
 * a core the server, PostgreSQL and the load share. A freshly started centrale (a lot of code on
 * its path) cost twice the CPU per update of one that had run for ten seconds, and about a third
 * of the CPU samples in its first seconds were the compiler's; the few lines of a baseline route
 * settle far sooner.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Measurement } from './harness.ts';

export interface HttpCall {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpMeasurement extends Measurement {
  /** Answers whose status was not the expected one (they are not counted in ops). */
  failures: number;
  /** Wall time of the measured window, seconds. */
  seconds: number;
  /** Warm-up requests answered with the expected status (sent before the window, not in ops). */
  warmupAnswered: number;
}

/** Seconds of load before each measured window (BENCH_WARMUP_SECONDS, default 5). */
export const warmupSeconds = () => Number(process.env.BENCH_WARMUP_SECONDS ?? 5);

function send(agent: http.Agent, base: URL, call: HttpCall): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: call.method, path: call.path, headers: { ...(call.body ? { 'content-length': Buffer.byteLength(call.body) } : {}), ...call.headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

export async function measureHttp(
  name: string,
  baseUrl: string,
  build: (n: number) => HttpCall,
  options: {
    seconds?: number;
    connections?: number;
    warmupSeconds?: number;
    expect?: number;
    /** Runs between the warm-up and the measured window, e.g. to let work the warm-up queued finish. */
    afterWarmup?: (answered: number) => Promise<void>;
  } = {},
): Promise<HttpMeasurement> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 3);
  const connections = options.connections ?? 10;
  const expect = options.expect ?? 200;
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let counter = 0;
  /** Every connection sends for `forSeconds`; the latency of each expected answer, and the failures. */
  const load = async (forSeconds: number) => {
    const latencies: number[] = [];
    let failures = 0;
    const started = performance.now();
    const deadline = started + forSeconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          // A reset connection is a failure to report, not a reason to abandon the run.
          const status = await send(agent, base, build(counter++)).catch(() => 0);
          if (status === expect) latencies.push(performance.now() - t0);
          else failures++;
        }
      }),
    );
    return { latencies, failures, elapsed: (performance.now() - started) / 1000 };
  };
  try {
    const warm = await load(options.warmupSeconds ?? warmupSeconds());
    await options.afterWarmup?.(warm.latencies.length);
    const { latencies, failures, elapsed } = await load(seconds);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return { name, ops: latencies.length, perSecond: latencies.length / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99), failures, seconds: elapsed, warmupAnswered: warm.latencies.length };
  } finally {
    agent.destroy();
  }
}
