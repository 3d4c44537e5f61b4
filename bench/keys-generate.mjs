#!/usr/bin/env node
// Bench: dupliswift's "new keys" job (two keys generated in-process by openpgp.js, imported into a
// fresh GnuPG home, trusted ultimately, self-tested) against its peer, `gpg --batch --quick-gen-key`
// making ONE key of the same algorithm in a fresh home. Same run, interleaved, medians.
// Usage: node bench/keys-generate.mjs [runs=5]   (JSON on stdout)
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 5);

// Our code is TypeScript: bundle the one entry point the bench needs (openpgp stays external, as in the CLI).
const outDir = join(root, 'node_modules', '.cache', 'dupliswift-bench');
mkdirSync(outDir, { recursive: true });
const entry = join(outDir, `provision-${process.pid}.mjs`);
await build({
  stdin: { contents: "export { provisionNewKeys } from './src/core/keys/provision.ts';", resolveDir: root, loader: 'ts' },
  outfile: entry, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['openpgp'], logLevel: 'warning',
  banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
});
const { provisionNewKeys } = await import(pathToFileURL(entry).href);

const killAgent = (home) => spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home } });
const freshHome = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ds-bench-'));
  const home = join(dir, 'gnupg');
  mkdirSync(home, { mode: 0o700 });
  return { dir, home };
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function ours(algorithm) {
  const { dir, home } = freshHome();
  const t = performance.now();
  await provisionNewKeys(home, { name: 'Bench', email: 'bench@example.org', algorithm, encryptPassphrase: 'bench encrypt passphrase', signPassphrase: 'bench sign passphrase' });
  const ms = performance.now() - t;
  killAgent(home);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

function gpgPeer(algorithm) {
  const { dir, home } = freshHome();
  // future-default = ed25519 primary + cv25519 subkey: the same shape as one of our Curve25519 keys.
  const algo = algorithm === 'rsa4096' ? 'rsa4096' : 'future-default';
  const t = performance.now();
  const r = spawnSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--quick-gen-key', 'Bench Peer <peer@example.org>', algo, 'default', 'never'],
    { input: 'bench peer passphrase\n', env: { ...process.env, GNUPGHOME: home } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`gpg --quick-gen-key failed: ${r.stderr}`);
  killAgent(home);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const results = {};
for (const algorithm of ['curve25519', 'rsa4096']) {
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, alternating who goes first, so load changes hit both sides alike.
    if (i % 2 === 0) { a.push(await ours(algorithm)); b.push(gpgPeer(algorithm)); } else { b.push(gpgPeer(algorithm)); a.push(await ours(algorithm)); }
  }
  results[algorithm] = {
    dupliswiftTwoKeysMs: { median: Math.round(median(a)), runs: a.map(Math.round) },
    gpgQuickGenKeyOneKeyMs: { median: Math.round(median(b)), runs: b.map(Math.round) },
    speedup: Number((median(b) / median(a)).toFixed(2)),
    goalMet: median(a) < median(b),
  };
}
rmSync(entry, { force: true });
process.stdout.write(`${JSON.stringify({
  bench: 'keys-generate',
  what: 'dupliswift: 2 keys generated (openpgp.js) + imported + ultimately trusted + self-tested (sign/encrypt/decrypt/verify), fresh GNUPGHOME; peer: gpg --batch --quick-gen-key, 1 key, fresh GNUPGHOME',
  runs,
  node: process.version,
  gpg: execFileSync('gpg', ['--version']).toString().split('\n')[0],
  cpus: cpus().length,
  loadavgAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
  results,
}, null, 2)}\n`);
