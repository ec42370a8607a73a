// Refreshes test/setup/durations.json (the order test/setup/sequencer.ts runs files in) from the
// per-file log of a full run:
//   CENTRALE_TEST_CPU_LOG=/tmp/cpu.log npm test
//   node --import tsx test/setup/durations.ts /tmp/cpu.log
// Wall milliseconds, rounded: only their order matters, so a loaded machine still gives a useful table.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const logFile = process.argv[2];
if (!logFile) {
  console.error('usage: node --import tsx test/setup/durations.ts <CENTRALE_TEST_CPU_LOG file>');
  process.exit(2);
}

const table = join(import.meta.dirname, 'durations.json');
// Files the log does not cover (e.g. skipped on this machine) keep their earlier time, while they exist.
const durations: Record<string, number> = {};
try {
  for (const [key, ms] of Object.entries(JSON.parse(readFileSync(table, 'utf8')) as Record<string, number>)) {
    if (existsSync(join(root, key.slice(key.indexOf(':') + 1)))) durations[key] = ms;
  }
} catch {
  // no table yet
}
for (const line of readFileSync(logFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const entry = JSON.parse(line) as { project: string; file: string; wallMs: number };
  if (!entry.project) continue;
  durations[`${entry.project}:${relative(root, entry.file)}`] = Math.max(100, Math.round(entry.wallMs / 100) * 100);
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(table, `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`${Object.keys(sorted).length} files in test/setup/durations.json`);
