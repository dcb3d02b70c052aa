import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    // Vitest's default in run mode is availableParallelism − 1: one worker on a 2-core machine,
    // although most files wait on processes, apt and PostgreSQL. Two workers halve the wall
    // time here (813 s → 436 s for the same 4,349 tests, 2026-12-06).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['apps/server/test/global-setup.ts'],
  },
});
