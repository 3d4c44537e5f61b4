/**
 * Every child dupliswift starts gets a minimal environment: the gpg-agent that `keys generate` leaves
 * running (it outlives us) must not keep the caller's OS_PASSWORD or DUPLISWIFT_* passphrases.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli';
import { execRecorder, secretsInArgv } from '../helpers/exec-trace';
import { tempGnupgHome } from '../helpers/gpg';

const EP = 'child env encrypt passphrase';
const SP = 'child env sign passphrase';
const OS_PASSWORD = 'child-env-openstack-password';
let box: Awaited<ReturnType<typeof tempGnupgHome>>;

beforeAll(async () => {
  box = await tempGnupgHome('ds-child-env-');
});
afterAll(async () => box?.cleanup());

async function agentEnvs(home: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!args[0]?.endsWith('gpg-agent')) continue;
    const env = (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    if (args.includes(home) || env.includes(`GNUPGHOME=${home}`)) out.push(env);
  }
  return out;
}

describe('children get a minimal environment', () => {
  test('the gpg-agent left by keys generate holds none of the caller\'s secrets; gpg and the agent get PATH, HOME and GNUPGHOME', async () => {
    const home = join(box.root, 'gnupg');
    const trace = await execRecorder();
    const r = await runCli(['keys', 'generate', '--name', 'Env Test', '--email', 'env@example.org', '--export-dir', join(box.root, 'export'), '--json'], {
      env: { GNUPGHOME: home, DUPLISWIFT_ENCRYPT_PASSPHRASE: EP, DUPLISWIFT_SIGN_PASSPHRASE: SP, OS_PASSWORD, OS_USERNAME: 'someone', DUPLISWIFT_EXTRA: 'x' },
      wrap: trace.wrap,
    });
    const execs = await trace.execs();
    await trace.cleanup();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(secretsInArgv(execs, [EP, SP, OS_PASSWORD])).toEqual([]);
    // Every child of the CLI (gpg, gpgconf, the agent gpg starts): no OS_*, no DUPLISWIFT_*.
    const children = execs.filter((e) => e.ok && !e.file.endsWith('/node') && e.file !== process.execPath && !e.argv[0]?.endsWith('bash'));
    expect(children.some((e) => e.file.endsWith('/gpg'))).toBe(true);
    for (const e of children) expect(e.env.filter((kv) => /^(OS_|DUPLISWIFT_)/.test(kv)), e.file).toEqual([]);
    const agents = await agentEnvs(home);
    expect(agents.length).toBeGreaterThan(0);
    for (const env of agents) {
      expect(env.filter((kv) => /^(OS_|DUPLISWIFT_)/.test(kv) || [EP, SP, OS_PASSWORD].some((s) => kv.includes(s)))).toEqual([]);
      expect(env.some((kv) => kv.startsWith('PATH='))).toBe(true);
    }
  });
});
