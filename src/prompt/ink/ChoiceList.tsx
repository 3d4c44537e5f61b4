import React, { useState } from 'react';
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
  const [state, setState] = useState(() => initialChoiceList(labels.length, initial, visible));
  useInput((input, key) => {
    if (key.downArrow || input === 'j') setState((s) => moveFocus(s, 1));
    else if (key.upArrow || input === 'k') setState((s) => moveFocus(s, -1));
    else if (key.return) onSubmit(state.focus);
  });
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
