/**
 * HTTP load from the bench process to a server in another process, over real sockets: a fixed
 * number of keep-alive connections, each sending its next request as soon as the previous one is
 * answered, for a fixed time after a warm-up. Every answer that is not the expected status is
 * counted, so a fast error never passes for a fast success.
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
  options: { seconds?: number; connections?: number; warmup?: number; expect?: number } = {},
): Promise<HttpMeasurement> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 3);
  const connections = options.connections ?? 10;
  const expect = options.expect ?? 200;
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let counter = 0;
  let failures = 0;
  try {
    let warmupAnswered = 0;
    for (let i = 0; i < (options.warmup ?? 50); i++) if ((await send(agent, base, build(counter++)).catch(() => 0)) === expect) warmupAnswered++;
    failures = 0;
    const latencies: number[] = [];
    const started = performance.now();
    const deadline = started + seconds * 1000;
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
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
    return { name, ops: latencies.length, perSecond: latencies.length / elapsed, p50Ms: pct(0.5), p99Ms: pct(0.99), failures, seconds: elapsed, warmupAnswered };
  } finally {
    agent.destroy();
  }
}
