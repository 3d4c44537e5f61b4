import { UserError } from '../errors';
import { badVolumeCode, type DuplicityOutcome } from './duplicity-run';

/**
 * Turns a failed duplicity run into words a person on their worst day can act on. The patterns are
 * duplicity 0.8's and gpg 2.2's own messages, measured on this stack.
 */
export function duplicityFailure(action: string, outcome: DuplicityOutcome): UserError {
  const text = [outcome.stderr, ...outcome.problems.flatMap((r) => r.message)].join('\n');
  const detail = lastLines(text);
  if (outcome.stopped?.reason === 'bad-volume' && badVolumeCode(outcome) === 21) {
    const volume = /duplicity-[A-Za-z0-9.-]+\.(?:difftar|sigtar|manifest)[A-Za-z0-9.]*/.exec(text)?.[0] ?? 'a volume';
    return new UserError(`${action} failed: ${volume} in Swift is corrupt (its hash differs from the backup's manifest); duplicity was stopped.`, {
      fix: 'Try again: damage on the way goes away. If it stays, the copy in Swift is bad: restore an older point in time (--time) from before that backup set, and run a new full backup.',
      code: 'corrupt-volume',
    });
  }
  if (outcome.stopped?.reason === 'stalled') {
    return new UserError(`${action} failed: duplicity made no progress for ${outcome.stopped.seconds ?? '?'} s (Swift or the network stopped answering), so it was stopped.`, {
      fix: 'Check the network and Swift (dupliswift doctor), then try again; DUPLISWIFT_STALL_SECONDS sets how long a stall may last.',
      code: 'stalled',
    });
  }
  if (outcome.exitCode === 127) {
    return new UserError('duplicity is not installed (or not on PATH).', { fix: 'Install it (apt-get install duplicity python3-swiftclient python3-keystoneclient), then run `dupliswift doctor`.', code: 'duplicity-missing' });
  }
  if (/Bad passphrase/i.test(text)) {
    const sign = /signing failed/i.test(text);
    return new UserError(`${action} failed: the ${sign ? 'signing' : 'encryption'} key's passphrase is wrong.`, {
      fix: `Give the passphrase you chose when the keys were made (${sign ? 'DUPLISWIFT_SIGN_PASSPHRASE' : 'DUPLISWIFT_ENCRYPT_PASSPHRASE'} when non-interactive).`,
      code: 'bad-passphrase',
    });
  }
  if (/No secret key|secret key not available/i.test(text)) {
    return new UserError(`${action} failed: this machine's GnuPG has no secret key that can decrypt the backup.`, {
      fix: 'Import the exported keys first (dupliswift keys import KEY.asc …, or the restore wizard\'s key step), in the same GNUPGHOME.',
      code: 'no-secret-key',
    });
  }
  if (/Volume was signed by key None/i.test(text)) {
    return new UserError(`${action} failed: the backup is not signed, but this profile expects every volume signed by its signing key.`, {
      fix: 'If the backup was made by hand without --sign-key, restore it with --container (and the OS_* variables) instead of --profile.',
      code: 'unsigned',
    });
  }
  if (/Volume was signed by key/i.test(text)) {
    return new UserError(`${action} failed: the backup was signed by another key than the one expected (${detail}).`, {
      fix: 'Check the signing key fingerprint in the profile; if the backup was made by hand, restore with --container instead of --profile.',
      code: 'wrong-signer',
    });
  }
  if (/Unauthorized|Authorization Failed/i.test(text)) {
    return new UserError(`${action} failed: Keystone refused the login.`, { fix: 'Check the user name, password (OS_PASSWORD), project and domains.', code: 'auth' });
  }
  if (/Endpoint for object-store not found/i.test(text)) {
    return new UserError(`${action} failed: no object-store endpoint in that region.`, { fix: 'Pick the region where the backup container lives (--region / OS_REGION_NAME).', code: 'region' });
  }
  if (/No backup chains found|No signature chains found|No such file or directory.*manifest|Found 0 .*chains/i.test(text)) {
    return new UserError(`${action} failed: there is no duplicity backup there.`, { fix: 'Check the container name (`dupliswift restore` lists the containers and marks those holding backups).', code: 'no-backup' });
  }
  if (/not found in archive|no files? (?:were )?restored|No such file or directory in backup/i.test(text)) {
    return new UserError(`${action} failed: that path is not in the backup at that time.`, { fix: 'Browse the backup (dupliswift restore) or check the path, relative to the backup root.', code: 'path-not-found' });
  }
  if (/already locked|Another instance is already running/i.test(text)) {
    return new UserError(`${action} failed: another duplicity is using the same cache right now.`, { fix: 'Wait for the backup job to finish, then try again.', code: 'locked' });
  }
  return new UserError(`${action} failed (duplicity exit ${outcome.exitCode}): ${detail}`, { fix: 'Run `dupliswift doctor`; the lines above are duplicity\'s own.', code: 'duplicity' });
}

function lastLines(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^=+|GnuPG log/.test(l));
  return lines.slice(-3).join(' / ') || 'no message';
}
