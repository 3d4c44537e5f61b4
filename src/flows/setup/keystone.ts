import type { Step } from '../run-steps';
import type { SetupState } from './state';

// Placeholder until its issue lands: the wizard shows the step and moves on.
export const keystoneStep: Step<SetupState> = {
  id: 'keystone',
  title: 'Keystone',
  async run(state) {
    state.ctx.prompt.show({ title: 'Keystone: not built yet.', tone: 'warning' });
  },
};
