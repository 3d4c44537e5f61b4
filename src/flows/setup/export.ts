import type { Step } from '../run-steps';
import type { SetupState } from './state';

// Placeholder until its issue lands: the wizard shows the step and moves on.
export const exportStep: Step<SetupState> = {
  id: 'export',
  title: 'Export',
  async run(state) {
    state.ctx.prompt.show({ title: 'Export: not built yet.', tone: 'warning' });
  },
};
