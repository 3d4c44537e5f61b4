// The backup job's generated duplicity flags against the tutorial's (`--volsize 10`, plus
// `--asynchronous-upload` on versions that have it), backing up the same ~200 MB mixed data set
// (compressible text and random bytes, many small files and some large ones) to the loopback Swift,
// in the same run, interleaved. Per config: wall time, Swift requests (counted in the proxy's log),
// peak memory (max RSS of duplicity or its gpg, from /usr/bin/time -v). Medians; JSON on stdout.
//
// Usage: node bench/backup-defaults.mjs [runs-per-config]   (root; starts the stack if needed)
// Env: DUPLISWIFT_BENCH_DATA (data set folder, kept between runs), DUPLISWIFT_STACK_DIR.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const stackDir = process.env.DUPLISWIFT_STACK_DIR ?? '/var/tmp/dupliswift-stack';
const dataDir = process.env.DUPLISWIFT_BENCH_DATA ?? '/var/tmp/dupliswift-bench-data';
const log = (line) => process.stderr.write(`[backup-defaults] ${line}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Our own flag code, bundled on the fly: the bench measures exactly what the script generator emits. */
async function loadCore() {
  const { build } = await import('esbuild');
  const out = join(mkdtempSync(join(tmpdir(), 'dsw-bench-')), 'core.mjs');
  process.on('exit', () => rmSync(dirname(out), { recursive: true, force: true }));
  await build({
    stdin: {
      contents: `export * from './src/core/duplicity/flags.ts'; export * from './src/core/duplicity/version.ts'; export * from './src/core/openstack/duplicity-env.ts';`,
      resolveDir: root, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error',
  });
  return import(pathToFileURL(out).href);
}

/** ~200 MB: half compressible text, half random; 4000 small files and 7 large ones. Made once. */
function ensureDataSet() {
  const marker = join(dataDir, '.complete-v1');
  if (existsSync(marker)) return;
  log(`generating the data set in ${dataDir}`);
  rmSync(dataDir, { recursive: true, force: true });
  const words = 'backup swift keystone duplicity volume signature manifest archive restore incremental chain container object encrypt sign passphrase cron schedule retention'.split(' ');
  const text = (n) => {
    const parts = [];
    let size = 0;
    while (size < n) {
      const line = `${Array.from({ length: 12 }, () => words[Math.floor(Math.random() * words.length)]).join(' ')} ${Math.floor(Math.random() * 1e6)}\n`;
      parts.push(line);
      size += line.length;
    }
    return parts.join('').slice(0, n);
  };
  for (let d = 0; d < 40; d++) {
    const dir = join(dataDir, 'small', `dir${String(d).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 75; f++) writeFileSync(join(dir, `note${f}.txt`), text(4096 + Math.floor(Math.random() * 16384)));
    for (let f = 0; f < 25; f++) writeFileSync(join(dir, `blob${f}.bin`), randomBytes(2048 + Math.floor(Math.random() * 14336)));
  }
  mkdirSync(join(dataDir, 'large'), { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(dataDir, 'large', `log${i}.txt`), text(24 << 20));
  for (let i = 0; i < 4; i++) writeFileSync(join(dataDir, 'large', `image${i}.bin`), randomBytes(22 << 20));
  writeFileSync(marker, 'ok\n');
}

function dataStats(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.complete')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else { files++; bytes += statSync(p).size; }
    }
  };
  walk(dir);
  return { bytes, files };
}

function stackEnv() {
  const out = execFileSync('bash', [join(root, 'scripts/stack/up.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Object.fromEntries([...out.matchAll(/^export (OS_\w+)=(.*)$/gm)].map((m) => [m[1], m[2].replace(/^'(.*)'$/, '$1')]));
}

function gpgKeys() {
  const home = mkdtempSync(join(tmpdir(), 'dsw-bench-gnupg-'));
  const gpg = (args, input) => execFileSync('gpg', ['--homedir', home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
  const fpr = (uid) => gpg(['--with-colons', '--list-keys', uid], '').split('\n').find((l) => l.startsWith('fpr:')).split(':')[9];
  gpg(['--quick-gen-key', 'Bench Encrypt <e@bench.invalid>', 'ed25519', 'cert', 'never'], 'e-pass');
  const encrypt = fpr('e@bench.invalid');
  gpg(['--quick-add-key', encrypt, 'cv25519', 'encr', 'never'], 'e-pass');
  gpg(['--quick-gen-key', 'Bench Sign <s@bench.invalid>', 'ed25519', 'sign', 'never'], 's-pass');
  return { home, encrypt, sign: fpr('s@bench.invalid') };
}

function runTimed(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', '/usr/bin/duplicity', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return reject(new Error(`duplicity exited ${code}: ${err.slice(-2000)}`));
      const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN);
      resolve({ seconds, peakRssMB: kb / 1024 });
    });
  });
}

function listObjects(os, container) {
  return execFileSync('/usr/bin/python3', ['/usr/bin/swift', 'list', container], { env: { ...os, PATH: '/usr/bin:/bin' }, encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** Client requests to one container, from the proxy's log lines appended since `offset`. */
function countRequests(proxyLog, offset, container) {
  const text = readFileSync(proxyLog).subarray(offset).toString('utf8');
  const path = `/${container}`;
  const lines = text.split('\n').filter((l) => /^proxy-server: 127\.0\.0\.1 127\.0\.0\.1 /.test(l) && (l.includes(`${path} `) || l.includes(`${path}/`) || l.includes(`${path}%3F`) || l.includes(`${path}?`)));
  const byMethod = {};
  for (const l of lines) {
    const method = / (GET|PUT|HEAD|POST|DELETE) \//.exec(l)?.[1] ?? 'OTHER';
    byMethod[method] = (byMethod[method] ?? 0) + 1;
  }
  return { total: lines.length, byMethod };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root: the stack needs it');
  const core = await loadCore();
  const os = stackEnv();
  ensureDataSet();
  const dataset = dataStats(dataDir);
  const version = core.parseVersion(execFileSync('/usr/bin/duplicity', ['--version'], { encoding: 'utf8' }));
  const family = core.flagFamily(version);
  const keys = gpgKeys();
  const target = {
    authUrl: os.OS_AUTH_URL, identityVersion: '3', username: os.OS_USERNAME, userDomainName: os.OS_USER_DOMAIN_NAME,
    projectName: os.OS_PROJECT_NAME, projectDomainName: os.OS_PROJECT_DOMAIN_NAME, region: os.OS_REGION_NAME, interface: 'public',
  };
  const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LC_ALL: 'C.UTF-8', GNUPGHOME: keys.home, PASSPHRASE: 'e-pass', SIGN_PASSPHRASE: 's-pass', ...core.duplicitySwiftEnv(target, os.OS_PASSWORD, { duplicityVersion: version }) };
  const proxyLog = join(stackDir, 'log', 'proxy.log');

  const configs = {
    defaults: (o) => ['full', ...core.backupArgs(family, o)],
    // Our defaults plus parallel upload (async on 0.8/2.x, --concurrency 2 on 3.x): is it worth adding?
    'defaults+parallel': (o) => ['full', ...core.backupArgs(family, { ...o, parallelUploads: 2 })],
    tutorial: (o) => ['full', ...core.backupArgs(family, o).filter((a, i, all) => a !== '--volsize' && all[i - 1] !== '--volsize'), ...core.tutorialArgs(family)],
  };
  const samples = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  const containers = [];
  for (let i = 0; i < runs; i++) {
    const order = Object.keys(configs);
    for (const name of i % 2 ? order.reverse() : order) {
      const container = `bench-${name.replace(/[^a-z0-9]/g, '-')}-${i}-${Date.now()}`;
      containers.push(container);
      const archiveDir = mkdtempSync(join(tmpdir(), 'dsw-bench-cache-'));
      const args = configs[name]({ archiveDir, name: container, gpgBinary: '/usr/bin/gpg', encryptKey: keys.encrypt, signKey: keys.sign, fullIfOlderThan: '7D' });
      const offset = statSync(proxyLog).size;
      const timed = await runTimed([...args, dataDir, `swift://${container}`], env);
      const stored = listObjects(os, container);
      if (!stored.some((o) => /\.manifest\.gpg$/.test(o))) throw new Error(`${name}: no manifest in ${container} after the backup`);
      await new Promise((r) => setTimeout(r, 500)); // let the proxy's log catch up
      const requests = countRequests(proxyLog, offset, container);
      rmSync(archiveDir, { recursive: true, force: true });
      samples[name].push({ ...timed, requests: requests.total, byMethod: requests.byMethod, objects: stored.length });
      log(`${name} run ${i + 1}: ${timed.seconds.toFixed(1)} s, ${requests.total} requests, ${timed.peakRssMB.toFixed(0)} MB peak`);
    }
  }
  const summary = (list) => ({
    seconds: round(median(list.map((s) => s.seconds)), 2),
    requests: median(list.map((s) => s.requests)),
    peakRssMB: round(median(list.map((s) => s.peakRssMB)), 1),
  });
  const d = summary(samples.defaults);
  const t = summary(samples.tutorial);
  const p = summary(samples['defaults+parallel']);
  const ratioOf = (x) => ({ time: round(x.seconds / d.seconds), requests: round(x.requests / d.requests), peakRss: round(x.peakRssMB / d.peakRssMB) });
  const ratio = ratioOf(t);
  const wins = ['time', 'requests', 'peakRss'].filter((k) => ratio[k] > 1);
  const parallelRatio = ratioOf(p);
  const result = {
    bench: 'backup-defaults',
    note: 'full backup of the same data set to the loopback Swift; medians; ratio = tutorial / generated defaults (>1: the defaults win)',
    duplicity: version.text,
    flags: Object.fromEntries(Object.entries(configs).map(([k, f]) => [k, f({ archiveDir: 'A', name: 'N', gpgBinary: 'G', encryptKey: 'E', signKey: 'S', fullIfOlderThan: '7D' }).slice(1).join(' ')])),
    dataset: { dir: dataDir, megabytes: round(dataset.bytes / 1048576, 1), files: dataset.files },
    runsPerConfig: runs,
    defaults: { ...d, samples: samples.defaults },
    tutorial: { ...t, samples: samples.tutorial },
    'defaults+parallel': { ...p, samples: samples['defaults+parallel'] },
    ratio,
    parallelRatio,
    verdict: `generated defaults win over the tutorial's flags on ${wins.length ? wins.join(', ') : 'nothing'}; parallel upload on top takes ${parallelRatio.time}x the time and ${parallelRatio.peakRss}x the memory, so it is ${parallelRatio.time < 0.95 ? 'worth offering' : 'not in the defaults'}`,
  };
  for (const c of containers) execFileSync('/usr/bin/python3', ['/usr/bin/swift', 'delete', c], { env: { ...os, PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
  execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: keys.home } });
  rmSync(keys.home, { recursive: true, force: true });
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
