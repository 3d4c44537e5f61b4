// One bundled file: start-up cost is dominated by module resolution and file reads, not parsing.
// openpgp and the keyring stay outside the bundle (loaded from node_modules only by the step that
// needs them); Ink's optional devtools import is aliased to an empty stub.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/dupliswift.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['openpgp', '@github/keytar', 'ajv', 'yaml'],
  alias: { 'react-devtools-core': './scripts/stubs/react-devtools-core.js' },
  define: { 'process.env.NODE_ENV': '"production"', DUPLISWIFT_VERSION: JSON.stringify(process.env.npm_package_version ?? (await import(root + 'package.json', { with: { type: 'json' } })).default.version) },
  // Bundled CommonJS (react, signal-exit…) calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __dsCreateRequire } from 'node:module'; const require = __dsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
