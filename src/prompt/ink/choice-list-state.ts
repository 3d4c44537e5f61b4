/**
 * State of a choice list: which option has the focus and which slice of the options is visible.
 * Pure, so the movement rules are tested without a terminal.
 */
export interface ChoiceListState {
  focus: number;
  /** Index of the first visible option. */
  top: number;
  count: number;
  visible: number;
}

export function initialChoiceList(count: number, focus: number, visible: number): ChoiceListState {
  const shown = Math.max(1, Math.min(visible, count));
  const f = Math.min(Math.max(0, focus), Math.max(0, count - 1));
  // Put the focused option in view from the start, as low as it needs to be and no lower.
  const top = Math.min(Math.max(0, f - shown + 1), Math.max(0, count - shown));
  return { focus: f, top, count, visible: shown };
}

export function moveFocus(state: ChoiceListState, delta: number): ChoiceListState {
  if (state.count === 0) return state;
  // Wrapping at the ends, as @inkjs/ui's Select and inquirer's do.
  const focus = (state.focus + delta + state.count) % state.count;
  let top = state.top;
  if (focus < top) top = focus;
  if (focus >= top + state.visible) top = focus - state.visible + 1;
  return { ...state, focus, top };
}
