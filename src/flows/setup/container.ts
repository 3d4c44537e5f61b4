import { hostname } from 'node:os';
import { UserError, describeError } from '../../core/errors';
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
        } else if ((head.objectCount ?? 0) > 0) {
          prompt.show({ title: `Container "${name}" already holds ${head.objectCount} objects; duplicity keeps its own files apart by name and will add to them.`, tone: 'warning' });
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
