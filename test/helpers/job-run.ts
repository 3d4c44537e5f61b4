/**
 * The backup job set up against the local stack, and run as cron runs it; shared by the tests of the
 * job (backup, retention, alerts) and of its restore drill.
 */
import { execa } from 'execa';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import type { JobInput } from '../../src/core/schedule/job';
import { swiftEnvOf, type StackEnv, type TestKeys } from './backup-job';
import { join } from 'node:path';

/** Profile "nightly" in `root`, backing up `source` (its tmp/ excluded) to `container`, alerting to a ping URL and a (fake) mail. */
export async function stackJobInput(o: {
  stack: StackEnv; keys: TestKeys; source: string; root: string; container: string;
  pingUrl: string; mail: string; schedule?: Partial<JobInput['profile']['schedule']>;
}): Promise<JobInput> {
  const { stack, keys } = o;
  return {
    dir: join(o.root, 'nightly'),
    profile: {
      version: 1, name: 'nightly', source: o.source, exclude: [join(o.source, 'tmp')], gnupgHome: keys.home,
      keys: { encrypt: keys.encrypt, sign: keys.sign },
      openstack: { authUrl: stack.OS_AUTH_URL, identityVersion: '3', username: stack.OS_USERNAME, projectName: stack.OS_PROJECT_NAME, interface: 'public', region: stack.OS_REGION_NAME },
      container: o.container,
      schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 1, ...o.schedule },
      secrets: 'file', install: 'none',
      alert: { pingUrl: o.pingUrl, mail: 'ops@example.invalid' },
    },
    swiftEnv: swiftEnvOf(stack),
    secrets: { encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase, swiftPassword: stack.OS_PASSWORD },
    tools: { duplicity: await detectDuplicity(), gpg: '/usr/bin/gpg', flock: '/usr/bin/flock', curl: '/usr/bin/curl', mail: o.mail },
    home: '/root',
  };
}

/** A script exactly as cron would start it: env -i, PATH=/usr/bin:/bin, no terminal, its own session. */
export function cronRun(script: string, args: string[] = [], opts: { wrap?: (file: string, args: string[]) => [string, string[]] } = {}) {
  const command: [string, string[]] = ['/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', '/bin/bash', script, ...args]];
  const [file, rest] = opts.wrap ? opts.wrap(...command) : command;
  return execa('/usr/bin/setsid', ['-w', file, ...rest], { stdin: 'ignore', reject: false });
}
