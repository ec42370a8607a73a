// Order of the test files of one `npm test`: project by project, longest first within each.
// vitest's own order, without a cache of earlier runs (a fresh CI clone), puts the biggest files
// first: the 17-line fuzz.postgres.test.ts (minutes of work) then starts last and runs alone on
// one core at the end. Here it starts first, and the short unit files come last, so the two
// workers finish close together.
// Known durations come from test/setup/durations.json (wall milliseconds per "project:file";
// test/setup/durations.ts refreshes it from a run with CENTRALE_TEST_CPU_LOG), then from vitest's
// cache of earlier local runs, then from a rough guess per kind of file.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const durationsFile = new URL('./durations.json', import.meta.url);

function committedDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(durationsFile, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** A guess for a file nobody has timed yet: unit files are quick, integration files pay for a database and the app, browser files also for Chromium. */
function guess(project: string, file: string): number {
  if (project === 'unit') return 1_000;
  if (file.endsWith('.postgres.test.ts')) return 40_000;
  if (project === 'browser') return 30_000;
  return 10_000;
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = committedDurations();
    const root = this.ctx.config.root;
    const cost = new Map<TestSpecification, number>();
    const failed = new Set<TestSpecification>();
    for (const spec of files) {
      const project = spec.project.name;
      const file = relative(root, spec.moduleId);
      const key = `${project}:${file}`;
      const cached = this.ctx.cache.getFileTestResults(key);
      if (cached?.failed) failed.add(spec);
      cost.set(spec, known[key] ?? cached?.duration ?? guess(project, file));
    }
    // Files that failed last time locally first (as vitest does), then longest first; stable for equal costs.
    const byCost = (a: TestSpecification, b: TestSpecification) =>
      Number(failed.has(b)) - Number(failed.has(a)) ||
      cost.get(b)! - cost.get(a)! ||
      (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0);
    // Files of one project run one after the other: the integration projects do not isolate files
    // (vitest.config.ts), and vitest reuses a worker, with its loaded modules, only when the next
    // file in line belongs to the same project. Projects come in the order of their longest file,
    // so the longest file of all still starts first and the quick unit files even out the end.
    const projects = new Map<string, TestSpecification[]>();
    for (const spec of [...files].sort(byCost)) {
      const list = projects.get(spec.project.name) ?? [];
      list.push(spec);
      projects.set(spec.project.name, list);
    }
    const longest = (list: TestSpecification[]) => (failed.has(list[0]!) ? Number.POSITIVE_INFINITY : cost.get(list[0]!)!);
    return [...projects.entries()]
      .sort(([a, x], [b, y]) => (a === 'unit' ? 1 : 0) - (b === 'unit' ? 1 : 0) || longest(y) - longest(x) || (a < b ? -1 : 1))
      .flatMap(([, list]) => list);
  }
}
