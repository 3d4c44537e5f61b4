import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli';
import { startV2Stub, type V2Stub } from '../helpers/keystone-v2-stub';
import { osOnly, stack, type Stack } from '../helpers/stack';

// Keystone v2.0 against a STUB, on purpose: Keystone 22 on the test stack serves no v2.0 at all
// (removed upstream in Queens; GET / lists only v3). The stub answers in the documented v2.0
// shapes, and behind it the real Keystone v3 checks every password and tenant and issues the
// tokens, so the catalog it returns points at the real Swift proxy and the container check below
// really writes, reads and deletes there.

let s: Stack;
let stub: V2Stub;
const container = `v2-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  s = await stack();
  stub = await startV2Stub({ keystoneV3: s.keystone, swift: s.swift, region: s.region });
});

afterAll(async () => {
  // Remove the container through the real v3 API (the check leaves it, by design).
  const { login, openProject } = await import('../../src/core/openstack/connect');
  const session = await login({ authUrl: s.keystone, username: 'demo', userDomainName: 'Default' }, { password: s.demo.password }, {});
  const { scoped, endpoint } = await openProject(session, session.projects.find((p) => p.name === 'backup-a')!, {});
  await fetch(`${endpoint.url}/${container}`, { method: 'DELETE', headers: { 'X-Auth-Token': scoped.token } });
  await stub?.close();
});

const v2env = (extra: Record<string, string | undefined> = {}) =>
  osOnly({ OS_AUTH_URL: `${stub.url}/v2.0`, OS_USERNAME: 'demo', OS_PASSWORD: s.demo.password, OS_IDENTITY_API_VERSION: '2', ...extra });

describe('Keystone v2.0 (stub in front of the real stack)', () => {
  it('discovers v2.0 from an unversioned URL, gets an unscoped token, lists tenants', async () => {
    stub.log.length = 0;
    const r = await runCli(['tenants', '--json'], { cleanEnv: true, env: v2env({ OS_AUTH_URL: stub.url, OS_IDENTITY_API_VERSION: undefined }) });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson<{ identityVersion: string; authUrl: string; projects: { name: string; id: string }[] }>(r);
    expect(out.identityVersion).toBe('2.0');
    expect(out.authUrl).toBe(`${stub.url}/v2.0`);
    expect(out.projects.map((p) => p.name)).toEqual(['backup-a', 'backup-b']);
    // The tutorial's flow, in order: discovery, a token without a tenant, the tenant list.
    expect(stub.log).toEqual([
      { method: 'GET', path: '/' },
      { method: 'POST', path: '/v2.0/tokens', tenant: undefined },
      { method: 'GET', path: '/v2.0/tenants' },
    ]);
  });

  it('check with the tutorial\'s tenant:user form: tenant-scoped token, catalog, real Swift', async () => {
    stub.log.length = 0;
    const r = await runCli(['check', '--container', container, '--create', '--json'], { cleanEnv: true, env: v2env({ OS_USERNAME: 'backup-a:demo' }) });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = parseJson<{ identityVersion: string; created: boolean; target: Record<string, unknown> }>(r);
    expect(out.identityVersion).toBe('2.0');
    expect(out.created).toBe(true);
    expect(out.target).toMatchObject({ identityVersion: '2.0', username: 'demo', projectName: 'backup-a', region: 'RegionOne', authUrl: `${stub.url}/v2.0` });
    expect(out.target.userDomainName).toBeUndefined();
    expect(stub.log.filter((l) => l.method === 'POST').map((l) => l.tenant)).toEqual([undefined, expect.stringMatching(/^[0-9a-f]{32}$/)]);
  });

  it('wrong password: 401 with the fix', async () => {
    const r = await runCli(['tenants'], { cleanEnv: true, env: v2env({ OS_PASSWORD: 'wrong' }) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refused the credentials for user "demo" \(HTTP 401\)[\s\S]*Fix: Check the user name and password/);
  });

  it('a tenant the user is not in', async () => {
    const r = await runCli(['check', '--container', container], { cleanEnv: true, env: v2env({ OS_TENANT_NAME: 'ops-project' }) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no project named "ops-project"[\s\S]*Use one of: backup-a, backup-b/);
  });
});
