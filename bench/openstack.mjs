// `dupliswift tenants` and `dupliswift check` against the same HTTP calls made with curl, and against
// the Python clients a user would otherwise run (`openstack project list --my-projects`; `swift stat`
// + upload + download + delete), in one run, interleaved, against the loopback stack.
// Medians of wall time per operation (process start to exit, as a user experiences it). JSON on stdout.
//
// Usage: node bench/openstack.mjs [runs]   (root; starts the stack if needed; builds nothing: run
// `npm run build` first). Python CLIs run from /usr/bin with a clean PATH (pyenv is first on PATH here).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 7);
const log = (line) => process.stderr.write(`[openstack-bench] ${line}\n`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const exports = execFileSync('bash', [join(root, 'scripts/stack/up.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const osEnv = Object.fromEntries([...exports.matchAll(/^export (OS_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
const cleanEnv = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...osEnv };
const work = mkdtempSync(join(tmpdir(), 'dupliswift-osbench-'));
const container = `bench-${process.pid}`;

// The curl flows make exactly the requests dupliswift makes, in the same order. The password and
// tokens travel in files/stdin, never argv (as a careful user would do it).
writeFileSync(join(work, 'curl-common.sh'), `
set -eu
K=${osEnv.OS_AUTH_URL}
auth() { # $1: scope JSON or empty
  printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"%s","domain":{"name":"%s"},"password":"%s"}}}%s}}' \\
    "$OS_USERNAME" "$OS_USER_DOMAIN_NAME" "$OS_PASSWORD" "$1" |
    curl -sf -D "$W/h" -o "$W/body" -H 'Content-Type: application/json' --data-binary @- "$K/auth/tokens$2"
  printf 'X-Auth-Token: %s\\n' "$(awk 'tolower($1)=="x-subject-token:" {print $2}' "$W/h" | tr -d '\\r')" > "$W/tok"
}
`);
writeFileSync(join(work, 'curl-tenants.sh'), `. "$W/curl-common.sh"
auth '' '?nocatalog'
curl -sf -H @"$W/tok" "$K/auth/projects" > "$W/projects"
`);
writeFileSync(join(work, 'curl-check.sh'), `. "$W/curl-common.sh"
auth '' '?nocatalog'
curl -sf -H @"$W/tok" "$K/auth/projects" > "$W/projects"
auth ',"scope":{"project":{"name":"'"$OS_PROJECT_NAME"'","domain":{"name":"'"$OS_PROJECT_DOMAIN_NAME"'"}}}' ''
S=$(grep -o '"url": "http://127.0.0.1:8080/v1/AUTH_[0-9a-f]*"' "$W/body" | head -1 | cut -d'"' -f4)
curl -sf -I -H @"$W/tok" "$S" > /dev/null
curl -sf -I -H @"$W/tok" "$S/${container}" > /dev/null
head -c 4096 /dev/urandom > "$W/probe"
curl -sf -X PUT -H @"$W/tok" -H "ETag: $(md5sum "$W/probe" | cut -d' ' -f1)" --data-binary @"$W/probe" "$S/${container}/probe" > /dev/null
curl -sf -H @"$W/tok" -o "$W/probe.back" "$S/${container}/probe"
cmp -s "$W/probe" "$W/probe.back"
curl -sf -X DELETE -H @"$W/tok" "$S/${container}/probe" > /dev/null
`);
writeFileSync(join(work, 'probe.bin'), Buffer.alloc(4096, 7));
writeFileSync(join(work, 'python-check.sh'), `set -eu
cd "$W"
/usr/bin/swift stat ${container} > /dev/null
/usr/bin/swift upload --object-name probe ${container} probe.bin > /dev/null
/usr/bin/swift download ${container} probe -o probe.back > /dev/null
cmp -s probe.bin probe.back
/usr/bin/swift delete ${container} probe > /dev/null
`);

function time(name, file, args) {
  const started = performance.now();
  const r = spawnSync(file, args, { env: { ...cleanEnv, W: work }, cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status}): ${r.stderr}`);
  return ms;
}

const node = process.execPath;
const cli = join(root, 'bin/dupliswift.js');
const ops = {
  tenants: {
    dupliswift: () => time('dupliswift tenants', node, [cli, 'tenants', '--json']),
    curl: () => time('curl tenants', '/bin/bash', [join(work, 'curl-tenants.sh')]),
    python: () => time('openstack project list', '/usr/bin/openstack', ['project', 'list', '--my-projects', '-f', 'json']),
  },
  check: {
    dupliswift: () => time('dupliswift check', node, [cli, 'check', '--container', container, '--json']),
    curl: () => time('curl check', '/bin/bash', [join(work, 'curl-check.sh')]),
    python: () => time('swift stat+upload+download+delete', '/bin/bash', [join(work, 'python-check.sh')]),
  },
};

try {
  // Create the container once (and warm every path) so all three measure the same steady state.
  time('create', node, [cli, 'check', '--container', container, '--create']);
  for (const op of Object.values(ops)) for (const f of Object.values(op)) f();
  const samples = Object.fromEntries(Object.keys(ops).map((k) => [k, { dupliswift: [], curl: [], python: [] }]));
  // What no request can make up for: starting node, and starting the bundle (parse + command tree).
  const startup = { node: [], dupliswiftVersion: [] };
  for (let i = 0; i < runs; i++) {
    for (const [name, op] of Object.entries(ops)) for (const [who, f] of Object.entries(op)) samples[name][who].push(f());
    startup.node.push(time('node -e', node, ['-e', '']));
    startup.dupliswiftVersion.push(time('dupliswift --version', node, [cli, '--version']));
    log(`run ${i + 1}/${runs} done`);
  }
  const result = {
    runs, node: process.version, unit: 'ms (median wall time per operation, process start to exit)',
    startup: { nodeEmpty: round(median(startup.node)), dupliswiftVersion: round(median(startup.dupliswiftVersion)) },
  };
  for (const [name, s] of Object.entries(samples)) {
    const d = median(s.dupliswift);
    const c = median(s.curl);
    const p = median(s.python);
    result[name] = {
      dupliswift: round(d), curl: round(c), python: round(p),
      ratioToCurl: round(d / c, 2), speedupOverPython: round(p / d, 1),
      goals: { withinOnePointTwoOfCurl: d / c <= 1.2, atLeastFiveTimesFasterThanPython: p / d >= 5 },
    };
  }
  result.requests = {
    tenants: 'POST /v3/auth/tokens (unscoped), GET /v3/auth/projects',
    check: 'tenants + POST /v3/auth/tokens (scoped), HEAD account, HEAD container, PUT probe (ETag), GET probe, DELETE probe',
    python: { tenants: 'openstack project list --my-projects', check: 'swift stat CONTAINER; swift upload; swift download; swift delete (4 processes)' },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  spawnSync('/usr/bin/swift', ['delete', container], { env: cleanEnv, stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}
