import { UserError } from '../errors';
import type { OpenStackTarget } from '../openstack/target';

/**
 * Just enough Keystone v3 for the restore wizard (login, projects, object-store endpoints).
 * Thin on purpose: the Keystone issue's src/core/openstack owns this; switch to it once it lands.
 */
export interface Endpoint {
  region: string;
  interface: string;
  url: string;
}

export interface Login {
  token: string;
  endpoints: Endpoint[];
}

export function v3Url(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(trimmed) ? trimmed : `${trimmed}/v3`;
}

function userIdentity(target: Pick<OpenStackTarget, 'username' | 'userDomainName' | 'userDomainId'>, password: string) {
  const domain = target.userDomainId ? { id: target.userDomainId } : { name: target.userDomainName ?? 'Default' };
  return { methods: ['password'], password: { user: { name: target.username, domain, password } } };
}

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new UserError(`Cannot reach Keystone at ${url}: ${(error as Error).cause ? String((error as Error & { cause: Error }).cause.message) : (error as Error).message}.`, { fix: 'Check the auth URL and the network.', code: 'network' });
  }
}

function refused(status: number): UserError {
  return status === 401
    ? new UserError('Keystone refused the login (401).', { fix: 'Check the user name, domain and password (OS_PASSWORD).', code: 'auth' })
    : new UserError(`Keystone answered HTTP ${status}.`, { fix: 'Check the auth URL, project and domains.', code: 'auth' });
}

/** Projects the user may use (an unscoped token, then /auth/projects). */
export async function listProjects(target: Pick<OpenStackTarget, 'authUrl' | 'username' | 'userDomainName' | 'userDomainId'>, password: string, signal?: AbortSignal): Promise<Array<{ id: string; name: string; domainId: string }>> {
  const base = v3Url(target.authUrl);
  const res = await post(`${base}/auth/tokens`, { auth: { identity: userIdentity(target, password) } }, signal);
  if (!res.ok) throw refused(res.status);
  const token = res.headers.get('x-subject-token') ?? '';
  const list = await fetch(`${base}/auth/projects`, { headers: { 'x-auth-token': token }, signal });
  if (!list.ok) throw refused(list.status);
  const body = (await list.json()) as { projects: Array<{ id: string; name: string; domain_id: string; enabled?: boolean }> };
  return body.projects.filter((p) => p.enabled !== false).map((p) => ({ id: p.id, name: p.name, domainId: p.domain_id })).sort((a, b) => a.name.localeCompare(b.name));
}

/** A project-scoped token and the object-store endpoints of its catalog. */
export async function login(target: OpenStackTarget, password: string, signal?: AbortSignal): Promise<Login> {
  const project = target.projectId
    ? { id: target.projectId }
    : { name: target.projectName, domain: target.projectDomainId ? { id: target.projectDomainId } : { name: target.projectDomainName ?? 'Default' } };
  const res = await post(`${v3Url(target.authUrl)}/auth/tokens`, { auth: { identity: userIdentity(target, password), scope: { project } } }, signal);
  if (!res.ok) throw refused(res.status);
  const body = (await res.json()) as { token: { catalog?: Array<{ type: string; endpoints: Array<{ region?: string; region_id?: string; interface: string; url: string }> }> } };
  const endpoints = (body.token.catalog ?? [])
    .filter((s) => s.type === 'object-store')
    .flatMap((s) => s.endpoints.map((e) => ({ region: e.region_id ?? e.region ?? '', interface: e.interface, url: e.url })));
  return { token: res.headers.get('x-subject-token') ?? '', endpoints };
}

export function pickEndpoint(endpoints: Endpoint[], region: string | undefined, iface: string): Endpoint {
  const found = endpoints.find((e) => e.interface === iface && (!region || e.region === region));
  if (!found) {
    const regions = [...new Set(endpoints.map((e) => e.region))].join(', ') || 'none';
    throw new UserError(`No object-store endpoint${region ? ` in region ${region}` : ''} (${iface}).`, { fix: `Pick one of the regions: ${regions}.`, code: 'region' });
  }
  return found;
}
