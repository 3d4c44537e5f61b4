// One bundled file: start-up cost is dominated by module resolution and file reads, not parsing.
// openpgp and the keyring stay outside the bundle (loaded from node_modules only by the step that
// needs them); Ink's optional devtools import is aliased to an empty stub.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const result = await build({
  metafile: Boolean(process.env.ANALYZE),
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/dupliswift.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  // The backup job's bash lives in real .sh files (shellcheck reads them); the bundle carries them as text.
  loader: { '.sh': 'text' },
  external: ['openpgp', '@github/keytar', 'ajv', 'yaml', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common'],
  // Ink's devtools (and their websocket client) load only with DEV=true: never in a shipped CLI.
  alias: { 'react-devtools-core': './scripts/stubs/react-devtools-core.js', ws: './scripts/stubs/react-devtools-core.js' },
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"', DUPLISWIFT_VERSION: JSON.stringify(process.env.npm_package_version ?? (await import(root + 'package.json', { with: { type: 'json' } })).default.version) },
  // Bundled CommonJS (react, signal-exit…) calls require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __dsCreateRequire } from 'node:module'; const require = __dsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

if (process.env.ANALYZE) {
  // ANALYZE=1 npm run build: which packages the bundle's bytes come from.
  const byPackage = {};
  for (const [file, info] of Object.entries(result.metafile.outputs['dist/dupliswift.js'].inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'src';
    byPackage[name] = (byPackage[name] ?? 0) + info.bytesInOutput;
  }
  for (const [name, bytes] of Object.entries(byPackage).sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${name}`);
  }
}
