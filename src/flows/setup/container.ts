import { hostname } from 'node:os';
import { UserError, describeError } from '../../core/errors';
import { listProfiles } from '../../core/profile/load';
import { backupsIn } from '../../core/restore/containers';
import { count } from '../../core/words';
import { openTarget } from '../../core/openstack/connect';
import { DEFAULT_TIMEOUT_MS, type HttpOptions } from '../../core/openstack/http';
import { formatCheck } from '../../core/openstack/report';
import { checkContainer, containerHead, containerNameProblem, type SwiftAuth } from '../../core/openstack/swift';
import type { OpenStackTarget } from '../../core/openstack/target';
import type { Step } from '../run-steps';
import type { SetupState } from './state';

/**
 * The Container step: name the container, create it if the person agrees, and prove it with a
 * probe object (write, read back, compare, delete) so the first backup does not find out.
 */

const stamp = (t: string) => t.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)\d\dZ$/, '$1-$2-$3 $4:$5 UTC');

/**
 * May this server's backups go into a container that already holds objects? Other files are no
 * matter: duplicity reads and writes only its own "duplicity-" names. Another backup set is: two
 * sets in one container become one chain, so the job would need the other set's keys, and its
 * retention would delete the other set's backups. Fine only when a profile here made them, or the
 * person says they are this server's own.
 */
async function mayShareWithBackupsIn(state: SetupState, auth: SwiftAuth, name: string, http: HttpOptions): Promise<boolean> {
  const { prompt, env, configDir } = state.ctx;
  const fulls = await backupsIn(auth, name, http);
  if (fulls.length === 0) {
    prompt.show({ title: `Container "${name}" already holds other files; duplicity only reads and writes its own "duplicity-…" objects there.`, tone: 'info' });
    return true;
  }
  const target = state.openstack!.target;
  const owners = (await listProfiles({ configDir, env })).filter((p) => p.container === name && p.openstack.authUrl === target.authUrl
    && (p.openstack.projectId && target.projectId ? p.openstack.projectId === target.projectId : p.openstack.projectName === target.projectName));
  if (owners.length > 0) {
    prompt.show({ title: `Container "${name}" holds the backups of profile ${owners.map((p) => p.name).join(', ')}; the job will carry them on.`, tone: 'info' });
    return true;
  }
  return prompt.confirm({
    id: 'reuseContainer',
    destructive: true,
    default: false,
    message: `Container "${name}" already holds duplicity backups that no profile here made (${count(fulls.length, 'full backup')}, the newest from ${stamp(fulls[fulls.length - 1]!)}). Add this server's backups to them?`,
    help: 'Say no unless they are this server\'s own, made with these keys: the job would need the other backups\' keys, and its retention would delete them.',
  });
}

function defaultName(): string {
  const host = hostname().toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `backup-${host || 'server'}`;
}

export const containerStep: Step<SetupState> = {
  id: 'container',
  title: 'Container',
  async run(state) {
    const { prompt, signal } = state.ctx;
    if (!state.openstack) throw new UserError('The Container step needs the Keystone step first.', { fix: 'Run the whole wizard (dupliswift setup).' });
    const { target, password } = state.openstack;
    const http: HttpOptions = { signal, timeoutMs: DEFAULT_TIMEOUT_MS, cacert: target.cacert };
    const { endpoint, token } = await openTarget(target, password, http);
    const auth: SwiftAuth = { endpoint, token };
    let suggestion = state.container ?? defaultName();
    for (;;) {
      const name = await prompt.text({
        id: 'container',
        message: 'Swift container for the backups?',
        help: 'Just a name (1-256 bytes, no "/"); duplicity will write to swift://NAME.',
        default: suggestion,
        validate: containerNameProblem,
      });
      try {
        const head = await containerHead(auth, name, http);
        let create = false;
        if (!head.exists) {
          create = await prompt.confirm({ id: 'createContainer', message: `Container "${name}" does not exist yet. Create it?`, default: true });
          if (!create) {
            if (prompt.kind === 'answers') throw new UserError(`Container "${name}" does not exist and createContainer is false.`, { fix: 'Set "createContainer": true in the answers file, or name an existing container.' });
            suggestion = name;
            continue;
          }
        } else if ((head.objectCount ?? 0) > 0 && !(await mayShareWithBackupsIn(state, auth, name, http))) {
          if (prompt.kind === 'answers') {
            throw new UserError(`Container "${name}" already holds duplicity backups that no profile here made, and reuseContainer is false.`, { fix: 'Name a new container in the answers file (or set "reuseContainer": true if those are this server\'s own backups, made with these keys).' });
          }
          suggestion = `${name}-2`;
          continue;
        }
        const report = await prompt.task(
          { running: `Checking container "${name}" (write, read back, delete a probe)`, done: `Container "${name}" works` },
          () => checkContainer(auth, name, create, http),
        );
        // The task's own line already says it works; the details go under it.
        prompt.show({ title: 'What was checked:', lines: formatCheck(report, target).slice(1).map((l) => l.trim()), tone: 'info' });
        state.container = name;
        return;
      } catch (error) {
        if (!(error instanceof UserError) || prompt.kind === 'answers') throw error;
        const { message, fix } = describeError(error);
        prompt.show({ title: message, lines: fix ? [`Fix: ${fix}`] : [], tone: 'error' });
        suggestion = name;
      }
    }
  },
};
