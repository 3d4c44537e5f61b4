import { readFile } from 'node:fs/promises';
import { defineConfig, type Plugin } from 'vitest/config';

/** `import text from './x.sh'` as the bundle does it (esbuild's text loader). */
const shellText: Plugin = {
  name: 'shell-text',
  async load(id) {
    if (!id.endsWith('.sh')) return null;
    return `export default ${JSON.stringify(await readFile(id, 'utf8'))};`;
  },
};

export default defineConfig({
  plugins: [shellText],
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
