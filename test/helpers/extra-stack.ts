import { execa } from 'execa';
import { join } from 'node:path';
import { repoRoot } from './cli';

/**
 * A private cloud of the test's own (scripts/stack/extra.sh): its own Keystone (a copy of the shared
 * one's database) and Swift proxy on ports of its own, over HTTPS with a CA made at start, or with a
 * short token lifetime. The shared stack on 5000/8080 stays as it is. Missing parts FAIL the test.
 */
export interface ExtraStack {
  dir: string;
  /** OS_AUTH_URL, OS_REGION_NAME, OS_CACERT (with TLS), EXTRA_PROXY_URL. */
  env: Record<string, string>;
  down(): Promise<void>;
}

export async function extraStack(opts: { name: string; tls?: boolean; tokenExpiration?: number }): Promise<ExtraStack> {
  const dir = `/var/tmp/dsw-extra-${opts.name}-${process.pid}`;
  const script = join(repoRoot, 'scripts/stack/extra.sh');
  let last = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const r = await execa('bash', [script, 'up', dir], {
      reject: false, timeout: 200_000, stdin: 'ignore',
      env: {
        EXTRA_KEYSTONE_PORT: String(base), EXTRA_PROXY_PORT: String(base + 1),
        EXTRA_TLS: opts.tls ? '1' : '', EXTRA_TOKEN_EXPIRATION: String(opts.tokenExpiration ?? 3600),
      },
    });
    if (r.exitCode === 0) {
      const env: Record<string, string> = {};
      for (const m of String(r.stdout).matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[m[1]!] = m[2]!;
      return { dir, env, down: async () => { await execa('bash', [script, 'down', dir], { reject: false, stdin: 'ignore' }); } };
    }
    last = String(r.stderr);
    await execa('bash', [script, 'down', dir], { reject: false, stdin: 'ignore' });
    if (!/already in use/.test(last)) break;
  }
  throw new Error(`scripts/stack/extra.sh up failed; the test needs its own Keystone and Swift proxy:\n${last.slice(-3000)}`);
}
