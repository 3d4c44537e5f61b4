/**
 * scripts/ci/canary.sh, which scripts/test-all.sh runs around the whole suite to prove a real
 * "nightly" profile's schedule survives it. Here it is pointed at a throwaway user and folders of
 * the test's own (CANARY_* variables): it plants only where nothing exists, notices a schedule the
 * run took away (as the old Schedule-step tests did), and afterwards leaves every byte as it found it.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installSchedule } from '../../src/core/schedule/install';
import { repoRoot } from '../helpers/cli';
import { crontabOf, setCrontab, throwawayUser } from '../helpers/crontab';

let user: Awaited<ReturnType<typeof throwawayUser>>;
let root: string;
const dirs = () => ({ crond: join(root, 'cron.d'), units: join(root, 'units'), state: join(root, 'state') });

function canary(mode: 'plant' | 'check') {
  const d = dirs();
  return execa('bash', [join(repoRoot, 'scripts/ci/canary.sh'), mode, d.state], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CANARY_CRONTAB_USER: user.name, CANARY_CROND_DIR: d.crond, CANARY_UNIT_DIR: d.units }, extendEnv: false, reject: false,
  });
}

beforeAll(async () => {
  user = await throwawayUser('dswcan');
});
afterAll(async () => {
  await user?.remove();
});

describe('scripts/ci/canary.sh', () => {
  const existing = 'MAILTO=""\n0 1 * * * /usr/bin/true   # mine\n';

  it('plants a canary where no nightly profile exists, passes an untouched run, and takes away only what it planted', async () => {
    root = await mkdtemp(join(tmpdir(), 'dsw-canary-'));
    try {
      await setCrontab(user.name, existing);
      expect((await canary('plant')).exitCode).toBe(0);
      expect(await crontabOf(user.name)).toMatch(/^MAILTO=""\n0 1 \* \* \* \/usr\/bin\/true {3}# mine\n0 0 31 2 \* \S+ # dupliswift:nightly\n$/);
      expect((await readdir(dirs().units)).sort()).toEqual(['dupliswift-nightly.service', 'dupliswift-nightly.timer']);
      const check = await canary('check');
      expect(check.exitCode, check.stderr).toBe(0);
      expect(check.stderr).toMatch(/byte-identical/);
      expect(await crontabOf(user.name)).toBe(existing);
      expect(await readdir(dirs().units)).toEqual([]);
      expect(await readdir(dirs().crond)).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('fails when the run takes the nightly schedule away, as install "none" on the real targets did', async () => {
    root = await mkdtemp(join(tmpdir(), 'dsw-canary-'));
    try {
      await setCrontab(user.name, existing);
      expect((await canary('plant')).exitCode).toBe(0);
      // What the old Schedule-step tests did as root: profile "nightly", install "none", default targets.
      await installSchedule({ profile: 'nightly', method: 'none', schedule: '17 3 * * *', script: '/x/backup.sh', uid: 0, env: {}, user: user.name, cronDDir: dirs().crond, unitDir: dirs().units });
      const check = await canary('check');
      expect(check.exitCode).toBe(1);
      expect(check.stderr).toMatch(/crontab lines changed/);
      expect(check.stderr).toMatch(/dupliswift-nightly\.service was changed or removed/);
      expect(check.stderr).toMatch(/cron\.d\/dupliswift-nightly was changed or removed/);
      expect(await crontabOf(user.name)).toBe(existing);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('never plants over, changes or removes a real nightly profile that exists', async () => {
    root = await mkdtemp(join(tmpdir(), 'dsw-canary-'));
    try {
      const real = `${existing}17 3 * * * /etc/dupliswift/nightly/backup.sh # dupliswift:nightly\n`;
      await setCrontab(user.name, real);
      await mkdir(dirs().crond, { recursive: true });
      const realFile = '17 3 * * * root /etc/dupliswift/nightly/backup.sh # dupliswift:nightly\n';
      await writeFile(join(dirs().crond, 'dupliswift-nightly'), realFile);
      expect((await canary('plant')).exitCode).toBe(0);
      expect(await crontabOf(user.name)).toBe(real);
      expect((await canary('check')).exitCode).toBe(0);
      expect(await crontabOf(user.name)).toBe(real);
      expect(await readFile(join(dirs().crond, 'dupliswift-nightly'), 'utf8')).toBe(realFile);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
