import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Real gpg, duplicity and OpenStack: generous, but bounded.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Tests share one real Keystone/Swift and gpg-agents; files run in parallel on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
