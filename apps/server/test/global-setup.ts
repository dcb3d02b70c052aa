/**
 * Vitest global set-up: one throwaway PostgreSQL cluster for the whole run, shared by the
 * repository tests (each test file makes its own database in it). Without PostgreSQL
 * installed, the PostgreSQL half of those tests skips and says so.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBinaries, startPostgresCluster } from './postgres-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    postgresMissing: string;
  }
}

export default function setup(project: TestProject): () => void {
  if (process.env['PATCHGATE_TEST_POSTGRES'] === 'off' || findPostgresBinaries() === undefined) {
    project.provide('postgresUrl', null);
    project.provide(
      'postgresMissing',
      process.env['PATCHGATE_TEST_POSTGRES'] === 'off'
        ? 'PATCHGATE_TEST_POSTGRES=off'
        : 'PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)',
    );
    return () => undefined;
  }
  const cluster = startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  project.provide('postgresMissing', '');
  return () => cluster.stop();
}
