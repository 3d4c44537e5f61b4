import type { Step } from '../run-steps';
import type { SetupState } from './state';

// Placeholder until its issue lands: the wizard shows the step and moves on.
export const scheduleStep: Step<SetupState> = {
  id: 'schedule',
  title: 'Schedule',
  async run(state) {
    state.ctx.prompt.show({ title: 'Schedule: not built yet.', tone: 'warning' });
  },
};
