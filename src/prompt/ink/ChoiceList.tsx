import React, { useReducer, useRef } from 'react';
import { Box, Text, useInput } from 'ink';
import { initialChoiceList, moveFocus } from './choice-list-state';

export interface ChoiceListProps {
  labels: string[];
  /** Index that has the focus at first: the question's default. */
  initial: number;
  visible: number;
  onSubmit: (index: number) => void;
}

/**
 * A list of choices: arrows move, Enter picks the focused one. Written here because @inkjs/ui's
 * Select starts its focus on the first option and reports only a *changed* value, so Enter on a
 * preselected default did nothing.
 */
export function ChoiceList({ labels, initial, visible, onSubmit }: ChoiceListProps) {
  // The live state sits in a ref: keys that arrive in one burst (Down then Enter, a paste) are
  // handled before React re-renders, and Enter must see the focus that Down just moved.
  const ref = useRef<ReturnType<typeof initialChoiceList> | undefined>(undefined);
  ref.current ??= initialChoiceList(labels.length, initial, visible);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useInput((input, key) => {
    const current = ref.current!;
    if (key.downArrow || input === 'j') ref.current = moveFocus(current, 1);
    else if (key.upArrow || input === 'k') ref.current = moveFocus(current, -1);
    else if (key.return) return onSubmit(current.focus);
    else return;
    rerender();
  });
  const state = ref.current;
  const shown = labels.slice(state.top, state.top + state.visible);
  return (
    <Box flexDirection="column">
      {state.top > 0 ? <Text dimColor>  ↑ {state.top} more</Text> : null}
      {shown.map((label, i) => {
        const index = state.top + i;
        const focused = index === state.focus;
        return (
          <Text key={index} color={focused ? 'cyan' : undefined} bold={focused}>
            {focused ? '❯ ' : '  '}{label}
          </Text>
        );
      })}
      {state.top + state.visible < labels.length ? <Text dimColor>  ↓ {labels.length - state.top - state.visible} more</Text> : null}
    </Box>
  );
}
