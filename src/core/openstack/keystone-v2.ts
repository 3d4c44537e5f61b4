import { UserError } from '../errors';
import { fromV2Catalog, type Endpoint } from './catalog';
import { jsonBody, reasonOf, request, serverError, type HttpOptions } from './http';
import type { Project } from './keystone-v3';

/**
 * Keystone v2.0, as older clouds (and the tutorials written for them) still use it:
 * POST /v2.0/tokens without a tenant, GET /v2.0/tenants, then a tenant-scoped token.
 */

export interface V2Token {
  token: string;
  tenant?: Project;
  endpoints: Endpoint[];
  user: { id?: string; name?: string };
}

/**
 * The tutorials' `tenant:user` user name (swiftclient splits it the same way when no tenant is
 * given). Only the first colon separates: user names may contain colons, tenant names rarely do.
 */
export function splitTenantUser(username: string): { tenant?: string; user: string } {
  const at = username.indexOf(':');
  if (at <= 0 || at === username.length - 1) return { user: username };
  return { tenant: username.slice(0, at), user: username.slice(at + 1) };
}

interface AccessBody {
  access?: {
    token?: { id?: string; tenant?: { id: string; name: string } };
    serviceCatalog?: Parameters<typeof fromV2Catalog>[0];
    user?: { id?: string; name?: string; username?: string };
  };
}

export async function v2Token(
  base: string,
  creds: { username: string; password: string; tenantName?: string; tenantId?: string },
  opts: HttpOptions,
): Promise<V2Token> {
  const auth: Record<string, unknown> = { passwordCredentials: { username: creds.username, password: creds.password } };
  if (creds.tenantId) auth.tenantId = creds.tenantId;
  else if (creds.tenantName) auth.tenantName = creds.tenantName;
  const res = await request({
    ...opts,
    method: 'POST',
    url: `${base}/tokens`,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ auth }),
  });
  if (res.status === 404) {
    throw new UserError(`This Keystone serves no v2.0 API: ${base}/tokens answered HTTP 404.`, {
      fix: 'Use Identity v3: give the auth URL ending in /v3 (or without a version) and the user\'s domain (--user-domain, usually "Default"). Keystone dropped v2.0 in the Queens release.',
      code: 'v2-not-found',
    });
  }
  if (res.status === 401) {
    const tenant = creds.tenantName ?? creds.tenantId;
    throw new UserError(tenant
      ? `Keystone refused user "${creds.username}" for tenant "${tenant}" (HTTP 401).`
      : `Keystone refused the credentials for user "${creds.username}" (HTTP 401).`, {
      fix: tenant
        ? 'Check the password, and that the tenant (project) name is one the user belongs to: run `dupliswift tenants` without a tenant.'
        : 'Check the user name and password (OS_PASSWORD or --password-stdin). Passwords are case-sensitive.',
      code: tenant ? 'scope' : 'auth',
    });
  }
  if (res.status === 400) {
    throw new UserError(`Keystone rejected the v2.0 login (HTTP 400: ${reasonOf(res)}).`, { fix: 'Check the user name and tenant.', code: 'bad-request' });
  }
  if (res.status !== 200 && res.status !== 201 && res.status !== 203) throw serverError(res, 'Keystone v2.0 login');
  const body = jsonBody<AccessBody>(res, 'Keystone v2.0 login');
  const id = body.access?.token?.id;
  if (!id) throw new UserError('Keystone v2.0 answered the login without a token id.', { fix: 'Check the auth URL points at Keystone.', code: 'bad-response' });
  const t = body.access?.token?.tenant;
  return {
    token: id,
    tenant: t ? { id: t.id, name: t.name } : undefined,
    endpoints: fromV2Catalog(body.access?.serviceCatalog),
    user: { id: body.access?.user?.id, name: body.access?.user?.name ?? body.access?.user?.username },
  };
}

/** GET /v2.0/tenants: the tenants an (unscoped) token's user belongs to. */
export async function v2Tenants(base: string, token: string, opts: HttpOptions): Promise<Project[]> {
  const res = await request({ ...opts, method: 'GET', url: `${base}/tenants`, headers: { 'X-Auth-Token': token, Accept: 'application/json' } });
  if (res.status !== 200) throw serverError(res, 'Listing tenants');
  const body = jsonBody<{ tenants?: { id: string; name: string; enabled?: boolean }[] }>(res, 'Keystone v2.0 (tenant list)');
  return (body.tenants ?? [])
    .filter((t) => t.enabled !== false)
    .map((t) => ({ id: t.id, name: t.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
