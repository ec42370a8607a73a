// vitest setupFile of every project: with CENTRALE_TEST_CPU_LOG=<file>, appends one JSON line per
// test file with the CPU time its worker process spent on it (user + system, milliseconds) and its
// wall time. Wall times on a shared machine depend on the load; CPU times much less, so they are
// what to compare when tuning the suite. Without the variable it does nothing.
import { appendFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const target = process.env.CENTRALE_TEST_CPU_LOG;
if (target) {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  afterAll(() => {
    const cpu = process.cpuUsage(cpuStart);
    const file = expect.getState().testPath ?? 'unknown';
    const line = { project: process.env.CENTRALE_TEST_PROJECT ?? '', file, cpuMs: Math.round((cpu.user + cpu.system) / 1000), wallMs: Math.round(performance.now() - wallStart) };
    appendFileSync(target, `${JSON.stringify(line)}\n`);
  });
}
