import { execa } from 'execa';
import { repoRoot } from './cli';

/**
 * The real Keystone v3 + Swift stack on 127.0.0.1 (scripts/stack/up.sh, idempotent: it only verifies
 * a running stack, ~0.5 s). Called once per test file; when the stack cannot come up the test FAILS
 * with up.sh's own reason: a missing real part is never a skip.
 */

export interface StackUser {
  /** The OS_* variables for this user, as an openrc would set them. */
  env: Record<string, string>;
  username: string;
  password: string;
  userDomain: string;
  projects: string[];
}

export interface Stack {
  keystone: string;
  swift: string;
  region: string;
  demo: StackUser;
  ops: StackUser;
}

let pending: Promise<Stack> | undefined;

function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return env;
}

async function bringUp(): Promise<Stack> {
  const result = await execa('bash', [`${repoRoot}scripts/stack/up.sh`], { reject: false, timeout: 240_000, stdin: 'ignore' });
  if (result.exitCode !== 0) {
    throw new Error(`The test stack did not come up (scripts/stack/up.sh exit ${result.exitCode}). Its output:\n${String(result.stderr).slice(-3000)}`);
  }
  const env = parseExports(String(result.stdout));
  for (const name of ['OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD', 'OS_PROJECT_NAME']) {
    if (!env[name]) throw new Error(`scripts/stack/up.sh printed no ${name}; stdout was:\n${String(result.stdout)}`);
  }
  const demo: StackUser = {
    env,
    username: env.OS_USERNAME!,
    password: env.OS_PASSWORD!,
    userDomain: env.OS_USER_DOMAIN_NAME ?? 'Default',
    projects: ['backup-a', 'backup-b'],
  };
  // Seeded by the same script (see scripts/stack/seed.py): a user in a non-Default domain.
  const opsEnv = {
    ...env,
    OS_USERNAME: 'opsuser', OS_PASSWORD: 'ops-secret', OS_USER_DOMAIN_NAME: 'ops', OS_PROJECT_NAME: 'ops-project', OS_PROJECT_DOMAIN_NAME: 'ops',
  };
  const ops: StackUser = { env: opsEnv, username: 'opsuser', password: 'ops-secret', userDomain: 'ops', projects: ['ops-project'] };
  return { keystone: env.OS_AUTH_URL!, swift: 'http://127.0.0.1:8080', region: env.OS_REGION_NAME ?? 'RegionOne', demo, ops };
}

export function stack(): Promise<Stack> {
  pending ??= bringUp();
  return pending;
}

/** OS_* variables with everything else from the caller's environment removed (no leaks from the developer's shell). */
export function osOnly(env: Record<string, string>, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  for (const [k, v] of Object.entries({ ...env, ...overrides })) if (v !== undefined) out[k] = v;
  return out;
}
