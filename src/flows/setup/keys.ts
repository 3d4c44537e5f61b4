import type { Step } from '../run-steps';
import type { SetupState } from './state';

// Placeholder until its issue lands: the wizard shows the step and moves on.
export const keysStep: Step<SetupState> = {
  id: 'keys',
  title: 'Keys',
  async run(state) {
    state.ctx.prompt.show({ title: 'Keys: not built yet.', tone: 'warning' });
  },
};
