import type { Step } from '../run-steps';
import type { SetupState } from './state';

// Placeholder until its issue lands: the wizard shows the step and moves on.
export const containerStep: Step<SetupState> = {
  id: 'container',
  title: 'Container',
  async run(state) {
    state.ctx.prompt.show({ title: 'Container: not built yet.', tone: 'warning' });
  },
};
