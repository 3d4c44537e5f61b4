import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromV2Catalog, fromV3Catalog, pickEndpoint, regionsOf } from '../../src/core/openstack/catalog';
import { splitAuthUrl } from '../../src/core/openstack/discovery';
import { duplicitySwiftEnv } from '../../src/core/openstack/duplicity-env';
import { splitTenantUser } from '../../src/core/openstack/keystone-v2';
import { fromOsVars, gatherPrefill, parseOpenrc, readCloud } from '../../src/core/openstack/os-env';
import { containerNameProblem } from '../../src/core/openstack/swift';
import type { OpenStackTarget } from '../../src/core/openstack/target';
import { parseVersion } from '../../src/core/duplicity/version';

// Pure parts: no network. The real-stack behaviour is in the other files of this folder.

describe('auth URL', () => {
  it.each([
    ['http://h:5000/v3', 'http://h:5000', '3'],
    ['http://h:5000/v3/', 'http://h:5000', '3'],
    ['https://h/identity/v3', 'https://h/identity', '3'],
    ['http://h:5000/v2.0', 'http://h:5000', '2.0'],
    ['http://h:5000/v2.0/tokens', 'http://h:5000', '2.0'],
    ['http://h:5000/v3/auth/tokens', 'http://h:5000', '3'],
    ['http://h:5000', 'http://h:5000', undefined],
    ['http://h:5000/', 'http://h:5000', undefined],
  ])('%s splits into root and version', (url, root, version) => {
    expect(splitAuthUrl(url)).toEqual(version ? { root, version } : { root });
  });

  it('refuses what is not an http(s) URL, with the fix', () => {
    expect(() => splitAuthUrl('keystone.example.com:5000')).toThrow(/not a URL|https/);
    expect(() => splitAuthUrl('ftp://h/v3')).toThrow(/https/);
    expect(() => splitAuthUrl('https://u:p@h/v3')).toThrow(/no user name or password/);
  });
});

describe('container names', () => {
  it('accepts 1-256 bytes of UTF-8 without "/"', () => {
    expect(containerNameProblem('backups')).toBeUndefined();
    expect(containerNameProblem('x'.repeat(256))).toBeUndefined();
    expect(containerNameProblem('ü'.repeat(128))).toBeUndefined(); // 256 bytes
    expect(containerNameProblem('sauvegardes-été')).toBeUndefined();
  });
  it('refuses empty, too long (in bytes), and "/"', () => {
    expect(containerNameProblem('')).toMatch(/empty/);
    expect(containerNameProblem('x'.repeat(257))).toMatch(/257 bytes/);
    expect(containerNameProblem('ü'.repeat(129))).toMatch(/258 bytes/);
    expect(containerNameProblem('a/b')).toMatch(/"\/".*a-b/);
  });
  it('recognises a URL typed as the container and explains', () => {
    const problem = containerNameProblem('https://swift.example.com/v1/AUTH_abc123/my-backups');
    expect(problem).toMatch(/is a URL, not a container name/);
    expect(problem).toMatch(/"my-backups"/);
    expect(containerNameProblem('swift://nightly')).toMatch(/probably "nightly"/);
  });
});

describe('OS_* prefill', () => {
  it('reads the OpenStack variables, tenant aliases included', () => {
    const { input, secrets } = fromOsVars({
      OS_AUTH_URL: 'http://h:5000/v2.0', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_TENANT_NAME: 't', OS_REGION_NAME: 'R',
      OS_INTERFACE: 'internalURL', OS_IDENTITY_API_VERSION: '2',
    });
    expect(input).toEqual({ authUrl: 'http://h:5000/v2.0', username: 'u', projectName: 't', region: 'R', interface: 'internal', identityVersion: '2.0' });
    expect(secrets).toEqual({ password: 'p' });
  });

  it('parses an openrc without running it, leaving out what needs a shell', () => {
    const rc = [
      '#!/usr/bin/env bash',
      'export OS_AUTH_URL=https://keystone.example.com:5000/v3',
      'export OS_PROJECT_NAME="my project"',
      "export OS_USER_DOMAIN_NAME='Default'",
      'unset OS_TENANT_ID',
      'echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "',
      'read -sr OS_PASSWORD_INPUT',
      'export OS_PASSWORD=$OS_PASSWORD_INPUT',
      'export OS_REGION_NAME=RegionOne # the only one',
      'export OS_INTERFACE=public',
      'export OS_EVIL=$(rm -rf /tmp/nothing)',
    ].join('\n');
    const { vars, skipped } = parseOpenrc(rc);
    expect(vars).toEqual({
      OS_AUTH_URL: 'https://keystone.example.com:5000/v3', OS_PROJECT_NAME: 'my project', OS_USER_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'RegionOne', OS_INTERFACE: 'public',
    });
    expect(skipped).toEqual(['OS_PASSWORD', 'OS_EVIL']);
  });

  const dir = mkdtemp(join(tmpdir(), 'dupliswift-clouds-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it('finds OS_CLOUD in ~/.config/openstack/clouds.yaml, with secure.yaml merged, and lets env and flags override it', async () => {
    const home = await dir;
    await mkdir(join(home, '.config', 'openstack'), { recursive: true });
    await writeFile(join(home, '.config', 'openstack', 'clouds.yaml'), [
      'clouds:',
      '  mycloud:',
      '    auth:',
      '      auth_url: https://keystone.example.com:5000',
      '      username: alice',
      '      project_name: proj',
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      '    region_name: RegionTwo',
      '    interface: public',
      '    identity_api_version: 3',
    ].join('\n'));
    await writeFile(join(home, '.config', 'openstack', 'secure.yaml'), 'clouds:\n  mycloud:\n    auth:\n      password: from-secure-yaml\n');
    const env = { HOME: home };
    const cloud = await readCloud('mycloud', env, home + '/nowhere');
    expect(cloud.input).toMatchObject({ authUrl: 'https://keystone.example.com:5000', username: 'alice', projectName: 'proj', region: 'RegionTwo', identityVersion: '3' });
    expect(cloud.secrets.password).toBe('from-secure-yaml');

    const merged = await gatherPrefill({ env: { HOME: home, OS_CLOUD: 'mycloud', OS_REGION_NAME: 'RegionThree' }, cwd: home, flags: { projectName: 'other' } });
    expect(merged.input).toMatchObject({ username: 'alice', region: 'RegionThree', projectName: 'other' });
    expect(merged.sources[0]).toMatch(/cloud "mycloud"/);
    await expect(readCloud('nope', env, home)).rejects.toThrow(/No cloud named "nope"/);
  });
});

describe('catalog', () => {
  const v3 = fromV3Catalog([
    { type: 'identity', endpoints: [{ interface: 'public', region_id: 'R1', url: 'http://k/v3' }] },
    { type: 'object-store', endpoints: [
      { interface: 'public', region_id: 'R1', url: 'http://s1/v1/AUTH_x' },
      { interface: 'internal', region_id: 'R1', url: 'http://s1-int/v1/AUTH_x' },
      { interface: 'public', region_id: 'R2', url: 'http://s2/v1/AUTH_x/' },
    ] },
  ]);

  it('picks by region and interface, and asks for a region only when there is a real choice', () => {
    expect(regionsOf(v3)).toEqual(['R1', 'R2']);
    expect(pickEndpoint(v3, { region: 'R2', interface: 'public' }).url).toBe('http://s2/v1/AUTH_x');
    expect(pickEndpoint(v3, { region: 'R1', interface: 'internal' }).url).toBe('http://s1-int/v1/AUTH_x');
    expect(() => pickEndpoint(v3, { interface: 'public' })).toThrow(/several regions: R1, R2/);
    expect(() => pickEndpoint(v3, { region: 'R3', interface: 'public' })).toThrow(/no object-store endpoint in region "R3"/);
    expect(() => pickEndpoint(v3, { region: 'R2', interface: 'admin' })).toThrow(/no admin object-store endpoint/);
    const single = v3.filter((e) => e.region !== 'R2');
    expect(pickEndpoint(single, { interface: 'public' }).region).toBe('R1');
  });

  it('reads the v2.0 catalog shape', () => {
    const v2 = fromV2Catalog([{ type: 'object-store', endpoints: [{ region: 'R', publicURL: 'http://p', internalURL: 'http://i', adminURL: 'http://a' }] }]);
    expect(v2.map((e) => `${e.interface}=${e.url}`)).toEqual(['public=http://p', 'internal=http://i', 'admin=http://a']);
  });
});

describe('tenant:user', () => {
  it('splits at the first colon only', () => {
    expect(splitTenantUser('acme:alice')).toEqual({ tenant: 'acme', user: 'alice' });
    expect(splitTenantUser('alice')).toEqual({ user: 'alice' });
    expect(splitTenantUser(':alice')).toEqual({ user: ':alice' });
  });
});

describe('duplicity SWIFT_* environment', () => {
  const v3: OpenStackTarget = {
    authUrl: 'http://k:5000/v3', identityVersion: '3', username: 'u', userDomainName: 'ops', userDomainId: 'd1',
    projectName: 'p', projectId: 'pid', projectDomainName: 'ops', projectDomainId: 'd1', region: 'R', interface: 'internal',
  };

  it('v3: SWIFT_AUTHVERSION is exactly "3", domains by name, no SWIFT_PROJECT_NAME before 1.0', () => {
    expect(duplicitySwiftEnv(v3, 'pw', { duplicityVersion: parseVersion('0.8.22') })).toEqual({
      SWIFT_AUTHURL: 'http://k:5000/v3', SWIFT_AUTHVERSION: '3', SWIFT_USERNAME: 'u', SWIFT_PASSWORD: 'pw',
      SWIFT_USER_DOMAIN_NAME: 'ops', SWIFT_TENANTNAME: 'p', SWIFT_PROJECT_DOMAIN_NAME: 'ops', SWIFT_REGIONNAME: 'R', SWIFT_ENDPOINT_TYPE: 'internal',
    });
  });

  it('adds SWIFT_PROJECT_NAME for duplicity 1.0 and later, and REQUESTS_CA_BUNDLE for a CA file', () => {
    const env = duplicitySwiftEnv({ ...v3, cacert: '/etc/ca.pem' }, 'pw', { duplicityVersion: parseVersion('2.2.4') });
    expect(env.SWIFT_PROJECT_NAME).toBe('p');
    expect(env.SWIFT_TENANTNAME).toBe('p');
    expect(env.REQUESTS_CA_BUNDLE).toBe('/etc/ca.pem');
  });

  it('v2.0: version "2", the tenant:user form (no SWIFT_TENANTNAME: 0.8.22 loses it when creating the container), nothing v3-only', () => {
    const env = duplicitySwiftEnv({ authUrl: 'http://k:5000/v2.0', identityVersion: '2.0', username: 'u', projectName: 't', region: 'R', interface: 'public' }, 'pw');
    expect(env).toEqual({ SWIFT_AUTHURL: 'http://k:5000/v2.0', SWIFT_AUTHVERSION: '2', SWIFT_USERNAME: 't:u', SWIFT_PASSWORD: 'pw', SWIFT_REGIONNAME: 'R' });
  });
});
