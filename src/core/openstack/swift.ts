import { createHash, randomBytes } from 'node:crypto';
import { UserError } from '../errors';
import { jsonBody, reasonOf, request, serverError, type HttpOptions, type HttpResponse } from './http';

/**
 * Swift, directly: account usage, the container (created on request), and a probe object written,
 * read back and deleted, so "it works" means the backup job's own operations worked.
 */

/**
 * Why a container name is unusable, or undefined. Swift allows 1-256 bytes of UTF-8 without '/';
 * the classic mistake is pasting the storage URL (or swift://name) where only the name belongs.
 */
export function containerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'The container name is empty: give a name such as "backups".';
  const url = /^(?:https?|swift):\/\//i.exec(name);
  if (url) {
    const last = name.replace(/\/+$/, '').split('/').pop() ?? '';
    const suggestion = /^(?:swift):\/\//i.test(name)
      ? name.replace(/^swift:\/\//i, '').split('/')[0]
      : /\/v1\/[^/]+\/[^/]+/.test(name) ? decodeURIComponentSafe(name.replace(/^.*\/v1\/[^/]+\//, '').split('/')[0] ?? '') : last;
    return `"${name}" is a URL, not a container name. Give only the name${suggestion ? ` (here probably "${suggestion}")` : ''}: dupliswift finds the storage URL in the Keystone catalog, and duplicity writes to swift://NAME.`;
  }
  if (name.includes('/')) return `"${name}" contains "/", which Swift does not allow in container names. Use a name like "${name.split('/').filter(Boolean).join('-')}".`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 256) return `The container name is ${bytes} bytes long; Swift allows at most 256 bytes (UTF-8).`;
  if (name !== name.trim()) return 'The container name starts or ends with a space; remove it (a space is easy to miss in scripts).';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'The container name contains a control character.';
  if (name === '.' || name === '..') return `"${name}" cannot be used as a container name.`;
  return undefined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function assertContainerName(name: string): void {
  const problem = containerNameProblem(name);
  if (problem) throw new UserError(problem, { fix: 'Pass --container NAME with a plain name, e.g. --container backups.', code: 'container-name' });
}

export interface SwiftAuth {
  /** The object-store endpoint (account URL), e.g. http://127.0.0.1:8080/v1/AUTH_abc. */
  endpoint: string;
  token: string;
}

function containerUrl(auth: SwiftAuth, container: string, object?: string): string {
  const base = `${auth.endpoint}/${encodeURIComponent(container)}`;
  return object === undefined ? base : `${base}/${object.split('/').map(encodeURIComponent).join('/')}`;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v));

/** 401/403/404/5xx from Swift, each with its fix. */
function swiftError(res: HttpResponse, what: string, container?: string): UserError {
  if (res.status === 401) {
    return new UserError(`${what}: Swift refused the token (HTTP 401).`, {
      fix: 'The token was not accepted by the object store: check the region and interface picked match the project, and try again (tokens expire).',
      code: 'swift-auth',
    });
  }
  if (res.status === 403) {
    return new UserError(`${what}: forbidden (HTTP 403)${container ? ` on container "${container}"` : ''}.`, {
      fix: 'This user lacks a role that may write to object storage in this project (often "member" or "swiftoperator"), or a container ACL forbids it: ask your cloud administrator to grant the role on the project, or pick another project.',
      code: 'forbidden',
    });
  }
  if (res.status === 404 && !container) {
    return new UserError(`${what}: the storage account does not exist (HTTP 404).`, {
      fix: 'Object storage may not be activated for this project yet (some providers require it in the dashboard first), or the catalog lists a wrong endpoint.',
      code: 'no-account',
    });
  }
  const reason = reasonOf(res);
  if (res.status === 409) return new UserError(`${what}: conflict (HTTP 409${reason ? `: ${reason}` : ''}).`, { fix: 'Try again in a moment.', code: 'conflict' });
  return serverError(res, what);
}

export interface AccountInfo {
  bytesUsed?: number;
  containerCount?: number;
  objectCount?: number;
  /** X-Account-Meta-Quota-Bytes, when the operator set one. */
  quotaBytes?: number;
  ms: number;
}

export async function accountHead(auth: SwiftAuth, opts: HttpOptions): Promise<AccountInfo> {
  const res = await request({ ...opts, method: 'HEAD', url: auth.endpoint, headers: { 'X-Auth-Token': auth.token } });
  if (res.status !== 204 && res.status !== 200) throw swiftError(res, 'Reading the storage account');
  return {
    bytesUsed: num(res.headers['x-account-bytes-used']),
    containerCount: num(res.headers['x-account-container-count']),
    objectCount: num(res.headers['x-account-object-count']),
    quotaBytes: num(res.headers['x-account-meta-quota-bytes']),
    ms: res.ms,
  };
}

export interface ContainerInfo {
  exists: boolean;
  objectCount?: number;
  bytesUsed?: number;
  quotaBytes?: number;
  ms: number;
}

export async function containerHead(auth: SwiftAuth, container: string, opts: HttpOptions): Promise<ContainerInfo> {
  const res = await request({ ...opts, method: 'HEAD', url: containerUrl(auth, container), headers: { 'X-Auth-Token': auth.token } });
  if (res.status === 404) return { exists: false, ms: res.ms };
  if (res.status !== 204 && res.status !== 200) throw swiftError(res, `Checking container "${container}"`, container);
  return {
    exists: true,
    objectCount: num(res.headers['x-container-object-count']),
    bytesUsed: num(res.headers['x-container-bytes-used']),
    quotaBytes: num(res.headers['x-container-meta-quota-bytes']),
    ms: res.ms,
  };
}

export async function containerPut(auth: SwiftAuth, container: string, opts: HttpOptions): Promise<number> {
  const res = await request({ ...opts, method: 'PUT', url: containerUrl(auth, container), headers: { 'X-Auth-Token': auth.token } });
  if (res.status !== 201 && res.status !== 202) throw swiftError(res, `Creating container "${container}"`, container);
  return res.ms;
}

export interface ProbeResult {
  object: string;
  bytes: number;
  putMs: number;
  getMs: number;
  deleteMs: number;
}

/**
 * Writes a random object with its MD5 as ETag (Swift refuses a mismatch with 422), reads it back,
 * compares, and deletes it. The delete runs even when the read fails, so nothing is left behind.
 */
export async function probe(auth: SwiftAuth, container: string, opts: HttpOptions, size = 4096): Promise<ProbeResult> {
  const object = `.dupliswift-probe-${randomBytes(8).toString('hex')}`;
  const data = randomBytes(size);
  const md5 = createHash('md5').update(data).digest('hex');
  const url = containerUrl(auth, container, object);
  const headers = { 'X-Auth-Token': auth.token };
  const put = await request({ ...opts, method: 'PUT', url, headers: { ...headers, ETag: md5, 'Content-Type': 'application/octet-stream' }, body: data });
  if (put.status === 422) {
    throw new UserError('Swift received the probe object corrupted (HTTP 422, checksum mismatch).', {
      fix: 'Something between this server and the cloud alters uploads (a proxy?): backups would be damaged. Check the network path.',
      code: 'corrupt',
    });
  }
  if (put.status !== 201) throw swiftError(put, `Writing a probe object into "${container}"`, container);
  const etag = (put.headers.etag ?? '').replace(/"/g, '');
  let getMs = 0;
  let failure: unknown;
  try {
    if (etag && etag !== md5) throw new UserError(`Swift reported checksum ${etag} for the probe, expected ${md5}.`, { fix: 'Something alters uploads between here and the cloud.', code: 'corrupt' });
    const get = await request({ ...opts, method: 'GET', url, headers });
    getMs = get.ms;
    if (get.status !== 200) throw swiftError(get, `Reading the probe object back from "${container}"`, container);
    if (!get.body.equals(data)) {
      throw new UserError(`The probe object read back from "${container}" differs from what was written (${get.body.length} of ${data.length} bytes).`, {
        fix: 'Something between this server and the cloud alters data: backups would not restore. Check proxies on the path.',
        code: 'corrupt',
      });
    }
  } catch (error) {
    failure = error;
  }
  const del = await request({ ...opts, method: 'DELETE', url, headers });
  if (failure) throw failure;
  if (del.status !== 204 && del.status !== 200 && del.status !== 404) throw swiftError(del, `Deleting the probe object from "${container}"`, container);
  return { object, bytes: size, putMs: put.ms, getMs, deleteMs: del.ms };
}

export interface CheckReport {
  container: string;
  endpoint: string;
  account: AccountInfo;
  created: boolean;
  containerInfo: ContainerInfo;
  probe: ProbeResult;
  totalMs: number;
}

/**
 * The whole container check. `create` decides what happens when the container is missing: a
 * boolean (flags), or a question the caller asks.
 */
export async function checkContainer(
  auth: SwiftAuth,
  container: string,
  create: boolean | ((container: string) => Promise<boolean>),
  opts: HttpOptions,
): Promise<CheckReport> {
  assertContainerName(container);
  const started = performance.now();
  const account = await accountHead(auth, opts);
  let info = await containerHead(auth, container, opts);
  let created = false;
  if (!info.exists) {
    const ok = typeof create === 'boolean' ? create : await create(container);
    if (!ok) {
      throw new UserError(`Container "${container}" does not exist.`, {
        fix: 'Pass --create to create it, or check the name (container names are case-sensitive).',
        code: 'container-missing',
      });
    }
    await containerPut(auth, container, opts);
    created = true;
    info = await containerHead(auth, container, opts);
    if (!info.exists) throw new UserError(`Container "${container}" was created but cannot be found right after.`, { fix: 'Try again; the cloud may be slow to become consistent.', code: 'container-missing' });
  }
  const result = await probe(auth, container, opts);
  return { container, endpoint: auth.endpoint, account, created, containerInfo: info, probe: result, totalMs: performance.now() - started };
}

const LISTING_PAGE = 1000;

/** Every entry of a JSON listing, page by page (Swift returns at most 10 000 per request); a 204 is an empty page. */
async function listAll<T extends { name: string }>(auth: SwiftAuth, base: string, query: string, what: string, opts: HttpOptions, container?: string): Promise<T[]> {
  const all: T[] = [];
  for (let marker = ''; ;) {
    const url = `${base}?format=json&limit=${LISTING_PAGE}${query}${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`;
    const res = await request({ ...opts, method: 'GET', url, headers: { 'X-Auth-Token': auth.token, Accept: 'application/json' } });
    if (res.status !== 200 && res.status !== 204) throw swiftError(res, what, container);
    const page = res.status === 204 ? [] : jsonBody<T[]>(res, what);
    all.push(...page);
    if (page.length < LISTING_PAGE) return all;
    marker = page[page.length - 1]!.name;
  }
}

export interface ContainerListing {
  name: string;
  /** Objects in it, and their bytes. */
  count: number;
  bytes: number;
}

/** The account's containers. */
export function listContainers(auth: SwiftAuth, opts: HttpOptions): Promise<ContainerListing[]> {
  return listAll<ContainerListing>(auth, auth.endpoint, '', 'Listing the containers', opts);
}

/** The names of a container's objects, only those starting with `prefix` when given. */
export async function listObjects(auth: SwiftAuth, container: string, prefix: string | undefined, opts: HttpOptions): Promise<string[]> {
  const query = prefix ? `&prefix=${encodeURIComponent(prefix)}` : '';
  const objects = await listAll<{ name: string }>(auth, containerUrl(auth, container), query, `Listing container "${container}"`, opts, container);
  return objects.map((o) => o.name);
}
