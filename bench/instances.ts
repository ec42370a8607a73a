/**
 * One centrale instance against two on the same PostgreSQL: Telegram webhooks split between them
 * (as a load balancer would), 10 connections in all, and the updates handled end to end.
 *
 *   node --import tsx bench/instances.ts   (after npm run build: the instances run dist/main.js)
 *
 * Each instance takes at once the updates it stored, so two share the turns; on a machine with
 * few cores they share the cores with PostgreSQL and the load too, and the figure says how much
 * a second instance gives there.
 */
import { performance } from 'node:perf_hooks';
import { startFakeTelegram } from '../test/helpers/fake-telegram.ts';
import { centraleEnv, freePort, handledCounter, startCentrale, waitUntilHandled, webhookCall } from './centrale-http.ts';
import { measureHttp } from './http-load.ts';
import type { BenchProcess } from './processes.ts';
import { startPostgresCluster } from './targets.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function endToEnd(instances: number): Promise<{ answered: number; handledPerSecond: number }> {
  // A cluster of its own each time: the second figure does not pay for the first one's rows.
  const cluster = await startPostgresCluster();
  const fake = await startFakeTelegram('123456:bench-token');
  const processes: BenchProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) processes.push(await startCentrale(centraleEnv(await freePort(), cluster.url, fake.apiRoot)));
    const handledCount = await handledCounter(processes[0]!.url);
    // Every request carries the next update, whichever instance it goes to (as behind a load
    // balancer): each chat's updates reach every instance. The numbers go on from the warm-up to
    // the window, so no update is ever sent twice.
    let sent = 0;
    const load = (options: { seconds?: number; warmupSeconds?: number }) =>
      Promise.all(processes.map((p, i) => measureHttp(`webhook, instance ${i + 1} of ${instances}`, p.url, () => webhookCall(sent++), { connections: 10 / instances, ...options })));
    // The warm-up's updates are all handled before the window opens: the figure is that of warm
    // instances, and counts only the window's updates.
    const warmBefore = await handledCount();
    const warmStarted = performance.now();
    const warm = await load({ seconds: 0 });
    await waitUntilHandled(handledCount, warmBefore, warm.reduce((sum, r) => sum + r.warmupAnswered, 0), warmStarted);
    const before = await handledCount();
    const started = performance.now();
    const runs = await load({ warmupSeconds: 0 });
    const stored = runs.reduce((sum, r) => sum + r.ops, 0);
    const { perSecond } = await waitUntilHandled(handledCount, before, stored, started);
    return { answered: runs.reduce((sum, r) => sum + r.perSecond, 0), handledPerSecond: perSecond };
  } finally {
    for (const p of processes) await p.stop();
    await fake.close();
    await cluster.stop();
  }
}

const one = await endToEnd(1);
log(`one instance:  webhooks answered ${one.answered.toFixed(0)}/s, handled end to end ${one.handledPerSecond.toFixed(0)}/s`);
const two = await endToEnd(2);
log(`two instances: webhooks answered ${two.answered.toFixed(0)}/s, handled end to end ${two.handledPerSecond.toFixed(0)}/s`);
log(`two/one end to end: ${(two.handledPerSecond / one.handledPerSecond).toFixed(2)}`);
