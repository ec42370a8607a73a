// vitest globalSetup of the `postgres` project: one throwaway PostgreSQL cluster for the whole run,
// its admin URL handed to the tests as inject('postgresUrl'), and migrated (and seeded) template
// databases as inject('dbTemplates').
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from '../helpers/postgres-cluster.ts';
import { buildPostgresTemplates } from './db-templates.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** admin URL of the test cluster; '' when CENTRALE_SKIP_POSTGRES=1 (tests skip themselves) */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.CENTRALE_SKIP_POSTGRES === '1') {
    // An explicit opt-out only: missing binaries without it fail the run (startPostgresCluster
    // throws with the install command), so a CI box without PostgreSQL cannot go green silently.
    console.warn('[postgres] CENTRALE_SKIP_POSTGRES=1: no PostgreSQL cluster started; its tests will be skipped.');
    project.provide('postgresUrl', '');
    project.provide('dbTemplates', null);
    return async () => {};
  }
  // One line per run is enough; the server's own output stays in the log file in the cluster directory.
  const cluster = await startPostgresCluster({ log: (line) => console.info(`[postgres] ${line}`) });
  project.provide('postgresUrl', cluster.url);
  try {
    project.provide('dbTemplates', await buildPostgresTemplates(cluster.url));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return () => cluster.stop();
}
