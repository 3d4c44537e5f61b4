// The restore wizard's browse step on a backup of 100 000 small files: time until the first listing
// can be shown (list-current-files streamed into our index, then the first filtered screen), against
// plain `duplicity list-current-files` alone (to /dev/null), in the same run, interleaved; plus the
// peak memory (max RSS) of our process while browsing and of duplicity itself. Medians; JSON on stdout.
//
// Usage: node bench/restore-browse.mjs [runs]   (file:// backend; no stack needed)
// Env: DUPLISWIFT_BENCH_BROWSE (folder for the data set and its backup, kept between runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 5);
const FILES = 100_000;
const base = process.env.DUPLISWIFT_BENCH_BROWSE ?? '/var/tmp/dupliswift-bench-browse';
const log = (line) => process.stderr.write(`[restore-browse] ${line}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', PASSPHRASE: '', SIGN_PASSPHRASE: '' };

/** 100 000 files of ~40 bytes in 1 000 folders, backed up once (unencrypted: the bench is about listing). */
function ensureBackup() {
  const data = join(base, 'data');
  const url = `file://${join(base, 'backup')}`;
  const marker = join(base, `.complete-${FILES}`);
  if (existsSync(marker)) return { url };
  rmSync(base, { recursive: true, force: true });
  log(`making ${FILES} files and a full backup (once; kept in ${base})`);
  for (let d = 0; d < FILES / 100; d++) {
    const dir = join(data, `dir-${String(d).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, `file-${d * 100 + f}.txt`), `content of file ${d * 100 + f}\n`);
  }
  const started = Date.now();
  execFileSync('duplicity', ['full', '--no-encryption', '--archive-dir', join(base, 'cache-make'), data, url], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`backup made in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  writeFileSync(marker, '');
  return { url };
}

/** Our restore core, bundled on the fly, with a tiny driver that times the browse step in its own process. */
async function buildDriver() {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'dsw-bench-browse-'));
  const out = join(dir, 'driver.mjs');
  await build({
    stdin: {
      contents: `
        import { listFiles } from './src/core/restore/listing.ts';
        const [url, archiveDir] = process.argv.slice(2);
        const source = { location: { kind: 'url', url }, gnupgHome: '/nonexistent', encryptPassphrase: '', signPassphrase: '', archiveDir };
        const started = performance.now();
        const index = await listFiles(source);
        const listed = performance.now();
        const first = index.filter('', 200);
        const firstScreen = performance.now();
        const narrowed = index.filter('dir-0042 file-42', 200);
        const filtered = performance.now();
        process.stdout.write(JSON.stringify({
          entries: index.size, firstScreenMs: firstScreen - started, listMs: listed - started,
          firstScreenEntries: first.entries.length, filterMs: filtered - firstScreen, filterMatches: narrowed.total,
          maxRssKiB: process.resourceUsage().maxRSS,
        }));
      `,
      resolveDir: root, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error',
  });
  return { out, dir };
}

/** Runs a command under /usr/bin/time to get its max RSS; returns wall ms, max RSS (KiB) and stdout. */
function timed(cmd, args) {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const rss = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rss, stdout: r.stdout };
}

const { url } = ensureBackup();
const { out: driver, dir: driverDir } = await buildDriver();
// One warm cache for both, synced once: both read the same local signatures, neither pays a download.
const cache = join(base, 'cache-bench');
execFileSync('duplicity', ['list-current-files', '--archive-dir', cache, url], { env, stdio: ['ignore', 'ignore', 'ignore'] });

const peer = [];
const ours = [];
for (let i = 0; i < runs; i++) {
  const p = timed('duplicity', ['list-current-files', '--archive-dir', cache, url]);
  peer.push({ ms: p.ms, rss: p.rss, lines: p.stdout.split('\n').length - 1 });
  const o = timed(process.execPath, [driver, url, cache]);
  const m = JSON.parse(o.stdout);
  // The driver's own clock starts after Node's start-up; the wall time includes it, as a person waits for it.
  ours.push({ ...m, wallMs: o.ms, treeRssKiB: o.rss });
  log(`run ${i + 1}/${runs}: duplicity alone ${p.ms.toFixed(0)} ms, ours first screen ${m.firstScreenMs.toFixed(0)} ms (process ${o.ms.toFixed(0)} ms)`);
}
rmSync(driverDir, { recursive: true, force: true });

const result = {
  bench: 'restore-browse',
  files: FILES,
  backend: 'file://',
  duplicity: execFileSync('duplicity', ['--version'], { env, encoding: 'utf8' }).trim(),
  node: process.version,
  runs,
  peer: {
    what: 'duplicity list-current-files > /dev/null',
    medianMs: round(median(peer.map((r) => r.ms)), 0),
    linesListed: peer[0].lines,
    duplicityMaxRssMiB: round(median(peer.map((r) => r.rss)) / 1024, 1),
  },
  ours: {
    what: 'browse step: list-current-files --log-fd streamed into the index, then the first screen (200 entries)',
    medianFirstScreenMs: round(median(ours.map((r) => r.firstScreenMs)), 0),
    medianProcessWallMs: round(median(ours.map((r) => r.wallMs)), 0),
    entriesIndexed: ours[0].entries,
    medianFilterMs: round(median(ours.map((r) => r.filterMs)), 2),
    filterMatches: ours[0].filterMatches,
    nodeMaxRssMiB: round(median(ours.map((r) => r.maxRssKiB)) / 1024, 1),
  },
};
result.ratio = round(result.ours.medianFirstScreenMs / result.peer.medianMs, 3);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
