// Start-up cost a person feels: time to `--help`, and time until the wizard's first frame (the step
// rail) is on a real terminal, each against bare `node -e ''` measured in the same run. Medians.
// Usage: node bench/startup.mjs [runs]   (prints JSON; run `npm run build` first)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const bin = join(root, 'bin/dupliswift.js');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Milliseconds until `until(output)` holds, or until exit when no predicate is given. */
function time(command, args, { until, env } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
    };
    child.stdout.on('data', (d) => {
      out += d;
      if (until && until(out)) { finish(); child.kill('SIGKILL'); }
    });
    child.on('exit', () => (until ? (done ? undefined : reject(new Error(`exited before the frame:\n${out}`))) : finish()));
  });
}

// `script` gives the program a real pty, as a person's terminal would; both sides pay for it.
const inPty = (cmd) => ['script', ['-qfec', cmd, '/dev/null']];
const home = mkdtempSync(join(tmpdir(), 'dupliswift-bench-'));
const env = { HOME: home, GNUPGHOME: join(home, '.gnupg'), TERM: 'xterm-256color', COLUMNS: '80', LINES: '24' };

const samples = { bareNode: [], help: [], bareNodePty: [], firstFrame: [] };
for (let i = 0; i < runs; i++) {
  samples.bareNode.push(await time(process.execPath, ['-e', '']));
  samples.help.push(await time(process.execPath, [bin, '--help']));
  samples.bareNodePty.push(await time(...inPty(`${process.execPath} -e ''`), { env }));
  samples.firstFrame.push(await time(...inPty(`${process.execPath} ${bin}`), { env, until: (o) => o.includes('Preflight') }));
}

const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
const helpRatio = m.help / m.bareNode;
const frameRatio = m.firstFrame / m.bareNodePty;
console.log(JSON.stringify({
  bench: 'startup',
  node: process.version,
  runs,
  medianMs: m,
  ratios: { helpVsBareNode: +helpRatio.toFixed(2), firstFrameVsBareNode: +frameRatio.toFixed(2) },
  targets: { helpVsBareNode: 1.5, firstFrameVsBareNode: 2.5 },
  met: { help: helpRatio <= 1.5, firstFrame: frameRatio <= 2.5 },
}, null, 2));
