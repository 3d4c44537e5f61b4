import type { HttpOptions } from '../openstack/http';
import { listContainers, listObjects, type SwiftAuth } from '../openstack/swift';

export interface BackupContainer {
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

/** Every container of the account, each marked when duplicity backups are in it (by their manifests). */
export async function listBackupContainers(auth: SwiftAuth, http: HttpOptions): Promise<BackupContainer[]> {
  const containers = await listContainers(auth, http);
  return Promise.all(containers.map(async (c) => {
    const fulls = await backupsIn(auth, c.name, http);
    return { name: c.name, objects: c.count, bytes: c.bytes, hasBackup: fulls.length > 0, lastFull: fulls[fulls.length - 1] };
  }));
}

/** The duplicity backups one container holds: its full-backup time stamps, oldest first. */
export async function backupsIn(auth: SwiftAuth, container: string, http: HttpOptions): Promise<string[]> {
  return (await listObjects(auth, container, 'duplicity-full.', http)).map(fullManifestTime).filter((t): t is string => Boolean(t)).sort();
}
