import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, openProject } from '../../src/core/openstack/connect';
import { request } from '../../src/core/openstack/http';
import { checkContainer } from '../../src/core/openstack/swift';
import { parseJson, runCli } from '../helpers/cli';
import { secretsInArgv, traceExecs, type ExecTrace } from '../helpers/exec-trace';
import { osOnly, stack, type Stack } from '../helpers/stack';

// Against the REAL Keystone v3 + Swift of scripts/stack/up.sh, through the built CLI as users run it.

let s: Stack;
const run = `${process.pid}-${Date.now().toString(36)}`;
const created: { project: 'backup-a' | 'backup-b'; container: string }[] = [];
let argv: ExecTrace;
/** Secrets that a test makes along the way; the file's trace is checked for them too. */
const moreSecrets: string[] = [];

async function swiftFor(project: 'backup-a' | 'backup-b') {
  const session = await login({ authUrl: s.keystone, username: s.demo.username, userDomainName: 'Default' }, { password: s.demo.password }, {});
  const p = session.projects.find((x) => x.name === project)!;
  const { scoped, endpoint } = await openProject(session, p, { region: s.region });
  return { endpoint: endpoint.url, token: scoped.token };
}

async function listing(project: 'backup-a' | 'backup-b', container: string): Promise<{ status: number; names: string[] }> {
  const auth = await swiftFor(project);
  const res = await request({ method: 'GET', url: `${auth.endpoint}/${encodeURIComponent(container)}?format=json`, headers: { 'X-Auth-Token': auth.token } });
  return { status: res.status, names: res.status === 200 ? (JSON.parse(res.body.toString()) as { name: string }[]).map((o) => o.name) : [] };
}

beforeAll(async () => {
  s = await stack();
  argv = await traceExecs();
});

afterAll(async () => {
  for (const { project, container } of created) {
    const auth = await swiftFor(project);
    await request({ method: 'DELETE', url: `${auth.endpoint}/${encodeURIComponent(container)}`, headers: { 'X-Auth-Token': auth.token } });
  }
  // Passwords went by environment and stdin only: no process ever had one in its argv.
  expect(secretsInArgv(await argv.stop(), [s.demo.password, s.ops.password, ...moreSecrets])).toEqual([]);
});

describe('tenants (v3)', () => {
  it('lists the demo user\'s two projects with ids and domain, from OS_* alone', async () => {
    const r = await runCli(['tenants', '--json'], { cleanEnv: true, env: osOnly(s.demo.env, { OS_PROJECT_NAME: undefined }) });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson<{ identityVersion: string; projects: { id: string; name: string; domain: string }[] }>(r);
    expect(out.identityVersion).toBe('3');
    expect(out.projects.map((p) => [p.name, p.domain])).toEqual([['backup-a', 'Default'], ['backup-b', 'Default']]);
    for (const p of out.projects) expect(p.id).toMatch(/^[0-9a-f]{32}$/);
    expect(r.stdout + r.stderr).not.toContain(s.demo.password);
  });

  it('lists a user of the non-Default "ops" domain, with the auth URL given without a version (discovery)', async () => {
    const r = await runCli(['tenants', '--json', '--auth-url', 'http://127.0.0.1:5000', '--username', 'opsuser', '--user-domain', 'ops'], {
      cleanEnv: true, env: osOnly({ OS_PASSWORD: s.ops.password }),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson<{ authUrl: string; projects: { name: string; domain: string }[] }>(r);
    expect(out.authUrl).toBe('http://127.0.0.1:5000/v3');
    expect(out.projects).toMatchObject([{ name: 'ops-project', domain: 'ops' }]);
  });

  it('reads the password from stdin, and prints a readable table without --json', async () => {
    const r = await runCli(['tenants', '--password-stdin'], { cleanEnv: true, env: osOnly(s.demo.env, { OS_PASSWORD: undefined }), input: `${s.demo.password}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Keystone v3 at http:\/\/127\.0\.0\.1:5000\/v3, user demo \(domain Default\)/);
    expect(r.stdout).toMatch(/backup-a\s+domain Default/);
  });

  it('reads an openrc file the user points at (without running it)', async () => {
    const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/dupliswift-openrc-`);
    const rc = `${dir}/ops-openrc.sh`;
    await writeFile(rc, [
      'export OS_AUTH_URL=http://127.0.0.1:5000/v3', 'export OS_USERNAME="opsuser"', 'export OS_USER_DOMAIN_NAME=ops',
      'echo "Please enter your OpenStack Password: "', 'read -sr OS_PASSWORD_INPUT', 'export OS_PASSWORD=$OS_PASSWORD_INPUT',
    ].join('\n'));
    try {
      const r = await runCli(['tenants', '--json', '--openrc', rc], { cleanEnv: true, env: osOnly({ OS_PASSWORD: s.ops.password }) });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(parseJson<{ projects: { name: string }[] }>(r).projects.map((p) => p.name)).toEqual(['ops-project']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('check (v3)', () => {
  it('creates the container, proves write/read/delete with a probe, and leaves nothing but the container', async () => {
    const container = `check-${run}`;
    const r = await runCli(['check', '--container', container, '--create', '--json'], { cleanEnv: true, env: osOnly(s.demo.env, { OS_PROJECT_NAME: 'backup-b' }) });
    expect(r.exitCode, r.stderr).toBe(0);
    created.push({ project: 'backup-b', container });
    const out = parseJson<{ created: boolean; target: Record<string, string>; probe: { bytes: number; putMs: number }; account: { bytesUsed: number } }>(r);
    expect(out.created).toBe(true);
    expect(out.target).toMatchObject({ identityVersion: '3', projectName: 'backup-b', projectDomainName: 'Default', region: 'RegionOne', interface: 'public' });
    expect(out.target.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:8080\/v1\/AUTH_[0-9a-f]{32}$/);
    expect(out.probe.bytes).toBeGreaterThan(0);
    expect(out.account.bytesUsed).toBeTypeOf('number');
    expect(await listing('backup-b', container)).toEqual({ status: 200, names: [] });

    // Second run: the container exists; still nothing left behind.
    const again = await runCli(['check', '--container', container], { cleanEnv: true, env: osOnly(s.demo.env, { OS_PROJECT_NAME: 'backup-b' }) });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Container "check-.*" works/);
    expect(again.stdout).toMatch(/Probe .* write \d+ ms, read back and compared \d+ ms, delete \d+ ms/);
    expect(await listing('backup-b', container)).toEqual({ status: 200, names: [] });
  });

  it('refuses to create a missing container without --create', async () => {
    const container = `missing-${run}`;
    const r = await runCli(['check', '--container', container], { cleanEnv: true, env: osOnly(s.demo.env) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Container "missing-.*" does not exist\.\n\s+Fix: Pass --create/);
    expect((await listing('backup-a', container)).status).toBe(404);
  });

  it('validates the container name before any request (even with an unreachable Keystone)', async () => {
    const env = osOnly(s.demo.env, { OS_AUTH_URL: 'http://127.0.0.1:9/v3' });
    const url = await runCli(['check', '--container', 'http://127.0.0.1:8080/v1/AUTH_abc/backups'], { cleanEnv: true, env });
    expect(url.exitCode).toBe(1);
    expect(url.stderr).toMatch(/is a URL, not a container name.*probably "backups"/);
    const long = await runCli(['check', '--container', 'é'.repeat(129)], { cleanEnv: true, env });
    expect(long.stderr).toMatch(/258 bytes long; Swift allows at most 256/);
    const slash = await runCli(['check', '--container', 'a/b', '--json'], { cleanEnv: true, env });
    expect(JSON.parse(slash.stdout)).toMatchObject({ error: { code: 'container-name' } });
    expect(slash.stderr).not.toMatch(/refused/);
  });
});

describe('errors, each with its fix (real stack)', () => {
  const cases: [string, () => Record<string, string | undefined>, string[], RegExp][] = [
    ['wrong password: 401', () => ({ OS_PASSWORD: 'not-the-password' }), ['tenants'], /refused the credentials for user "demo" in domain "Default" \(HTTP 401\)[\s\S]*Fix: Check the password/],
    ['a v2.0 URL on a v3-only Keystone: 404', () => ({ OS_AUTH_URL: 'http://127.0.0.1:5000/v2.0', OS_IDENTITY_API_VERSION: '2' }), ['tenants'], /serves no v2\.0 API.*HTTP 404[\s\S]*Fix: Use Identity v3/],
    ['asking for v2.0 on an unversioned URL that only offers v3', () => ({ OS_AUTH_URL: 'http://127.0.0.1:5000', OS_IDENTITY_API_VERSION: '2.0' }), ['tenants'], /offers Identity API v3, not v2\.0/],
    ['refused port', () => ({ OS_AUTH_URL: 'http://127.0.0.1:9/v3' }), ['tenants'], /Nothing accepts connections at 127\.0\.0\.1:9[\s\S]*Fix: Check the port/],
    ['DNS failure', () => ({ OS_AUTH_URL: 'http://no-such-host.invalid:5000/v3' }), ['tenants'], /Cannot resolve the host name[\s\S]*Fix:/],
    ['a region without an object-store endpoint', () => ({ OS_REGION_NAME: 'RegionNine' }), ['check', '--container', 'x'], /no object-store endpoint in region "RegionNine"[\s\S]*Fix: Use one of the regions that have one: RegionOne/],
    ['no project chosen (two to choose from)', () => ({ OS_PROJECT_NAME: undefined }), ['check', '--container', 'x'], /No project was chosen[\s\S]*Fix: Pass --project NAME .* backup-a, backup-b/],
    ['a project the user does not have', () => ({ OS_PROJECT_NAME: 'ops-project' }), ['check', '--container', 'x'], /no project named "ops-project"[\s\S]*backup-a \(domain Default\)/],
    ['a project not in the given domain', () => ({ OS_PROJECT_DOMAIN_NAME: 'ops' }), ['check', '--container', 'x'], /Project "backup-a" is not in domain "ops"[\s\S]*--project-domain Default/],
    ['no password at all', () => ({ OS_PASSWORD: undefined }), ['tenants'], /No OpenStack password was given[\s\S]*OS_PASSWORD.*--password-stdin/],
  ];

  it.concurrent.each(cases)('%s', async (_name, overrides, args, expected) => {
    const r = await runCli(args, { cleanEnv: true, env: osOnly(s.demo.env, overrides()) });
    expect(r.exitCode, r.stdout).toBe(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain(s.demo.password);
  });

  it('403 on the container: a token for one project on another project\'s account', async () => {
    const a = await swiftFor('backup-a');
    const b = await swiftFor('backup-b');
    const error = await checkContainer({ endpoint: b.endpoint, token: a.token }, 'anything', true, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/forbidden \(HTTP 403\)/) });
    expect((error as { fix: string }).fix).toMatch(/role/);
  });
});

describe('application credentials (v3)', () => {
  it('list and check work; the output says the job gets tokens with it (no password user needed)', async () => {
    const session = await login({ authUrl: s.keystone, username: 'demo', userDomainName: 'Default' }, { password: s.demo.password }, {});
    const a = session.projects.find((p) => p.name === 'backup-a')!;
    const scoped = await session.scope(a);
    const userId = (await request({ method: 'GET', url: `${s.keystone}/auth/tokens`, headers: { 'X-Auth-Token': scoped.token, 'X-Subject-Token': scoped.token } })
      .then((r) => JSON.parse(r.body.toString()) as { token: { user: { id: string } } })).token.user.id;
    const res = await request({
      method: 'POST', url: `${s.keystone}/users/${userId}/application_credentials`,
      headers: { 'X-Auth-Token': scoped.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ application_credential: { name: `dupliswift-test-${run}` } }),
    });
    expect(res.status).toBe(201);
    const cred = (JSON.parse(res.body.toString()) as { application_credential: { id: string; secret: string } }).application_credential;
    // This file's trace (beforeAll) sees these runs too: one tracer per process, checked in afterAll.
    moreSecrets.push(cred.secret);
    try {
      const env = osOnly({ OS_AUTH_URL: s.keystone, OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_ID: cred.id, OS_APPLICATION_CREDENTIAL_SECRET: cred.secret });
      const t = await runCli(['tenants', '--json'], { cleanEnv: true, env });
      expect(t.exitCode, t.stderr).toBe(0);
      expect(parseJson(t)).toMatchObject({ identityVersion: '3', applicationCredential: true, projects: [{ name: 'backup-a' }], note: expect.stringMatching(/bound to one project.*the backup job gets a token with it/) });
      const container = `appcred-${run}`;
      const c = await runCli(['check', '--container', container, '--create'], { cleanEnv: true, env });
      expect(c.exitCode, c.stderr).toBe(0);
      created.push({ project: 'backup-a', container });
      expect(c.stdout).toMatch(/works[\s\S]*Note: An application credential is bound to one project/);
      expect(c.stdout).not.toMatch(/password user/);
    } finally {
      await request({ method: 'DELETE', url: `${s.keystone}/users/${userId}/application_credentials/${cred.id}`, headers: { 'X-Auth-Token': scoped.token } });
    }
  });
});
