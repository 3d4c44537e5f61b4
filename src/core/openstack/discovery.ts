import { UserError } from '../errors';
import { jsonBody, request, type HttpOptions } from './http';
import type { IdentityVersion } from './target';

/**
 * Auth URLs come in every shape: with /v3 or /v2.0, with a trailing slash, under a path prefix
 * (devstack's /identity), or bare. We split off the version when it is there and ask the server
 * (GET on the root) only when it is not, which saves a round trip in the common case.
 */

export interface SplitUrl {
  /** Without the version segment and without a trailing slash. */
  root: string;
  version?: IdentityVersion;
}

const VERSION_TAIL = /\/(v3|v2\.0|v2)(?:\/(?:auth\/tokens|tokens)?)?\/*$/i;

export function authUrlProblem(url: string): string | undefined {
  const trimmed = url.trim();
  if (!trimmed) return 'The auth URL is empty. Give the Keystone URL, e.g. https://keystone.example.com:5000/v3.';
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return `"${trimmed}" is not a URL. Write it in full, e.g. https://keystone.example.com:5000/v3.`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `"${trimmed}" must start with https:// (or http://).`;
  if (parsed.username || parsed.password) return 'Put no user name or password inside the URL; they are asked separately.';
  if (parsed.search || parsed.hash) return 'The auth URL takes no ?query or #fragment.';
  return undefined;
}

export function splitAuthUrl(url: string): SplitUrl {
  const problem = authUrlProblem(url);
  if (problem) throw new UserError(problem, { fix: 'Pass --auth-url (or OS_AUTH_URL) as the Keystone URL from your provider\'s openrc or clouds.yaml.', code: 'usage' });
  const trimmed = url.trim().replace(/\/+$/, '');
  const match = VERSION_TAIL.exec(trimmed);
  if (!match) return { root: trimmed };
  const version: IdentityVersion = match[1]!.toLowerCase() === 'v3' ? '3' : '2.0';
  return { root: trimmed.slice(0, match.index), version };
}

export function versionedUrl(root: string, version: IdentityVersion): string {
  return `${root}/${version === '3' ? 'v3' : 'v2.0'}`;
}

interface VersionDoc {
  id?: string;
  status?: string;
}

export interface Discovered {
  /** The base every identity call is made under, e.g. http://host:5000/v3 */
  base: string;
  version: IdentityVersion;
  /** The versions the server offers (when we asked it). */
  offered: IdentityVersion[];
}

function versionOf(doc: VersionDoc): IdentityVersion | undefined {
  const id = (doc.id ?? '').toLowerCase();
  if (doc.status && /deprecated|deleted/i.test(doc.status) && id.startsWith('v2')) return undefined;
  if (id.startsWith('v3')) return '3';
  if (id.startsWith('v2')) return '2.0';
  return undefined;
}

/** The versions a root URL offers, with the base URL of each (from the server's own links). */
export async function offeredVersions(root: string, opts: HttpOptions): Promise<Map<IdentityVersion, string>> {
  const res = await request({ ...opts, method: 'GET', url: `${root}/`, headers: { Accept: 'application/json' } });
  if (res.status !== 200 && res.status !== 300) {
    throw new UserError(`${root}/ is not a Keystone endpoint (HTTP ${res.status} to version discovery).`, {
      fix: 'Give the Keystone URL from your provider\'s openrc (OS_AUTH_URL) or clouds.yaml (auth_url), usually ending in :5000 or /v3.',
      code: 'not-keystone',
    });
  }
  const body = jsonBody<{ versions?: { values?: VersionDoc[] } | VersionDoc[]; version?: VersionDoc }>(res, `Version discovery at ${root}/`);
  const docs: VersionDoc[] = [];
  if (Array.isArray(body.versions)) docs.push(...body.versions);
  else if (body.versions?.values) docs.push(...body.versions.values);
  if (body.version) docs.push(body.version);
  const found = new Map<IdentityVersion, string>();
  for (const doc of docs) {
    const version = versionOf(doc);
    if (!version || found.has(version)) continue;
    // Not the server's self link: behind a proxy it often names an internal host we cannot reach.
    found.set(version, versionedUrl(root, version));
  }
  if (found.size === 0) {
    throw new UserError(`${root}/ offers no Identity API version dupliswift speaks (v3 or v2.0).`, {
      fix: 'Check the URL is Keystone\'s (not Swift\'s or a dashboard\'s).',
      code: 'not-keystone',
    });
  }
  return found;
}

/**
 * Settles the identity version and base URL. A version in the URL wins (no request); `wanted`
 * (OS_IDENTITY_API_VERSION, an answer) comes next; otherwise the server says, and v3 is preferred.
 */
export async function discover(authUrl: string, wanted: IdentityVersion | undefined, opts: HttpOptions): Promise<Discovered> {
  const { root, version } = splitAuthUrl(authUrl);
  if (version) return { base: versionedUrl(root, version), version, offered: [version] };
  const offered = await offeredVersions(root, opts);
  const pick = wanted ?? (offered.has('3') ? '3' : '2.0');
  const base = offered.get(pick);
  if (!base) {
    throw new UserError(`${root} offers Identity API ${[...offered.keys()].map((v) => `v${v}`).join(', ')}, not v${pick}.`, {
      fix: pick === '2.0'
        ? 'This Keystone no longer serves v2.0: use v3 (set OS_IDENTITY_API_VERSION=3, give the user\'s domain, usually Default).'
        : 'Use the version the server offers (OS_IDENTITY_API_VERSION).',
      code: 'version',
    });
  }
  return { base, version: pick, offered: [...offered.keys()] };
}
