import { restoreItems } from '../databases/restore-items';
import { loadCommand } from '../databases/plan';
import type { Profile } from './types';

/** RESTORE.txt: what someone needs after a disaster, in plain words, with no secret in it. */
export function restoreNote(p: Profile, dir: string, script: string): string {
  const what = p.sources?.length ? p.sources.join(', ') : p.source;
  const dumps = restoreItems(p).filter((i) => i.dump);
  const dumpLines = dumps.length
    ? `\nDatabase dumps (files in the backup; restore one, then load it yourself, e.g.):\n${dumps.map((d) => `  ${d.label}: ${d.path}\n    ${loadCommand(d.dump!, `DEST/${d.path}`)}`).join('\n')}\n`
    : '';
  return `How to get files back from the "${p.name}" backups
=====================================================

What is backed up: ${what}${p.exclude.length ? ` (except ${p.exclude.join(', ')})` : ''}
Where it goes:     Swift container "${p.container}" in project "${p.openstack.projectName}" at ${p.openstack.authUrl}
                   (user ${p.openstack.username}${p.openstack.region ? `, region ${p.openstack.region}` : ''})
Encrypted to key:  ${p.keys.encrypt}
Signed with key:   ${p.keys.sign}
GnuPG home:        ${p.gnupgHome}

Easiest, on this machine:
  dupliswift restore --profile ${p.name} --target /srv/restored
or with the job's own script (DEST must not exist yet; PATH is relative to ${p.source}, "." for all):
  ${script} restore PATH DEST
  ${script} status            (lists the backups in Swift)
${dumpLines}
On a new machine you need, besides this folder's settings:
  - the SECRET part of the encryption key ${p.keys.encrypt} and its passphrase
    (from the export you kept off-site: the backups cannot be decrypted without it);
  - the OpenStack password of ${p.openstack.username}.
Then: dupliswift keys import ..., and dupliswift restore --container ${p.container}.

Secrets are not in this note. On this machine they are in ${p.secrets === 'file' ? `${dir}/secrets/ (0600 files)` : 'the keyring'}.
The backup log is ${dir}/backup.log.
`;
}
