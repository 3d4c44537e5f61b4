// One bundled file: start-up cost is dominated by module resolution and file reads, not parsing.
// The big libraries a step loads on demand (openpgp, zxcvbn's word lists, ajv, yaml) are bundled
// too, each into a file of its own in dist/vendor/ that the main bundle imports only when that step
// runs; so an install needs no npm package at run time but the keyring's native module, and
// start-up never reads them. Ink's optional devtools import is aliased to an empty stub.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Bare specifier -> the vendor file the main bundle imports lazily (relative to dist/dupliswift.js).
const VENDOR_ESM = { openpgp: 'openpgp', yaml: 'yaml', '@zxcvbn-ts/core': 'zxcvbn-core', '@zxcvbn-ts/language-common': 'zxcvbn-common' };
// What our code takes from the CommonJS-built ones (openpgp is ESM: all of it is re-exported).
const VENDOR_NAMES = {
  yaml: ['parse'],
  '@zxcvbn-ts/core': ['ZxcvbnFactory'],
  '@zxcvbn-ts/language-common': ['dictionary', 'adjacencyGraphs'],
};
const vendorImports = {
  name: 'vendor-imports',
  setup(b) {
    b.onResolve({ filter: /^(openpgp|yaml|@zxcvbn-ts\/core|@zxcvbn-ts\/language-common)$/ }, (args) => ({ path: `./vendor/${VENDOR_ESM[args.path]}.js`, external: true }));
  },
};
const vendorCommon = { absWorkingDir: root, bundle: true, mainFields: ['module', 'main'], platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'warning' };
await Promise.all([
  ...Object.entries(VENDOR_ESM).map(([pkg, file]) => build({
    ...vendorCommon, format: 'esm', outfile: `dist/vendor/${file}.js`,
    // Named re-exports through a namespace: `export *` from a CommonJS build (yaml's) exports nothing.
    stdin: {
      contents: VENDOR_NAMES[pkg]
        ? `import * as m from ${JSON.stringify(pkg)};\n${VENDOR_NAMES[pkg].map((n) => `export const ${n} = m.${n};`).join('\n')}`
        : `export * from ${JSON.stringify(pkg)};`,
      resolveDir: root, loader: 'js',
    },
    banner: { js: "import { createRequire as __dsCreateRequire } from 'node:module'; const require = __dsCreateRequire(import.meta.url);" },
  })),
  // ajv (the answers validator) and cron-parser are require()d synchronously: CommonJS files (src/core/vendor.ts).
  ...['ajv', 'cron-parser'].map((pkg) => build({ ...vendorCommon, format: 'cjs', outfile: `dist/vendor/${pkg}.cjs`, stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: root, loader: 'js' } })),
]);

const result = await build({
  plugins: [vendorImports],
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
  // The keyring's native module cannot be bundled: it is the one runtime dependency.
  external: ['@github/keytar'],
  // Ink's devtools (and their websocket client) load only with DEV=true: never in a shipped CLI.
  alias: { 'react-devtools-core': './scripts/stubs/react-devtools-core.js', ws: './scripts/stubs/react-devtools-core.js' },
  minify: true,
  define: { DUPLISWIFT_BUNDLED: 'true', 'process.env.NODE_ENV': '"production"', DUPLISWIFT_VERSION: JSON.stringify(process.env.npm_package_version ?? (await import(root + 'package.json', { with: { type: 'json' } })).default.version) },
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
