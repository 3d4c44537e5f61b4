/**
 * A backup that outlives its token still completes (issue 12). A Keystone of the test's own with
 * `[token] expiration` of a few seconds (scripts/stack/extra.sh: a copy of the shared database, its
 * own config and Swift proxy; the shared Keystone is never reconfigured), and a source big enough
 * that the backup runs several token lifetimes. Password auth: swiftclient logs in again on 401.
 * Application credential (pre-auth token): the job's auth step gets a new token and runs duplicity
 * again, which resumes the interrupted backup. Both restore byte-identical.
 */
import { execa } from 'execa';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDuplicity } from '../../src/core/duplicity/detect';
import { duplicitySwiftEnv, SECRET_SWIFT_VARS } from '../../src/core/openstack/duplicity-env';
import type { OpenStackTarget } from '../../src/core/openstack/target';
import { writeBackupJob } from '../../src/core/schedule/job';
import { appCredUser, type AppCredUser } from '../helpers/app-credential';
import { makeTestKeys, stackUp, treeBytes, type StackEnv, type TestKeys } from '../helpers/backup-job';
import { extraStack, type ExtraStack } from '../helpers/extra-stack';
import { cronRun } from '../helpers/job-run';

const LIFETIME = 60;
let shared: StackEnv;
let extra: ExtraStack;
let keys: TestKeys;
let acu: AppCredUser;
let work: string;
let source: string;

beforeAll(async () => {
  [shared, keys] = await Promise.all([stackUp(), makeTestKeys()]);
  extra = await extraStack({ name: 'expiry', tokenExpiration: LIFETIME });
  acu = await appCredUser(extra.env.OS_AUTH_URL!, undefined);
  work = await mkdtemp(join(tmpdir(), 'dsw-expiry-'));
  source = join(work, 'src');
  await mkdir(source);
  // Random bytes do not compress: 96 volumes of 1 MB to encrypt, sign and upload: 81 s in a CI run,
  // past the 60 s token. More would make the restore outlive its own token too, which the job's
  // restore does not yet renew (an application credential's restore longer than a token fails).
  for (let i = 0; i < 24; i++) await writeFile(join(source, `blob-${i}.bin`), randomBytes(4 * 1024 * 1024));
}, 300_000);

afterAll(async () => {
  if (acu && extra) {
    // The objects live in the shared storage servers: delete them while this Keystone still knows their project.
    for (const name of ['pw', 'ac']) {
      await execa('/usr/bin/python3', ['/usr/bin/swift', 'delete', `dsw-exp-${name}-${process.pid}`], {
        env: { OS_AUTH_URL: extra.env.OS_AUTH_URL!, OS_USERNAME: acu.user.name, OS_PASSWORD: acu.user.password, OS_USER_DOMAIN_NAME: acu.domain.name,
          OS_PROJECT_NAME: acu.project.name, OS_PROJECT_DOMAIN_NAME: acu.domain.name, OS_REGION_NAME: extra.env.OS_REGION_NAME!, OS_IDENTITY_API_VERSION: '3', PATH: '/usr/bin:/bin' },
        extendEnv: false, reject: false,
      });
    }
  }
  await acu?.remove();
  await extra?.down();
  await Promise.all([keys?.cleanup(), work && rm(work, { recursive: true, force: true })]);
});

async function job(name: string, target: OpenStackTarget, secret: { password?: string; appSecret?: string }) {
  const dir = join(work, 'cfg', name);
  const swiftEnv = Object.fromEntries(Object.entries(duplicitySwiftEnv(target, '')).filter(([k]) => !(SECRET_SWIFT_VARS as readonly string[]).includes(k)));
  return writeBackupJob({
    dir,
    profile: {
      version: 1, name, source, exclude: [], gnupgHome: keys.home, keys: { encrypt: keys.encrypt, sign: keys.sign }, openstack: target,
      container: `dsw-exp-${name}-${process.pid}`, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 1 }, secrets: 'file', install: 'none',
    },
    swiftEnv,
    secrets: { encryptPassphrase: keys.encryptPassphrase, signPassphrase: keys.signPassphrase, swiftPassword: secret.password ?? '', applicationCredentialSecret: secret.appSecret },
    tools: { duplicity: await detectDuplicity(), gpg: '/usr/bin/gpg', flock: '/usr/bin/flock', curl: '/usr/bin/curl' },
    home: '/root', volsize: 1, numRetries: 2,
  });
}

async function backupOutlivesToken(script: string, profileDir: string) {
  const started = Date.now();
  const run = await cronRun(script);
  const seconds = (Date.now() - started) / 1000;
  const log = await readFile(join(profileDir, 'backup.log'), 'utf8');
  expect(run.exitCode, log.slice(-4000)).toBe(0);
  expect(seconds, 'the backup must outlive its token for this test to mean anything').toBeGreaterThan(LIFETIME + 10);
  const dest = join(work, `restored-${Date.now()}`);
  const restored = await cronRun(script, ['restore', '.', dest]);
  expect(restored.exitCode, restored.stderr).toBe(0);
  // Digests, not the bytes: a deep equal over 24 MB of Buffers takes vitest many minutes.
  const digests = async (dir: string) => new Map([...(await treeBytes(dir))].map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]));
  expect(await digests(dest)).toEqual(await digests(source));
  return log;
}

describe(`a backup that runs longer than a ${LIFETIME} s token`, () => {
  it('password auth: completes, restores byte-identical', async () => {
    const target: OpenStackTarget = {
      authUrl: extra.env.OS_AUTH_URL!, identityVersion: '3', username: acu.user.name, userDomainName: acu.domain.name,
      projectName: acu.project.name, projectDomainName: acu.domain.name, region: extra.env.OS_REGION_NAME, interface: 'public',
    };
    const j = await job('pw', target, { password: acu.user.password });
    await backupOutlivesToken(j.script, j.profileDir);
  }, 900_000);

  it('application credential (pre-auth token): a new token, duplicity resumes; completes, restores byte-identical', async () => {
    const cred = await acu.credential();
    const target: OpenStackTarget = {
      authUrl: extra.env.OS_AUTH_URL!, identityVersion: '3', username: acu.user.name, userDomainName: acu.domain.name,
      projectName: acu.project.name, projectId: acu.project.id, projectDomainName: acu.domain.name, region: extra.env.OS_REGION_NAME, interface: 'public',
      authType: 'v3applicationcredential', applicationCredentialId: cred.id,
    };
    const j = await job('ac', target, { appSecret: cred.secret });
    const log = await backupOutlivesToken(j.script, j.profileDir);
    expect(log).toMatch(/the token expired during the run .*getting a new one/);
  }, 900_000);
});
