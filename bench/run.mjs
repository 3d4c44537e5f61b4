// Runs every benchmark in bench/ (or those named: node bench/run.mjs startup keys-generate) and
// prints one JSON array; each also lands in bench/results/<name>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((name) => !wanted.length || wanted.includes(name));

mkdirSync(join(here, 'results'), { recursive: true });
const results = [];
for (const name of benches) {
  process.stderr.write(`bench ${name}…\n`);
  try {
    const out = execFileSync(process.execPath, [join(here, `${name}.mjs`)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    const json = JSON.parse(out);
    writeFileSync(join(here, 'results', `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    results.push(json);
  } catch (error) {
    results.push({ bench: name, error: String(error.message ?? error).split('\n')[0] });
  }
}
console.log(JSON.stringify(results, null, 2));
