import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, openProject } from '../../src/core/openstack/connect';
import { checkContainer } from '../../src/core/openstack/swift';
import { Cancelled } from '../../src/prompt/port';
import { runCli } from '../helpers/cli';
import { startFaultProxy, type FaultProxy, type Rule } from '../helpers/fault-proxy';
import { osOnly, stack, type Stack } from '../helpers/stack';

// Failures the real stack will not produce on demand (slow answers, cut connections, 5xx, broken
// JSON, a private CA) come from a fault-injecting proxy placed in front of the real Keystone/Swift.

let s: Stack;
let keystoneProxy: FaultProxy;
let swiftProxy: FaultProxy;
let tlsProxy: FaultProxy;
let tlsDir: string;

const setRules = (proxy: FaultProxy, rules: Rule[]) => proxy.rules.splice(0, proxy.rules.length, ...rules);

beforeAll(async () => {
  s = await stack();
  keystoneProxy = await startFaultProxy('http://127.0.0.1:5000');
  swiftProxy = await startFaultProxy(s.swift);
  // A private CA and a server certificate for 127.0.0.1, as a cloud with its own CA has.
  tlsDir = await mkdtemp(join(tmpdir(), 'dupliswift-tls-'));
  const o = (args: string[]) => execa('openssl', args, { cwd: tlsDir });
  await o(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=dupliswift test CA']);
  await o(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  await execa('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > ext && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext'], { cwd: tlsDir });
  tlsProxy = await startFaultProxy('http://127.0.0.1:5000', { tls: { key: await readFile(join(tlsDir, 'server.key'), 'utf8'), cert: await readFile(join(tlsDir, 'server.pem'), 'utf8') } });
});

afterAll(async () => {
  await Promise.all([keystoneProxy?.close(), swiftProxy?.close(), tlsProxy?.close()]);
  if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
});

describe('Keystone misbehaving (through the CLI)', () => {
  const env = (extra: Record<string, string> = {}) => osOnly(s.demo.env, { OS_AUTH_URL: `${keystoneProxy.url}/v3`, ...extra });

  it('a slow Keystone hits the timeout, with a fix', async () => {
    setRules(keystoneProxy, [{ method: 'POST', path: /\/auth\/tokens$/, fault: { kind: 'slow', ms: 5000 } }]);
    const started = Date.now();
    const r = await runCli(['tenants'], { cleanEnv: true, env: env({ DUPLISWIFT_HTTP_TIMEOUT_MS: '400' }) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/did not answer within 0 s|did not answer within/);
    expect(r.stderr).toMatch(/Fix: Check the URL and that a firewall/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a connection reset', async () => {
    setRules(keystoneProxy, [{ path: /\/auth\/projects$/, fault: { kind: 'reset' } }]);
    const r = await runCli(['tenants'], { cleanEnv: true, env: env() });
    expect(r.stderr).toMatch(/connection to 127\.0\.0\.1:\d+ was closed before an answer arrived[\s\S]*Fix: Try again/);
    expect(keystoneProxy.hits.some((h) => h.includes('reset'))).toBe(true);
  });

  it('a 503 from Keystone', async () => {
    setRules(keystoneProxy, [{ method: 'POST', path: /\/auth\/tokens$/, fault: { kind: 'status', status: 503, body: 'Service Unavailable' } }]);
    const r = await runCli(['tenants'], { cleanEnv: true, env: env() });
    expect(r.stderr).toMatch(/server failed \(HTTP 503: Service Unavailable\)[\s\S]*Fix: This is on the cloud's side/);
  });

  it('malformed JSON from Keystone', async () => {
    setRules(keystoneProxy, [{ method: 'POST', path: /\/auth\/tokens$/, fault: { kind: 'malformed' } }]);
    const r = await runCli(['tenants', '--json'], { cleanEnv: true, env: env() });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'bad-response', message: expect.stringMatching(/not JSON/) } });
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a dashboard page where Keystone should be (version discovery gets HTML)', async () => {
    setRules(keystoneProxy, [{ method: 'GET', path: /^\/$/, fault: { kind: 'status', status: 200, body: '<html>Login</html>' } }]);
    const r = await runCli(['tenants'], { cleanEnv: true, env: env({ OS_AUTH_URL: keystoneProxy.url }) });
    expect(r.stderr).toMatch(/Version discovery at .* not JSON \(text\/html; charset=UTF-8: "<html>Login<\/html>…"\)[\s\S]*Fix: Check that the URL points at the OpenStack API itself/);
  });

  it('Ctrl-C (abort) ends a hanging request at once', async () => {
    setRules(keystoneProxy, [{ method: 'POST', path: /\/auth\/tokens$/, fault: { kind: 'slow', ms: 10_000 } }]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await expect(login({ authUrl: `${keystoneProxy.url}/v3`, username: 'demo' }, { password: s.demo.password }, { signal: controller.signal })).rejects.toBeInstanceOf(Cancelled);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('Swift misbehaving (core check through the proxy)', () => {
  let auth: { endpoint: string; token: string };
  beforeAll(async () => {
    const session = await login({ authUrl: s.keystone, username: 'demo', userDomainName: 'Default' }, { password: s.demo.password }, {});
    const { scoped, endpoint } = await openProject(session, session.projects.find((p) => p.name === 'backup-a')!, {});
    auth = { endpoint: endpoint.url.replace(s.swift, swiftProxy.url), token: scoped.token };
  });

  it('507 on the probe write: storage full', async () => {
    setRules(swiftProxy, [{ method: 'PUT', path: /\.dupliswift-probe-/, fault: { kind: 'status', status: 507 } }]);
    const error = await checkContainer(auth, 'dupliswift-fault-507', true, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage-full', message: expect.stringMatching(/storage is full \(HTTP 507/) });
    // The container itself was really created (only the probe write was refused): remove it.
    await fetch(`${auth.endpoint.replace(swiftProxy.url, s.swift)}/dupliswift-fault-507`, { method: 'DELETE', headers: { 'X-Auth-Token': auth.token } });
  });

  it('403 creating the container: role missing', async () => {
    setRules(swiftProxy, [{ method: 'HEAD', path: /\/fault-403$/, fault: { kind: 'status', status: 404, body: '' } }, { method: 'PUT', path: /\/fault-403$/, fault: { kind: 'status', status: 403 } }]);
    const error = await checkContainer(auth, 'fault-403', true, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/HTTP 403\) on container "fault-403"/), fix: expect.stringMatching(/role/) });
  });

  it('a probe read back corrupted is caught, and the probe is still deleted', async () => {
    const container = 'dupliswift-fault-probe';
    setRules(swiftProxy, [{ method: 'GET', path: /\.dupliswift-probe-/, fault: { kind: 'status', status: 200, body: 'not what was written', contentType: 'application/octet-stream' } }]);
    const error = await checkContainer(auth, container, true, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'corrupt' });
    setRules(swiftProxy, []);
    const list = await fetch(`${auth.endpoint}/${container}?format=json`, { headers: { 'X-Auth-Token': auth.token } });
    expect(await list.json()).toEqual([]);
    await fetch(`${auth.endpoint}/${container}`, { method: 'DELETE', headers: { 'X-Auth-Token': auth.token } });
  });

  it('a slow Swift hits the per-request timeout', async () => {
    setRules(swiftProxy, [{ method: 'HEAD', fault: { kind: 'slow', ms: 3000 } }]);
    const error = await checkContainer(auth, 'slow', false, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout' });
  });
});

describe('TLS with a private CA', () => {
  const env = (extra: Record<string, string> = {}) => osOnly(s.demo.env, { OS_AUTH_URL: `${tlsProxy.url}/v3`, ...extra });

  it('fails with the --cacert fix, and never silently turns verification off', async () => {
    const r = await runCli(['tenants'], { cleanEnv: true, env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/TLS with 127\.0\.0\.1:\d+ failed: .*certificate/);
    expect(r.stderr).toMatch(/Fix: If your cloud uses a private certificate authority, pass its CA file with --cacert FILE \(or set OS_CACERT, or cacert in clouds\.yaml\); setup keeps it in the profile .* dupliswift never turns certificate checks off\./);
  });

  it('works with --cacert, and with OS_CACERT', async () => {
    const flag = await runCli(['tenants', '--json', '--cacert', join(tlsDir, 'ca.pem')], { cleanEnv: true, env: env() });
    expect(flag.exitCode, flag.stderr).toBe(0);
    expect(JSON.parse(flag.stdout).projects).toHaveLength(2);
    const fromEnv = await runCli(['tenants', '--json'], { cleanEnv: true, env: env({ OS_CACERT: join(tlsDir, 'ca.pem') }) });
    expect(fromEnv.exitCode, fromEnv.stderr).toBe(0);
  });

  it('https:// to a plain-http port says to use http://', async () => {
    const r = await runCli(['tenants'], { cleanEnv: true, env: env({ OS_AUTH_URL: `${keystoneProxy.url.replace('http:', 'https:')}/v3` }) });
    expect(r.stderr).toMatch(/does not speak TLS on that port.*http:\/\/|closed the connection during the TLS handshake[\s\S]*http:\/\//);
  });
});
