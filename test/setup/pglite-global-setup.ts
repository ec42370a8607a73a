// vitest globalSetup of the `pglite` and `browser` projects: migrated (and seeded) PGlite data
// directories built once per run, handed to the tests as inject('dbTemplates').
// Both projects run their global setups in the same vitest process, but each loads this module
// anew: the one build is shared through globalThis, and removed when the last project is done.
import type { TestProject } from 'vitest/node';
import { buildPgliteTemplates } from './db-templates.ts';

type Built = Awaited<ReturnType<typeof buildPgliteTemplates>>;
interface Shared {
  build: Promise<Built>;
  users: number;
}
const KEY = Symbol.for('centrale.test.pgliteTemplates');
const store = globalThis as typeof globalThis & { [KEY]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (store[KEY] ??= { build: buildPgliteTemplates(), users: 0 });
  shared.users += 1;
  let built: Built;
  try {
    built = await shared.build;
  } catch (error) {
    // A failed build is not cached: the next run (watch mode) tries again.
    if (store[KEY] === shared) delete store[KEY];
    throw error;
  }
  project.provide('dbTemplates', built.templates);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    if (store[KEY] === shared) delete store[KEY];
    built.remove();
  };
}
