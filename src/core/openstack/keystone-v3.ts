import { UserError } from '../errors';
import { fromV3Catalog, type Endpoint } from './catalog';
import { jsonBody, reasonOf, request, serverError, type HttpOptions, type HttpResponse } from './http';

/** Keystone v3: password or application-credential auth, project listing, project-scoped tokens. */

export interface DomainRef {
  id?: string;
  name?: string;
}

export type V3Identity =
  | { method: 'password'; username?: string; userId?: string; domain?: DomainRef; password: string }
  | { method: 'application_credential'; id?: string; name?: string; username?: string; userId?: string; domain?: DomainRef; secret: string };

export type V3Scope = { projectId: string } | { projectName: string; domain: DomainRef };

export interface Project {
  id: string;
  name: string;
  domainId?: string;
  /** The domain's name where Keystone told us (the user's own domain, a scoped token); else undefined. */
  domainName?: string;
}

export interface V3Token {
  token: string;
  user: { id: string; name: string; domain: { id: string; name: string } };
  project?: Project;
  endpoints: Endpoint[];
  methods: string[];
  /** Set when the token came from an application credential. */
  applicationCredential?: { id: string; name?: string; accessRules?: { service?: string; method?: string; path?: string }[] };
  expiresAt?: string;
}

interface TokenBody {
  token: {
    methods?: string[];
    user: { id: string; name: string; domain: { id: string; name: string } };
    project?: { id: string; name: string; domain: { id: string; name: string } };
    catalog?: Parameters<typeof fromV3Catalog>[0];
    application_credential?: { id: string; name?: string; access_rules?: { service?: string; method?: string; path?: string }[] };
    expires_at?: string;
  };
}

function identityBody(identity: V3Identity): Record<string, unknown> {
  const domain = identity.domain?.id ? { id: identity.domain.id } : identity.domain?.name ? { name: identity.domain.name } : undefined;
  const user = identity.userId ? { id: identity.userId } : identity.username ? { name: identity.username, ...(domain ? { domain } : {}) } : undefined;
  if (identity.method === 'password') {
    return { methods: ['password'], password: { user: { ...user, password: identity.password } } };
  }
  const cred: Record<string, unknown> = { secret: identity.secret };
  if (identity.id) cred.id = identity.id;
  else {
    cred.name = identity.name;
    cred.user = user;
  }
  return { methods: ['application_credential'], application_credential: cred };
}

function scopeBody(scope: V3Scope): Record<string, unknown> {
  if ('projectId' in scope) return { project: { id: scope.projectId } };
  const domain = scope.domain.id ? { id: scope.domain.id } : { name: scope.domain.name };
  return { project: { name: scope.projectName, domain } };
}

function who(identity: V3Identity): string {
  if (identity.method === 'application_credential') return `application credential ${identity.id ?? identity.name ?? ''}`.trim();
  const domain = identity.domain?.name ?? identity.domain?.id;
  return `user "${identity.username ?? identity.userId}"${domain ? ` in domain "${domain}"` : ''}`;
}

function authError(res: HttpResponse, base: string, identity: V3Identity, scope: V3Scope | undefined): UserError {
  const reason = reasonOf(res);
  // Keystone answers a deleted (revoked) application credential with 404, an expired one with 401.
  const goneCredential = res.status === 404 && identity.method === 'application_credential' && /application credential/i.test(reason);
  if (res.status === 401 || goneCredential) {
    if (scope) {
      const target = 'projectId' in scope ? `project ${scope.projectId}` : `project "${scope.projectName}" in domain "${scope.domain.name ?? scope.domain.id}"`;
      return new UserError(`Keystone refused a token for ${target} (HTTP 401).`, {
        fix: 'The project does not exist in that domain, or this user has no role on it: run `dupliswift tenants` to see the projects you may use, and pass --project (and --project-domain) accordingly.',
        code: 'scope',
      });
    }
    return new UserError(`Keystone refused the credentials for ${who(identity)} (HTTP ${res.status}${goneCredential ? `: ${reason}` : ''}).`, {
      fix: identity.method === 'password'
        ? 'Check the password (OS_PASSWORD or --password-stdin), the user name, and the user\'s domain (--user-domain; most clouds use "Default"). Passwords are case-sensitive.'
        : 'The application credential was revoked (deleted), has expired, or its secret is wrong: create a new one (openstack application credential create --role member NAME; see the README) and give its id and secret (OS_APPLICATION_CREDENTIAL_ID / OS_APPLICATION_CREDENTIAL_SECRET), then run `dupliswift setup` again so the job uses it.',
      code: 'auth',
    });
  }
  if (res.status === 404) {
    return new UserError(`There is no Keystone v3 API at ${base} (HTTP 404 on ${base}/auth/tokens).`, {
      fix: 'Use the auth URL from your provider\'s openrc or clouds.yaml; give it without a version to let dupliswift ask the server which versions it speaks.',
      code: 'not-found',
    });
  }
  if (res.status === 400) {
    const domainMissing = /domain/i.test(reason);
    return new UserError(`Keystone rejected the login request (HTTP 400${reason ? `: ${reason}` : ''}).`, {
      fix: domainMissing ? 'Give the user\'s domain: --user-domain NAME or OS_USER_DOMAIN_NAME (usually "Default").' : 'Check the user name, domain and project given.',
      code: 'bad-request',
    });
  }
  if (res.status === 403) {
    return new UserError(`Keystone forbids this login (HTTP 403${reason ? `: ${reason}` : ''}).`, {
      fix: 'The account may be disabled, locked or need a password change; ask your cloud administrator.',
      code: 'forbidden',
    });
  }
  return serverError(res, 'Keystone login');
}

/** POST /v3/auth/tokens. Unscoped when `scope` is undefined (application credentials are always scoped). */
export async function v3Token(base: string, identity: V3Identity, scope: V3Scope | undefined, opts: HttpOptions): Promise<V3Token> {
  const auth: Record<string, unknown> = { identity: identityBody(identity) };
  if (scope) auth.scope = scopeBody(scope);
  const res = await request({
    ...opts,
    method: 'POST',
    url: `${base}/auth/tokens${scope || identity.method === 'application_credential' ? '' : '?nocatalog'}`,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ auth }),
  });
  if (res.status !== 201 && res.status !== 200) throw authError(res, base, identity, scope);
  const token = res.headers['x-subject-token'];
  const body = jsonBody<TokenBody>(res, 'Keystone login');
  if (!token || !body.token?.user) {
    throw new UserError('Keystone answered the login without a token.', { fix: 'Check the auth URL points at Keystone itself, not a proxy or dashboard.', code: 'bad-response' });
  }
  const p = body.token.project;
  return {
    token,
    user: body.token.user,
    project: p ? { id: p.id, name: p.name, domainId: p.domain?.id, domainName: p.domain?.name } : undefined,
    endpoints: fromV3Catalog(body.token.catalog),
    methods: body.token.methods ?? [],
    applicationCredential: body.token.application_credential
      ? { id: body.token.application_credential.id, name: body.token.application_credential.name, accessRules: body.token.application_credential.access_rules }
      : undefined,
    expiresAt: body.token.expires_at,
  };
}

interface ProjectsBody {
  projects?: { id: string; name: string; domain_id?: string; enabled?: boolean }[];
}

/** The projects this token's user may scope to: /v3/auth/projects, else the older /v3/users/{id}/projects. */
export async function v3Projects(base: string, auth: V3Token, opts: HttpOptions): Promise<Project[]> {
  const headers = { 'X-Auth-Token': auth.token, Accept: 'application/json' };
  let res = await request({ ...opts, method: 'GET', url: `${base}/auth/projects`, headers });
  if (res.status === 404 || res.status === 403) {
    res = await request({ ...opts, method: 'GET', url: `${base}/users/${encodeURIComponent(auth.user.id)}/projects`, headers });
  }
  if (res.status === 401) {
    throw new UserError('Keystone refused the token it had just issued (HTTP 401) while listing projects.', {
      fix: 'Try again; if it persists, the cloud\'s token validation is broken: report it to your provider.',
      code: 'auth',
    });
  }
  if (res.status === 403 && auth.project) {
    // An application credential may not list projects; it is bound to exactly one anyway.
    return [auth.project];
  }
  if (res.status !== 200) throw serverError(res, 'Listing projects');
  const body = jsonBody<ProjectsBody>(res, 'Keystone (project list)');
  const knownDomains = new Map<string, string>([[auth.user.domain.id, auth.user.domain.name]]);
  if (auth.project?.domainId && auth.project.domainName) knownDomains.set(auth.project.domainId, auth.project.domainName);
  return (body.projects ?? [])
    .filter((p) => p.enabled !== false)
    .map((p) => ({ id: p.id, name: p.name, domainId: p.domain_id, domainName: p.domain_id ? knownDomains.get(p.domain_id) : undefined }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
