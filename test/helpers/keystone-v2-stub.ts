import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Keystone v2.0 (Identity API v2.0) stand-in, because Keystone 22 on the test stack serves no v2.0
 * at all (it was removed upstream in Queens) and v2.0 clouds still exist.
 *
 * It answers in exactly the documented v2.0 shapes (GET / and /v2.0/, POST /v2.0/tokens with and
 * without tenantName/tenantId, GET /v2.0/tenants, the v2.0 error body) but checks nothing itself:
 * every password and tenant is checked by the REAL Keystone v3 behind it (user in domain Default),
 * and a tenant-scoped v2.0 token IS the real v3 token. So the serviceCatalog's object-store URLs
 * point at the real Swift proxy and the tokens work there: duplicity with SWIFT_AUTHVERSION=2 can
 * back up through this stub for real.
 */

export interface V2Stub {
  url: string;
  /** Requests seen, for asserting the flow (method + path + whether a tenant was asked). */
  log: { method: string; path: string; tenant?: string }[];
  close(): Promise<void>;
}

const unauthorized = { error: { message: 'The request you have made requires authentication.', code: 401, title: 'Unauthorized' } };

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Vary: 'X-Auth-Token' });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startV2Stub(opts: { keystoneV3: string; swift: string; region: string }): Promise<V2Stub> {
  const log: V2Stub['log'] = [];
  let self = '';

  const v3 = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${opts.keystoneV3}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, token: res.headers.get('x-subject-token') ?? undefined, json: (await res.json().catch(() => ({}))) as Record<string, any> };
  };

  const versionDoc = () => ({
    id: 'v2.0', status: 'stable', updated: '2014-04-17T00:00:00Z',
    links: [{ rel: 'self', href: `${self}/v2.0/` }, { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v2.0+json' }],
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
      if (req.method === 'GET' && path === '/') {
        log.push({ method: 'GET', path });
        return send(res, 300, { versions: { values: [versionDoc()] } });
      }
      if (req.method === 'GET' && path === '/v2.0') {
        log.push({ method: 'GET', path });
        return send(res, 200, { version: versionDoc() });
      }
      if (req.method === 'POST' && path === '/v2.0/tokens') {
        const body = JSON.parse((await readBody(req)) || '{}') as { auth?: { passwordCredentials?: { username?: string; password?: string }; tenantName?: string; tenantId?: string } };
        const creds = body.auth?.passwordCredentials;
        const tenant = body.auth?.tenantName ?? body.auth?.tenantId;
        log.push({ method: 'POST', path, tenant });
        if (!creds?.username || creds.password === undefined) {
          return send(res, 400, { error: { message: 'Expecting to find username or userId in passwordCredentials', code: 400, title: 'Bad Request' } });
        }
        const identity = { methods: ['password'], password: { user: { name: creds.username, domain: { id: 'default' }, password: creds.password } } };
        const scope = body.auth?.tenantId
          ? { project: { id: body.auth.tenantId } }
          : body.auth?.tenantName ? { project: { name: body.auth.tenantName, domain: { id: 'default' } } } : undefined;
        const r = await v3('POST', '/auth/tokens', { auth: scope ? { identity, scope } : { identity } });
        if (r.status !== 201 || !r.token) return send(res, 401, unauthorized);
        const t = r.json.token;
        const access: Record<string, unknown> = {
          token: {
            issued_at: t.issued_at, expires: t.expires_at, id: r.token, audit_ids: t.audit_ids,
            ...(t.project ? { tenant: { description: null, enabled: true, id: t.project.id, name: t.project.name } } : {}),
          },
          // v2.0 gives an unscoped token an empty catalog, as the real one did.
          serviceCatalog: t.project
            ? [{
                endpoints: [{
                  adminURL: `${opts.swift}/v1/AUTH_${t.project.id}`, region: opts.region, id: 'stub-object-store',
                  internalURL: `${opts.swift}/v1/AUTH_${t.project.id}`, publicURL: `${opts.swift}/v1/AUTH_${t.project.id}`,
                }],
                endpoints_links: [], type: 'object-store', name: 'swift',
              }]
            : [],
          user: { username: t.user.name, roles_links: [], id: t.user.id, roles: (t.roles ?? []).map((x: { name: string }) => ({ name: x.name })), name: t.user.name },
          metadata: { is_admin: 0, roles: (t.roles ?? []).map((x: { id: string }) => x.id) },
        };
        return send(res, 200, { access });
      }
      if (req.method === 'GET' && path === '/v2.0/tenants') {
        log.push({ method: 'GET', path });
        const token = req.headers['x-auth-token'];
        if (typeof token !== 'string') return send(res, 401, unauthorized);
        const r = await v3('GET', '/auth/projects', undefined, token);
        if (r.status !== 200) return send(res, 401, unauthorized);
        const tenants = (r.json.projects as { id: string; name: string; description?: string; enabled: boolean }[])
          .map((p) => ({ description: p.description ?? null, enabled: p.enabled, id: p.id, name: p.name }));
        return send(res, 200, { tenants_links: [], tenants });
      }
      log.push({ method: req.method ?? '?', path });
      return send(res, 404, { error: { message: 'The resource could not be found.', code: 404, title: 'Not Found' } });
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { message: String(error), code: 500, title: 'Internal Server Error' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    log,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
