// Drives the real app in a real terminal (tmux, 80×24), captures each screen with its colours, and
// writes screenshots/<scene>.png. Scenes live in scenes.mjs. Usage: node scripts/screenshots/take.mjs [scene…]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ansiToSvg } from './ansi-to-svg.mjs';
import { scenes } from './scenes.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(root, 'screenshots');
const wanted = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tmux(socket, ...args) {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

async function waitFor(socket, pattern, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux(socket, 'capture-pane', '-p');
    if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
}

for (const scene of scenes) {
  if (wanted.length && !wanted.includes(scene.name)) continue;
  const work = mkdtempSync(join(tmpdir(), 'dupliswift-shot-'));
  const socket = `dupliswift-shot-${process.pid}`;
  const ctx = { work, root, bin: `node ${join(root, 'bin/dupliswift.js')}` };
  try {
    const env = { HOME: work, GNUPGHOME: join(work, 'gnupg'), XDG_CONFIG_HOME: join(work, 'config'), TERM: 'xterm-256color', COLORTERM: 'truecolor', PATH: process.env.PATH, ...(scene.env?.(ctx) ?? {}) };
    scene.prepare?.(ctx, env);
    // Secrets reach the program through an env file, never through tmux's argv.
    const envFile = join(work, 'env.sh');
    writeFileSync(envFile, Object.entries(env).map(([k, v]) => `export ${k}='${String(v).replace(/'/g, `'\\''`)}'\n`).join(''), { mode: 0o600 });
    const script = join(work, 'run.sh');
    writeFileSync(script, `. '${envFile}'\ncd '${work}'\n${scene.command(ctx)}\nsleep 600\n`, { mode: 0o700 });
    tmux(socket, '-f', '/dev/null', 'new-session', '-d', '-x', '80', '-y', '24', `sh '${script}'`);
    const shoot = (name, title) => {
      const svgPath = join(work, 'shot.svg');
      writeFileSync(svgPath, ansiToSvg(tmux(socket, 'capture-pane', '-p', '-e'), { title }));
      execFileSync('rsvg-convert', [svgPath, '-o', join(outDir, `${name}.png`)]);
      console.log(`screenshots/${name}.png`);
    };
    for (const step of scene.steps) {
      if (step.waitFor) await waitFor(socket, step.waitFor, step.timeoutMs);
      await sleep(step.pauseMs ?? 250);
      // A step may take a picture of the screen as it is before it types anything.
      if (step.shot) shoot(step.shot, step.title ?? scene.title);
      if (step.type) tmux(socket, 'send-keys', '-l', step.type.replace('__DATA__', ctx.data ?? '').replace('__WORK__', ctx.work));
      if (step.type && step.keys) await sleep(150);
      if (step.keys) tmux(socket, 'send-keys', ...step.keys);
      if (step.shotAfter) { await sleep(400); shoot(step.shotAfter, step.title ?? scene.title); }
    }
    if (!scene.noFinalShot) shoot(scene.name, scene.title);
  } finally {
    try { tmux(socket, 'kill-server'); } catch { /* already gone */ }
    // Before the work folder goes: a scene's own server may keep its data there.
    try { scene.cleanup?.(ctx); } catch (error) { console.error(`cleanup of ${scene.name}: ${error.message}`); }
    rmSync(work, { recursive: true, force: true });
  }
}
