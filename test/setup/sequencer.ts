// Order of the test files of one `npm test`: longest first, across all projects.
// vitest's own order runs the projects one after the other and, without a cache of earlier runs
// (a fresh CI clone), the biggest files first: the 17-line fuzz.postgres.test.ts (minutes of
// work) then starts last and runs alone on one core at the end. Two workers taking the longest
// remaining file first finish close together instead.
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
    // Files that failed last time locally first (as vitest does); stable for equal costs.
    return [...files].sort(
      (a, b) =>
        Number(failed.has(b)) - Number(failed.has(a)) ||
        cost.get(b)! - cost.get(a)! ||
        (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0) ||
        (a.project.name < b.project.name ? -1 : 1),
    );
  }
}
