import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GlobalOptions } from '../cli';
import { loadProfile } from '../core/profile/load';
import type { Profile } from '../core/profile/types';
import { uninstallSchedule } from '../core/schedule/install';
import { openSession } from '../session';
import { printJson } from './output';

export interface RemoveOptions extends GlobalOptions {
  profile: string;
  configDir?: string;
  deleteProfile?: boolean;
}

/** How to delete the backups by hand: this command never does. */
export function swiftDeleteHint(p: Profile): string {
  return `The backups in Swift container "${p.container}" (project ${p.openstack.projectName} at ${p.openstack.authUrl}) are untouched. `
    + `To delete them too, by hand and only if no other machine needs them: swift --os-auth-url ${p.openstack.authUrl} --os-username ${p.openstack.username} --os-project-name ${p.openstack.projectName} delete ${p.container}`;
}

/**
 * `dupliswift remove`: the schedule goes (only our own lines and files), the profile folder, the
 * exported keys and every backup in Swift stay. --delete-profile also deletes the folder, after a
 * confirmation that --yes alone never gives.
 */
export async function removeCommand(opts: RemoveOptions, hooks: { onCancel: () => void; signal: AbortSignal }): Promise<number> {
  const profile = await loadProfile(opts.profile, opts.configDir);
  const uid = process.getuid?.() ?? 1000;
  const log = (line: string) => process.stderr.write(`${line}\n`);

  let deleted = false;
  if (opts.deleteProfile) {
    // Asked before anything changes: a "no" leaves the schedule in place too.
    const session = await openSession({ ...opts, title: 'remove' }, hooks);
    try {
      deleted = await session.prompt.confirm({
        id: 'deleteProfile', destructive: true, default: false,
        message: `Delete the profile folder ${profile.dir} with its settings, secrets, log and cache? (backups in Swift stay)`,
        help: 'The exported keys elsewhere and the backups in Swift are not touched.',
      });
    } finally {
      await session.prompt.close();
    }
    if (!deleted) {
      log('Nothing removed: the profile folder deletion was not confirmed.');
      if (opts.json) printJson({ profile: profile.name, removed: [], profileDeleted: false, profileDir: profile.dir });
      return 1;
    }
  }

  const { removed } = await uninstallSchedule({ profile: profile.name, uid, env: process.env, signal: hooks.signal });
  if (deleted) {
    if (profile.secrets === 'keyring') {
      const { openSecretStore } = await import('../core/secrets/open-store');
      const { SECRET_VARIABLES } = await import('../core/schedule/script');
      const { store } = await openSecretStore({ prefer: 'keyring', fileRoot: dirname(profile.dir), env: process.env }).catch(() => ({ store: undefined }));
      for (const name of Object.keys(SECRET_VARIABLES)) await store?.delete(profile.name, name).catch(() => false);
    }
    await rm(profile.dir, { recursive: true, force: true });
  }
  const hint = swiftDeleteHint(profile);
  if (opts.json) {
    printJson({ profile: profile.name, removed, profileDeleted: deleted, profileDir: profile.dir, swift: { container: profile.container, untouched: true, deleteByHand: hint } });
  } else {
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(removed.length ? `✔ Schedule of ${profile.name} removed:` : `ℹ ${profile.name} had no schedule installed; nothing to take away.`);
    for (const r of removed) out(`  ${r.detail}`);
    out(deleted ? `✔ Profile folder ${profile.dir} deleted.` : `ℹ The profile folder ${profile.dir} stays (run ${profile.script ?? 'backup.sh'} by hand, or setup again to schedule it).`);
    out(`ℹ ${hint}`);
  }
  return 0;
}
