import { UserError } from '../errors';

export interface ContainerInfo {
  name: string;
  objects: number;
  bytes: number;
  /** It holds at least one full-backup manifest: a duplicity backup lives here. */
  hasBackup: boolean;
  /** Newest full backup's time stamp as in the object name (20261126T073508Z), when any. */
  lastFull?: string;
}

/** duplicity-full.20261126T073508Z.manifest.gpg (or .manifest, .manifest.gz): a full backup's manifest. */
const FULL_MANIFEST = /^duplicity-full\.(\d{8}T\d{6}Z)\.manifest(?:\.|$)/;

export function fullManifestTime(objectName: string): string | undefined {
  return FULL_MANIFEST.exec(objectName)?.[1];
}

async function getJson<T>(url: string, token: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { 'x-auth-token': token, accept: 'application/json' }, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new UserError(`Cannot reach Swift at ${url}: ${(error as Error).message}.`, { fix: 'Check the network and the object-store endpoint.', code: 'network' });
  }
  if (res.status === 204) return [] as T;
  if (!res.ok) throw new UserError(`Swift answered HTTP ${res.status} for ${url}.`, { fix: res.status === 401 || res.status === 403 ? 'This user may not read that project\'s storage; pick another project.' : 'Try again; check the endpoint.', code: 'swift' });
  return (await res.json()) as T;
}

/** Every container of the account, each marked when duplicity backups are in it (by their manifests). */
export async function listContainers(endpoint: string, token: string, signal?: AbortSignal): Promise<ContainerInfo[]> {
  const base = endpoint.replace(/\/+$/, '');
  const containers: Array<{ name: string; count: number; bytes: number }> = [];
  for (let marker = ''; ;) {
    const page = await getJson<Array<{ name: string; count: number; bytes: number }>>(`${base}?format=json&limit=1000${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`, token, signal);
    containers.push(...page);
    if (page.length < 1000) break;
    marker = page[page.length - 1]!.name;
  }
  return Promise.all(containers.map(async (c) => {
    const objects = await getJson<Array<{ name: string }>>(`${base}/${encodeURIComponent(c.name)}?format=json&prefix=duplicity-full.&limit=10000`, token, signal);
    const fulls = objects.map((o) => fullManifestTime(o.name)).filter((t): t is string => Boolean(t)).sort();
    return { name: c.name, objects: c.count, bytes: c.bytes, hasBackup: fulls.length > 0, lastFull: fulls[fulls.length - 1] };
  }));
}
