/**
 * Application credentials end to end (issue 12), against the real loopback Keystone: a user of a
 * non-default domain made here (unique names, removed after) and credentials of that user. From
 * OS_* (id, or name with the owner), clouds.yaml and the answers file; the job under cron's env gets
 * a token with the credential before duplicity runs (backup, retention, cleanup, restore, drill);
 * `restore --profile` too. A revoked, an expired, and an access-rule-limited credential each refuse
 * with the fix.
 */
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { appCredUser, type AppCredUser } from '../helpers/app-credential';
import { cronRun } from '../helpers/job-run';
import { secretsInArgv, traceExecs } from '../helpers/exec-trace';
import { makeSource, makeTestKeys, stackUp, treeBytes, type StackEnv, type TestKeys } from '../helpers/backup-job';

let shared: StackEnv;
let acu: AppCredUser;
let cred: { id: string; name: string; secret: string };
let keys: TestKeys;
let source: string;
let work: string;
const container = `dsw-ac-${process.pid}-${Date.now()}`;
const profile = `ac${process.pid}`;

const credEnv = () => ({
  OS_AUTH_URL: shared.OS_AUTH_URL, OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_ID: cred.id,
  OS_APPLICATION_CREDENTIAL_SECRET: cred.secret, OS_REGION_NAME: shared.OS_REGION_NAME,
});

beforeAll(async () => {
  [shared, keys, source] = await Promise.all([stackUp(), makeTestKeys(), makeSource()]);
  acu = await appCredUser(shared.OS_AUTH_URL);
  cred = await acu.credential();
  work = await mkdtemp(join(tmpdir(), 'dsw-ac-'));
}, 240_000);

afterAll(async () => {
  if (acu) {
    await execa('/usr/bin/python3', ['/usr/bin/swift', 'delete', container], {
      env: { OS_AUTH_URL: shared.OS_AUTH_URL, OS_USERNAME: acu.user.name, OS_PASSWORD: acu.user.password, OS_USER_DOMAIN_NAME: acu.domain.name,
        OS_PROJECT_NAME: acu.project.name, OS_PROJECT_DOMAIN_NAME: acu.domain.name, OS_IDENTITY_API_VERSION: '3', PATH: '/usr/bin:/bin' },
      extendEnv: false, reject: false,
    });
    await acu.remove();
  }
  await Promise.all([keys?.cleanup(), source && rm(source, { recursive: true, force: true }), work && rm(work, { recursive: true, force: true })]);
});

describe('an application credential from OS_*, clouds.yaml and the answers file', () => {
  it('tenants with OS_AUTH_TYPE and the id: the bound project, no user name or project asked, no "needs a password user"', async () => {
    const r = await runCli(['tenants', '--json'], { cleanEnv: true, env: credEnv() });
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ applicationCredential: true, user: { name: acu.user.name, domain: acu.domain.name }, projects: [{ id: acu.project.id, name: acu.project.name }] });
    expect(r.stdout + r.stderr).not.toMatch(/needs a password user/);
  });

  it('by name, with the owner and the owner\'s domain', async () => {
    const { OS_APPLICATION_CREDENTIAL_ID: _id, ...env } = credEnv();
    const r = await runCli(['tenants', '--json'], { cleanEnv: true, env: { ...env, OS_APPLICATION_CREDENTIAL_NAME: cred.name, OS_USERNAME: acu.user.name, OS_USER_DOMAIN_NAME: acu.domain.name } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ projects: [{ id: acu.project.id }] });
  });

  it('check --os-cloud with auth_type: v3applicationcredential in clouds.yaml', async () => {
    const dir = await mkdtemp(join(work, 'clouds-'));
    await writeFile(join(dir, 'clouds.yaml'), [
      'clouds:', '  acloud:', '    auth_type: v3applicationcredential', '    region_name: RegionOne', '    auth:',
      `      auth_url: ${shared.OS_AUTH_URL}`, `      application_credential_id: ${cred.id}`, `      application_credential_secret: ${cred.secret}`, '',
    ].join('\n'), { mode: 0o600 });
    const r = await runCli(['check', '--os-cloud', 'acloud', '--container', container, '--create', '--json'], { cleanEnv: true, env: { OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, duplicityUsable: true, target: { authType: 'v3applicationcredential', applicationCredentialId: cred.id, projectId: acu.project.id } });
  });
});

describe('setup and the job with an application credential', () => {
  const configDir = () => join(work, 'cfg');
  const profileDir = () => join(configDir(), profile);

  it('setup --answers (openstack.authType and applicationCredentialId; the secret from the environment only)', async () => {
    const answers = join(work, 'answers.json');
    await writeFile(answers, JSON.stringify({
      profile, source, exclude: [join(source, 'tmp')], gnupgHome: keys.home, keys: { encrypt: keys.encrypt, sign: keys.sign },
      openstack: { authUrl: shared.OS_AUTH_URL, authType: 'v3applicationcredential', applicationCredentialId: cred.id, region: 'RegionOne', interface: 'public' },
      container, createContainer: true, schedule: { cron: '17 3 * * *', fullEvery: '7D', keepFull: 1, drill: 'off' },
      secrets: 'file', install: 'none', firstRun: false,
    }));
    const trace = await traceExecs();
    const r = await runCli(['setup', '--answers', answers, '--yes', '--json', '--config-dir', configDir()], {
      cleanEnv: true, timeoutMs: 240_000,
      env: { OS_APPLICATION_CREDENTIAL_SECRET: cred.secret, DUPLISWIFT_ENCRYPT_PASSPHRASE: keys.encryptPassphrase, DUPLISWIFT_SIGN_PASSPHRASE: keys.signPassphrase },
    });
    expect(secretsInArgv(await trace.stop(), [cred.secret])).toEqual([]);
    expect(r.exitCode, `${r.stderr}\n${r.stdout}`).toBe(0);
    const saved = JSON.parse(await readFile(join(profileDir(), 'profile.json'), 'utf8')) as { openstack: Record<string, unknown> };
    expect(saved.openstack).toMatchObject({ authType: 'v3applicationcredential', applicationCredentialId: cred.id, projectId: acu.project.id });
    // The secret is in exactly one file, 0600; nowhere else in the profile folder or the script.
    const holders: string[] = [];
    async function walk(dir: string) {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if ((await readFile(p)).includes(cred.secret)) holders.push(p);
      }
    }
    await walk(configDir());
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatch(/application-credential-secret$/);
    expect((await stat(holders[0]!)).mode & 0o777).toBe(0o600);
  }, 300_000);

  it('the job under cron\'s env: backup twice (retention, cleanup), restore, drill; the secret never in argv', async () => {
    const script = join(profileDir(), 'backup.sh');
    const trace = await traceExecs();
    const first = await cronRun(script);
    expect(first.exitCode, await readFile(join(profileDir(), 'backup.log'), 'utf8')).toBe(0);
    const second = await cronRun(script);
    expect(second.exitCode, second.stderr).toBe(0);
    const log = await readFile(join(profileDir(), 'backup.log'), 'utf8');
    expect(log).toMatch(/token for application credential .* obtained/);
    expect(log).toMatch(/retention finished with exit code 0/);
    expect(log).toMatch(/cleanup finished with exit code 0/);
    const dest = join(work, 'job-restore');
    const restored = await cronRun(script, ['restore', '.', dest]);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(await treeBytes(dest)).toEqual(await treeBytes(source, ['tmp']));
    const drill = await cronRun(script, ['drill']);
    expect(drill.exitCode, await readFile(join(profileDir(), 'backup.log'), 'utf8')).toBe(0);
    expect(await readFile(join(profileDir(), 'backup.log'), 'utf8')).toMatch(/restore drill OK/);
    expect(secretsInArgv(await trace.stop(), [cred.secret])).toEqual([]);
  }, 400_000);

  it('restore --profile NAME logs in with the kept credential', async () => {
    const dest = join(work, 'profile-restore');
    const r = await runCli(['restore', '--profile', profile, '--config-dir', configDir(), '--target', dest], { cleanEnv: true, timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await treeBytes(dest)).toEqual(await treeBytes(source, ['tmp']));
  }, 300_000);

  it('a revoked credential: the job and the commands refuse with the fix', async () => {
    await acu.revoke(cred.id);
    const job = await cronRun(join(profileDir(), 'backup.sh'));
    expect(job.exitCode).toBe(78);
    expect(job.stderr).toMatch(/refused the application credential .*revoked \(deleted\), has expired/);
    expect(job.stderr).toMatch(/run dupliswift setup again/);
    const t = await runCli(['tenants'], { cleanEnv: true, env: credEnv() });
    expect(t.exitCode).not.toBe(0);
    expect(t.stderr).toMatch(/was revoked \(deleted\), has expired, or its secret is wrong: create a new one/);
  }, 120_000);
});

describe('credentials that cannot back up', () => {
  it('an expired credential says so, with the fix', async () => {
    const short = await acu.credential({ expiresInSeconds: 3 });
    await new Promise((r) => setTimeout(r, 4500));
    const r = await runCli(['tenants'], { cleanEnv: true, env: { ...credEnv(), OS_APPLICATION_CREDENTIAL_ID: short.id, OS_APPLICATION_CREDENTIAL_SECRET: short.secret } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/has expired/);
    expect(r.stderr).toMatch(/openstack application credential create/);
  });

  it('access rules that do not allow object storage are refused at check, before any backup', async () => {
    const limited = await acu.credential({ accessRules: [{ service: 'identity', method: 'GET', path: '/v3/users/*' }] });
    const r = await runCli(['check', '--container', container], { cleanEnv: true, env: { ...credEnv(), OS_APPLICATION_CREDENTIAL_ID: limited.id, OS_APPLICATION_CREDENTIAL_SECRET: limited.secret } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/access rules that do not allow object storage \(it allows only: identity\)/);
    expect(r.stderr).toMatch(/service object-store/);
  });
});
