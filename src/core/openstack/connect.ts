import { UserError } from '../errors';
import { pickEndpoint, type Endpoint, type Interface } from './catalog';
import { discover } from './discovery';
import type { HttpOptions } from './http';
import { splitTenantUser, v2Tenants, v2Token } from './keystone-v2';
import { v3Projects, v3Token, type DomainRef, type Project, type V3Identity } from './keystone-v3';
import type { ConnectionInput, Secrets } from './os-env';
import { looksLikeId } from './os-env';
import type { IdentityVersion, OpenStackTarget } from './target';

/**
 * One login, whichever identity version: who the user is, which projects they may use, and a way to
 * get a project-scoped token with its catalog. The `tenants` and `check` commands and the wizard's
 * Keystone step all go through here.
 */

export interface Login {
  version: IdentityVersion;
  /** Versioned base, e.g. http://host:5000/v3 */
  base: string;
  username: string;
  userDomain?: { id: string; name: string };
  /** Logged in with an application credential (bound to one project; the job gets tokens with it). */
  applicationCredential: boolean;
  /** Its id, as Keystone reported it (also when it was given by name). */
  applicationCredentialId?: string;
  projects: Project[];
  /** v2.0's `tenant:user` form: the tenant named in the user name. */
  tenantFromUsername?: string;
  scope(project: Project): Promise<Scoped>;
}

export interface Scoped {
  token: string;
  project: Project;
  endpoints: Endpoint[];
}

export const APP_CREDENTIAL_NOTE =
  'An application credential is bound to one project: no user name or project is asked. duplicity cannot log in with one, so the backup job gets a token with it before each run (its secret stays in a 0600 file or the keyring).';

/**
 * Access rules narrow what a credential may call; one that lists rules but none for object-store
 * gets tokens Swift refuses (HTTP 401), which would only show up at the first backup.
 */
export function assertObjectStoreAllowed(rules: { service?: string }[] | undefined, id: string): void {
  if (!rules || rules.length === 0) return;
  if (rules.some((r) => r.service === 'object-store')) return;
  throw new UserError(`The application credential ${id} has access rules that do not allow object storage (it allows only: ${[...new Set(rules.map((r) => r.service ?? '?'))].join(', ')}).`, {
    fix: 'Create a credential without access rules, or with rules for service object-store (methods GET, PUT, HEAD, DELETE, POST on /v1/**): openstack application credential create --role member NAME. Then give its id and secret again.',
    code: 'access-rules',
  });
}

function domainRef(name: string | undefined, id: string | undefined): DomainRef | undefined {
  if (id) return { id };
  if (name) return looksLikeId(name) ? { id: name } : { name };
  return undefined;
}

export async function login(input: ConnectionInput, secrets: Secrets, opts: HttpOptions): Promise<Login> {
  if (!input.authUrl) {
    throw new UserError('No Keystone auth URL was given.', {
      fix: 'Pass --auth-url URL, set OS_AUTH_URL (source your openrc, or --openrc FILE), or OS_CLOUD for clouds.yaml.',
      code: 'usage',
    });
  }
  const http = { ...opts, cacert: input.cacert ?? opts.cacert };
  const appCred = input.authType ? input.authType === 'v3applicationcredential' : Boolean(input.applicationCredentialId || input.applicationCredentialName);
  if (appCred && !input.applicationCredentialId && !input.applicationCredentialName) {
    throw new UserError('OS_AUTH_TYPE says v3applicationcredential, but no application credential is named.', {
      fix: 'Set OS_APPLICATION_CREDENTIAL_ID (or OS_APPLICATION_CREDENTIAL_NAME with OS_USERNAME and OS_USER_DOMAIN_NAME), and OS_APPLICATION_CREDENTIAL_SECRET.',
      code: 'usage',
    });
  }
  if (appCred && !input.applicationCredentialId && !input.username && !input.userId) {
    throw new UserError(`The application credential "${input.applicationCredentialName}" is named, but not its user.`, {
      fix: 'A credential given by name needs its owner: set OS_USERNAME and OS_USER_DOMAIN_NAME (or give OS_APPLICATION_CREDENTIAL_ID instead).',
      code: 'usage',
    });
  }
  const found = await discover(input.authUrl, appCred ? '3' : input.identityVersion, http);

  if (found.version === '2.0') return loginV2(found.base, input, secrets, http);

  if (appCred) {
    if (!secrets.applicationCredentialSecret) {
      throw new UserError('An application credential was given without its secret.', {
        fix: 'Set OS_APPLICATION_CREDENTIAL_SECRET (never on the command line).',
        code: 'usage',
      });
    }
    const identity: V3Identity = {
      method: 'application_credential',
      id: input.applicationCredentialId,
      name: input.applicationCredentialName,
      username: input.username,
      userId: input.userId,
      domain: domainRef(input.userDomainName, input.userDomainId),
      secret: secrets.applicationCredentialSecret,
    };
    const token = await v3Token(found.base, identity, undefined, http);
    if (!token.project) throw new UserError('The application credential is not bound to a project.', { fix: 'Create it with a project-scoped token.', code: 'scope' });
    const credentialId = token.applicationCredential?.id ?? input.applicationCredentialId ?? '';
    assertObjectStoreAllowed(token.applicationCredential?.accessRules, credentialId || input.applicationCredentialName || '');
    const project = token.project;
    return {
      version: '3', base: found.base, username: token.user.name, userDomain: token.user.domain, applicationCredential: true,
      applicationCredentialId: credentialId || undefined,
      projects: [project],
      scope: async () => ({ token: token.token, project, endpoints: token.endpoints }),
    };
  }

  if (!input.username && !input.userId) {
    throw new UserError('No OpenStack user name was given.', { fix: 'Pass --username NAME or set OS_USERNAME.', code: 'usage' });
  }
  const password = requirePassword(secrets);
  const identity: V3Identity = {
    method: 'password',
    username: input.username,
    userId: input.userId,
    // A v3 user name means nothing without its domain; "Default" is what nearly every cloud uses.
    domain: domainRef(input.userDomainName, input.userDomainId) ?? { name: 'Default' },
    password,
  };
  const unscoped = await v3Token(found.base, identity, undefined, http);
  const projects = await v3Projects(found.base, unscoped, http);
  return {
    version: '3', base: found.base, username: unscoped.user.name, userDomain: unscoped.user.domain, applicationCredential: false,
    projects,
    async scope(project) {
      const scoped = await v3Token(found.base, identity, { projectId: project.id }, http);
      return { token: scoped.token, project: scoped.project ?? project, endpoints: scoped.endpoints };
    },
  };
}

function requirePassword(secrets: Secrets): string {
  if (secrets.password === undefined) {
    throw new UserError('No OpenStack password was given.', {
      fix: 'Set OS_PASSWORD in the environment, pipe it with --password-stdin, or name a profile whose password is in the keyring with DUPLISWIFT_PROFILE=NAME (never as a command-line argument).',
      code: 'no-password',
    });
  }
  return secrets.password;
}

async function loginV2(base: string, input: ConnectionInput, secrets: Secrets, http: HttpOptions): Promise<Login> {
  if (!input.username) throw new UserError('No OpenStack user name was given.', { fix: 'Pass --username NAME (or tenant:user) or set OS_USERNAME.', code: 'usage' });
  const password = requirePassword(secrets);
  // The tutorials' tenant:user form: the tenant rides in the user name.
  const { tenant, user } = splitTenantUser(input.username);
  const unscoped = await v2Token(base, { username: user, password }, http);
  const projects = await v2Tenants(base, unscoped.token, http);
  return {
    version: '2.0', base, username: user, applicationCredential: false, projects,
    tenantFromUsername: tenant,
    async scope(project) {
      const scoped = await v2Token(base, { username: user, password, tenantId: project.id }, http);
      return { token: scoped.token, project: scoped.tenant ?? project, endpoints: scoped.endpoints };
    },
  };
}

function domainLabel(p: Project): string {
  return p.domainName ?? p.domainId ?? '';
}

/**
 * The project the input names, among those the user may use; undefined when the input names none.
 * Errors say what exists instead, so the fix is a copy-paste away.
 */
export function resolveProject(login: Login, input: ConnectionInput): Project | undefined {
  const { projects } = login;
  const wantedName = input.projectName ?? login.tenantFromUsername;
  const list = () => projects.map((p) => `${p.name}${domainLabel(p) && login.version === '3' ? ` (domain ${domainLabel(p)})` : ''}`).join(', ') || 'none';
  if (input.projectId) {
    const byId = projects.find((p) => p.id === input.projectId);
    if (!byId) {
      throw new UserError(`Project id ${input.projectId} is not among the projects this user may use.`, {
        fix: `Use one of: ${list()}. Run \`dupliswift tenants\` for the ids.`, code: 'project',
      });
    }
    return byId;
  }
  if (!wantedName) return undefined;
  let byName = projects.filter((p) => p.name === wantedName || p.id === wantedName);
  if (byName.length === 0) {
    throw new UserError(`This user has no project named "${wantedName}".`, {
      fix: projects.length ? `Use one of: ${list()} (--project; names are case-sensitive).` : 'The user has no role on any project: ask your cloud administrator to grant one (e.g. "member").',
      code: 'project',
    });
  }
  const domain = domainRef(input.projectDomainName, input.projectDomainId);
  if (domain && login.version === '3') {
    const inDomain = byName.filter((p) => (domain.id ? p.domainId === domain.id : p.domainName === domain.name || (p.domainName === undefined && p.domainId === domain.name)));
    const unknown = byName.filter((p) => p.domainName === undefined && !domain.id);
    if (inDomain.length === 0 && unknown.length === 0) {
      throw new UserError(`Project "${wantedName}" is not in domain "${domain.name ?? domain.id}".`, {
        fix: `It is in domain ${byName.map(domainLabel).join(', ')}: pass --project-domain ${domainLabel(byName[0]!)} (or OS_PROJECT_DOMAIN_NAME).`,
        code: 'project-domain',
      });
    }
    byName = inDomain.length ? inDomain : unknown;
  }
  if (byName.length > 1) {
    throw new UserError(`Several projects are named "${wantedName}": ${byName.map((p) => `${p.id} (domain ${domainLabel(p)})`).join(', ')}.`, {
      fix: 'Pass --project-domain to say which, or --project with the id.', code: 'project-ambiguous',
    });
  }
  return byName[0]!;
}

/** After scoping: does the project's domain (known now) match what the input asked for? */
export function assertProjectDomain(scoped: Scoped, input: ConnectionInput): void {
  const want = domainRef(input.projectDomainName, input.projectDomainId);
  const got = scoped.project;
  if (!want || !got.domainId) return;
  const ok = want.id ? want.id === got.domainId : want.name === got.domainName;
  if (!ok) {
    throw new UserError(`Project "${got.name}" is not in domain "${want.name ?? want.id}".`, {
      fix: `It is in domain "${got.domainName ?? got.domainId}": pass --project-domain ${got.domainName ?? got.domainId}.`,
      code: 'project-domain',
    });
  }
}

export function noProjectChosen(login: Login): UserError {
  if (login.projects.length === 0) {
    return new UserError(`User "${login.username}" has no role on any project.`, {
      fix: 'Ask your cloud administrator to grant a role (e.g. "member") on the project that should hold the backups.',
      code: 'no-project',
    });
  }
  return new UserError('No project was chosen.', {
    fix: `Pass --project NAME (or set OS_PROJECT_NAME) to one of: ${login.projects.map((p) => p.name).join(', ')}.`,
    code: 'no-project',
  });
}

/** Puts the settled pieces together into what the profile keeps. */
export function toTarget(login: Login, scoped: Scoped, endpoint: Endpoint, input: ConnectionInput): OpenStackTarget {
  const target: OpenStackTarget = {
    authUrl: login.base,
    identityVersion: login.version,
    username: login.username,
    projectName: scoped.project.name,
    projectId: scoped.project.id,
    region: endpoint.region || undefined,
    interface: endpoint.interface,
    endpoint: endpoint.url,
  };
  if (login.version === '3') {
    if (login.userDomain) {
      target.userDomainName = login.userDomain.name;
      target.userDomainId = login.userDomain.id;
    }
    target.projectDomainName = scoped.project.domainName;
    target.projectDomainId = scoped.project.domainId;
  }
  if (input.cacert) target.cacert = input.cacert;
  if (login.applicationCredential) {
    target.authType = 'v3applicationcredential';
    target.applicationCredentialId = login.applicationCredentialId;
  }
  return target;
}

/** Scope, then pick the object-store endpoint (errors name the regions/interfaces that exist). */
export async function openProject(login: Login, project: Project, want: { region?: string; interface?: Interface }): Promise<{ scoped: Scoped; endpoint: Endpoint }> {
  const scoped = await login.scope(project);
  const endpoint = pickEndpoint(scoped.endpoints, { region: want.region, interface: want.interface ?? 'public' });
  return { scoped, endpoint };
}

/** What a saved target says, as connection input: its project by id, so a rename cannot redirect it. */
export function inputFromTarget(target: OpenStackTarget): ConnectionInput {
  return {
    authUrl: target.authUrl, identityVersion: target.identityVersion, username: target.username,
    userDomainName: target.userDomainName, userDomainId: target.userDomainId,
    projectName: target.projectName, projectId: target.projectId,
    projectDomainName: target.projectDomainName, projectDomainId: target.projectDomainId,
    region: target.region, interface: target.interface, cacert: target.cacert,
    ...(target.authType === 'v3applicationcredential' ? { authType: target.authType, applicationCredentialId: target.applicationCredentialId } : {}),
  };
}

export interface Settled {
  session: Login;
  scoped: Scoped;
  endpoint: Endpoint;
  target: OpenStackTarget;
}

/**
 * Without asking anyone: log in, take the project the input names (or the user's only one), scope
 * to it and pick its object-store endpoint. Each failure names what exists instead.
 */
export async function settleTarget(input: ConnectionInput, secrets: Secrets, http: HttpOptions): Promise<Settled> {
  const session = await login(input, secrets, http);
  const project = resolveProject(session, input) ?? (session.projects.length === 1 ? session.projects[0] : undefined);
  if (!project) throw noProjectChosen(session);
  const { scoped, endpoint } = await openProject(session, project, { region: input.region, interface: input.interface });
  assertProjectDomain(scoped, input);
  return { session, scoped, endpoint, target: toTarget(session, scoped, endpoint, input) };
}

/**
 * Logs in as a saved target says (a profile, or the Keystone step's result) and returns its
 * object-store endpoint and a project-scoped token: the one way from an OpenStackTarget to Swift.
 */
export async function openTarget(target: OpenStackTarget, password: string, http: HttpOptions): Promise<{ endpoint: string; token: string; login: Login }> {
  // `password` is the secret of the target's login method: an application credential's secret for those.
  const secrets: Secrets = target.authType === 'v3applicationcredential' ? { applicationCredentialSecret: password } : { password };
  const { session, scoped, endpoint } = await settleTarget(inputFromTarget(target), secrets, http);
  return { endpoint: endpoint.url, token: scoped.token, login: session };
}
