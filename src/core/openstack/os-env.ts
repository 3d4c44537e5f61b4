import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import type { AuthType, IdentityVersion } from './target';

/**
 * Where connection settings come from, in OpenStack's own conventions: OS_* variables, an openrc
 * file (read, never executed), and clouds.yaml (OS_CLOUD). Later sources override earlier ones:
 * clouds.yaml < environment < openrc the user points at < command-line flags.
 */

export interface ConnectionInput {
  authUrl?: string;
  identityVersion?: IdentityVersion;
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  region?: string;
  interface?: 'public' | 'internal' | 'admin';
  cacert?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  /** OS_AUTH_TYPE / clouds.yaml auth_type / the answers' openstack.authType. */
  authType?: AuthType;
}

export interface Secrets {
  password?: string;
  applicationCredentialSecret?: string;
}

export interface Prefill {
  input: ConnectionInput;
  secrets: Secrets;
  /** Human-readable list of where values came from ("OS_* environment", "openrc ./x"). */
  sources: string[];
}

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function normaliseIdentityVersion(value: string | undefined): IdentityVersion | undefined {
  const v = clean(value)?.replace(/^v/i, '');
  if (v === undefined) return undefined;
  if (v === '3' || v.startsWith('3.')) return '3';
  if (v === '2' || v.startsWith('2.')) return '2.0';
  throw new UserError(`Identity API version "${value}" is not one dupliswift speaks.`, { fix: 'Use 3 (or 2.0 for old clouds).', code: 'usage' });
}

export function normaliseInterface(value: string | undefined): ConnectionInput['interface'] {
  const v = clean(value)?.toLowerCase().replace(/url$/, '');
  if (v === undefined) return undefined;
  if (v === 'public' || v === 'internal' || v === 'admin') return v;
  throw new UserError(`Interface "${value}" is not public, internal or admin.`, { fix: 'Use --interface public (the usual one), internal or admin.', code: 'usage' });
}

/** OS_AUTH_TYPE's spellings (keystoneauth's plugin names) as ours; anything else is refused with the two we speak. */
export function normaliseAuthType(value: string | undefined): AuthType | undefined {
  const v = clean(value)?.toLowerCase().replace(/[-_]/g, '');
  if (v === undefined) return undefined;
  if (v === 'password' || v === 'v3password' || v === 'v2password') return 'password';
  if (v === 'v3applicationcredential' || v === 'applicationcredential') return 'v3applicationcredential';
  throw new UserError(`Auth type "${value}" is not one dupliswift speaks.`, { fix: 'Use password (the default) or v3applicationcredential (OS_AUTH_TYPE, or auth_type in clouds.yaml).', code: 'usage' });
}

/** Reads OS_* variables (from the environment or a parsed openrc). */
export function fromOsVars(vars: Record<string, string | undefined>): { input: ConnectionInput; secrets: Secrets } {
  const input: ConnectionInput = {
    authUrl: clean(vars.OS_AUTH_URL),
    identityVersion: normaliseIdentityVersion(vars.OS_IDENTITY_API_VERSION ?? vars.OS_AUTH_VERSION),
    username: clean(vars.OS_USERNAME),
    userId: clean(vars.OS_USER_ID),
    userDomainName: clean(vars.OS_USER_DOMAIN_NAME),
    userDomainId: clean(vars.OS_USER_DOMAIN_ID),
    projectName: clean(vars.OS_PROJECT_NAME) ?? clean(vars.OS_TENANT_NAME),
    projectId: clean(vars.OS_PROJECT_ID) ?? clean(vars.OS_TENANT_ID),
    projectDomainName: clean(vars.OS_PROJECT_DOMAIN_NAME),
    projectDomainId: clean(vars.OS_PROJECT_DOMAIN_ID),
    region: clean(vars.OS_REGION_NAME),
    interface: normaliseInterface(vars.OS_INTERFACE ?? vars.OS_ENDPOINT_TYPE),
    cacert: clean(vars.OS_CACERT),
    applicationCredentialId: clean(vars.OS_APPLICATION_CREDENTIAL_ID),
    applicationCredentialName: clean(vars.OS_APPLICATION_CREDENTIAL_NAME),
    authType: normaliseAuthType(vars.OS_AUTH_TYPE),
  };
  // A v3 openrc often sets OS_DEFAULT_DOMAIN or only the domain id; fill the name only when nothing else says.
  if (!input.userDomainName && !input.userDomainId && clean(vars.OS_DEFAULT_DOMAIN)) input.userDomainId = clean(vars.OS_DEFAULT_DOMAIN);
  const secrets: Secrets = {
    password: vars.OS_PASSWORD === undefined || vars.OS_PASSWORD === '' ? undefined : vars.OS_PASSWORD,
    applicationCredentialSecret: vars.OS_APPLICATION_CREDENTIAL_SECRET || undefined,
  };
  return { input: dropUndefined(input), secrets: dropUndefined(secrets) };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * `export NAME=value` lines of an openrc file, without running it: quotes are removed, and values
 * that need a shell to mean anything ($VAR, $(cmd), backticks) are left out and reported, as in
 * the common `read -sr OS_PASSWORD_INPUT; export OS_PASSWORD=$OS_PASSWORD_INPUT`.
 */
export function parseOpenrc(text: string): { vars: Record<string, string>; skipped: string[] } {
  const vars: Record<string, string> = {};
  const skipped: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const name = match[1]!;
    let value = match[2]!.trim();
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
    } else {
      let quoted = false;
      if (value.startsWith('"')) {
        const end = value.lastIndexOf('"');
        value = end > 0 ? value.slice(1, end) : value.slice(1);
        quoted = true;
      } else {
        value = value.replace(/\s+#.*$/, '');
      }
      if (/[$`]/.test(value)) {
        skipped.push(name);
        continue;
      }
      if (quoted) value = value.replace(/\\(["\\$`])/g, '$1');
    }
    vars[name] = value;
  }
  return { vars, skipped };
}

export async function readOpenrc(path: string): Promise<{ input: ConnectionInput; secrets: Secrets; skipped: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the openrc file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      fix: 'Check the path given to --openrc (download it from your dashboard: API Access > Download OpenStack RC File).',
      code: 'usage',
    });
  }
  const { vars, skipped } = parseOpenrc(text);
  if (!Object.keys(vars).some((k) => k.startsWith('OS_'))) {
    throw new UserError(`${path} sets no OS_* variable.`, { fix: 'Point --openrc at the OpenStack RC file from your dashboard (lines like export OS_AUTH_URL=...).', code: 'usage' });
  }
  return { ...fromOsVars(vars), skipped };
}

/** clouds.yaml in the order openstacksdk searches: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/. */
export function cloudsYamlPaths(env: NodeJS.ProcessEnv, cwd = process.cwd()): string[] {
  const home = env.HOME || homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  const paths = [join(cwd, 'clouds.yaml'), join(xdg, 'openstack', 'clouds.yaml'), '/etc/openstack/clouds.yaml'];
  if (env.OS_CLIENT_CONFIG_FILE) paths.unshift(env.OS_CLIENT_CONFIG_FILE);
  return paths;
}

type CloudEntry = {
  auth?: Record<string, unknown>;
  region_name?: unknown;
  regions?: unknown;
  interface?: unknown;
  identity_api_version?: unknown;
  cacert?: unknown;
  auth_type?: unknown;
};

async function readYaml(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const { parse } = await import('yaml');
  try {
    const parsed: unknown = parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch (error) {
    throw new UserError(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}.`, { fix: 'Fix the file (it must hold a top-level "clouds:" mapping).', code: 'usage' });
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? clean(String(v)) : undefined);

/** One cloud from the first clouds.yaml that has it, merged with secure.yaml beside it (passwords live there). */
export async function readCloud(name: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<{ input: ConnectionInput; secrets: Secrets; path: string }> {
  const searched: string[] = [];
  for (const path of cloudsYamlPaths(env, cwd)) {
    searched.push(path);
    const doc = await readYaml(path);
    const cloud = (doc?.clouds as Record<string, CloudEntry> | undefined)?.[name];
    if (!cloud) continue;
    const secure = await readYaml(path.replace(/clouds\.yaml$/, 'secure.yaml'));
    const secureCloud = (secure?.clouds as Record<string, CloudEntry> | undefined)?.[name];
    const auth = { ...(cloud.auth ?? {}), ...(secureCloud?.auth ?? {}) };
    const regions = Array.isArray(cloud.regions) ? cloud.regions : [];
    const firstRegion = regions.length === 1 ? (typeof regions[0] === 'object' ? (regions[0] as { name?: unknown }).name : regions[0]) : undefined;
    const vars: Record<string, string | undefined> = {
      OS_AUTH_URL: str(auth.auth_url),
      OS_USERNAME: str(auth.username),
      OS_USER_ID: str(auth.user_id),
      OS_PASSWORD: typeof auth.password === 'string' ? auth.password : undefined,
      OS_USER_DOMAIN_NAME: str(auth.user_domain_name) ?? str(auth.domain_name),
      OS_USER_DOMAIN_ID: str(auth.user_domain_id) ?? str(auth.domain_id),
      OS_PROJECT_NAME: str(auth.project_name) ?? str(auth.tenant_name),
      OS_PROJECT_ID: str(auth.project_id) ?? str(auth.tenant_id),
      OS_PROJECT_DOMAIN_NAME: str(auth.project_domain_name),
      OS_PROJECT_DOMAIN_ID: str(auth.project_domain_id),
      OS_REGION_NAME: str(cloud.region_name) ?? str(firstRegion),
      OS_INTERFACE: str(cloud.interface),
      OS_IDENTITY_API_VERSION: str(cloud.identity_api_version),
      OS_CACERT: str(cloud.cacert),
      OS_APPLICATION_CREDENTIAL_ID: str(auth.application_credential_id),
      OS_APPLICATION_CREDENTIAL_NAME: str(auth.application_credential_name),
      OS_APPLICATION_CREDENTIAL_SECRET: typeof auth.application_credential_secret === 'string' ? auth.application_credential_secret : undefined,
      OS_AUTH_TYPE: str(cloud.auth_type),
    };
    return { ...fromOsVars(vars), path };
  }
  throw new UserError(`No cloud named "${name}" in any clouds.yaml.`, {
    fix: `Check OS_CLOUD / --os-cloud. Searched: ${searched.join(', ')}.`,
    code: 'usage',
  });
}

const PAIRS: [keyof ConnectionInput, keyof ConnectionInput][] = [
  ['userDomainName', 'userDomainId'], ['projectDomainName', 'projectDomainId'], ['projectName', 'projectId'], ['username', 'userId'],
];

/** Keystone domain ids are 32 hex digits, or "default" for the Default domain; anything else is a name. */
export function looksLikeId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value) || value === 'default';
}

/** Merges the sources in precedence order; `flags` last. Fields of later sources replace earlier ones. */
export async function gatherPrefill(opts: {
  env: NodeJS.ProcessEnv;
  cloud?: string;
  openrc?: string;
  flags?: ConnectionInput;
  cwd?: string;
}): Promise<Prefill> {
  let input: ConnectionInput = {};
  let secrets: Secrets = {};
  const sources: string[] = [];
  const cloud = opts.cloud ?? clean(opts.env.OS_CLOUD);
  if (cloud) {
    const c = await readCloud(cloud, opts.env, opts.cwd);
    input = { ...input, ...c.input };
    secrets = { ...secrets, ...c.secrets };
    sources.push(`cloud "${cloud}" in ${c.path}`);
  }
  const env = fromOsVars(opts.env);
  if (Object.keys(env.input).length || Object.keys(env.secrets).length) sources.push('OS_* environment');
  input = { ...input, ...env.input };
  secrets = { ...secrets, ...env.secrets };
  if (opts.openrc) {
    const rc = await readOpenrc(opts.openrc);
    input = { ...input, ...rc.input };
    secrets = { ...secrets, ...rc.secrets };
    sources.push(`openrc ${opts.openrc}${rc.skipped.length ? ` (not read, they need a shell: ${rc.skipped.join(', ')})` : ''}`);
  }
  if (opts.flags) {
    if (Object.keys(dropUndefined(opts.flags)).length) sources.push('command line');
    input = overlay(input, opts.flags);
  }
  return { input, secrets, sources };
}

/** `top` over `base`: a name given in `top` replaces the id from `base` too (and the other way round). */
export function overlay(base: ConnectionInput, top: ConnectionInput): ConnectionInput {
  const given = dropUndefined(top);
  const out = dropUndefined(base);
  for (const [name, id] of PAIRS) {
    if (given[name] !== undefined || given[id] !== undefined) {
      delete out[name];
      delete out[id];
    }
  }
  return { ...out, ...given };
}
