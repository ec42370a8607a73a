// vitest globalSetup of the `pglite` and `browser` projects: migrated (and seeded) PGlite data
// directories built once, handed to the tests as inject('dbTemplates').
import type { TestProject } from 'vitest/node';
import { buildPgliteTemplates } from './db-templates.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { templates, remove } = await buildPgliteTemplates();
  project.provide('dbTemplates', templates);
  return async () => remove();
}
