import { defineConfig } from 'vitest/config';

/** The browser tests of the web console (`npm run test:e2e`): real Chromium, real server, scripted model. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
