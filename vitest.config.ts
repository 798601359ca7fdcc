import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Teardowns run in reverse: services stop, then the cgroup check, then the process check.
    globalSetup: [
      'test/support/global-marker-check.ts',
      'test/support/global-environment.ts',
      'test/support/global-cgroup-check.ts',
      'test/support/global-services.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real processes and PTYs: two cores, keep the pool small so timings stay sane.
    maxWorkers: 2,
    // The plain summary for .ci/run comes from this file, not from scraping the console.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-results.json' }]],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
