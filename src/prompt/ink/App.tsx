import React, { useState, useSyncExternalStore } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { ConfirmInput, Spinner } from '@inkjs/ui';
import { TextField } from './TextField';
import { ChoiceList } from './ChoiceList';
import type { Tone } from '../port';
import type { LogEntry, Pending, WizardState, WizardStore } from './store';

const toneMark: Record<Tone, { mark: string; color: string }> = {
  info: { mark: 'ℹ', color: 'blue' },
  success: { mark: '✔', color: 'green' },
  warning: { mark: '⚠', color: 'yellow' },
  error: { mark: '✖', color: 'red' },
};

const stepMark = {
  done: { mark: '✔', color: 'green' },
  current: { mark: '▸', color: 'cyan' },
  todo: { mark: '○', color: 'gray' },
  skipped: { mark: '–', color: 'gray' },
  failed: { mark: '✖', color: 'red' },
} as const;

function StepRail({ state }: { state: WizardState }) {
  if (state.steps.length === 0) return null;
  return (
    <Box flexDirection="column" width={19} flexShrink={0} marginRight={1} borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false} paddingRight={1}>
      {state.steps.map((step, index) => {
        const status = state.states[step.id] ?? 'todo';
        const look = stepMark[status];
        return (
          <Text key={step.id} bold={status === 'current'} dimColor={status === 'todo'} wrap="truncate-end">
            <Text color={look.color}>{look.mark}</Text> {index + 1}. {step.title}
          </Text>
        );
      })}
    </Box>
  );
}

/** Rows a line takes once wrapped at `width` columns (close enough for layout; CJK is rare here). */
const rowsFor = (text: string, width: number) => Math.max(1, Math.ceil([...text].length / Math.max(10, width)));

function LogLines({ entries, room, width }: { entries: LogEntry[]; room: number; width: number }) {
  // Show the newest entries that fit; older ones scroll away, as in a terminal.
  const shown: LogEntry[] = [];
  let used = 0;
  for (let i = entries.length - 1; i >= 0 && used < room; i--) {
    const entry = entries[i]!;
    const lines = rowsFor(`  ${entry.title}`, width) + entry.lines.reduce((n, l) => n + rowsFor(`  ${l}`, width), 0);
    if (used + lines > room && shown.length > 0) break;
    shown.unshift(entry);
    used += lines;
  }
  return (
    <Box flexDirection="column">
      {shown.map((entry) => (
        <Box key={entry.id} flexDirection="column">
          <Box>
            {/* A margin, not a trailing space: Ink trims trailing spaces when the title wraps. */}
            <Box marginRight={1} flexShrink={0}>
              <Text color={toneMark[entry.tone].color}>{toneMark[entry.tone].mark}</Text>
            </Box>
            <Text>{entry.title}</Text>
          </Box>
          {entry.lines.map((line, i) => (
            // A box of its own keeps wrapped continuation lines indented under their first line.
            <Box key={i} paddingLeft={2}>
              <Text dimColor>{line}</Text>
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}

function SecretInput({ pending, store }: { pending: Pending; store: WizardStore }) {
  const q = pending.question.kind === 'secret' ? pending.question.q : undefined;
  const [assessment, setAssessment] = useState<string | undefined>(undefined);
  if (!q) return null;
  return (
    <Box flexDirection="column">
      <TextField
        key={pending.attempt}
        mask="*"
        placeholder="(typed characters are hidden)"
        onChange={(value) => setAssessment(q.assess?.(value))}
        onSubmit={(value) => store.answer(value)}
      />
      {assessment ? <Text dimColor>{assessment}</Text> : null}
    </Box>
  );
}

function QuestionView({ pending, store }: { pending: Pending; store: WizardStore }) {
  const { question } = pending;
  let input: React.ReactNode;
  switch (question.kind) {
    case 'text':
      input = (
        <TextField
          key={pending.attempt}
          defaultValue={question.q.default}
          onSubmit={(value) => store.answer(value)}
        />
      );
      break;
    case 'secret':
      input = <SecretInput pending={pending} store={store} />;
      break;
    case 'select': {
      const choices = question.q.choices;
      const defaultIndex = Math.max(0, choices.findIndex((c) => c.value === question.q.default));
      input = (
        <ChoiceList
          key={pending.attempt}
          visible={8}
          initial={defaultIndex}
          labels={choices.map((c) => (c.hint ? `${c.label}  (${c.hint})` : c.label))}
          onSubmit={(index) => store.answer(choices[index]!.value)}
        />
      );
      break;
    }
    case 'confirm': {
      const def = question.q.default ?? !question.q.destructive;
      input = (
        <ConfirmInput
          key={pending.attempt}
          defaultChoice={def ? 'confirm' : 'cancel'}
          onConfirm={() => store.answer(true)}
          onCancel={() => store.answer(false)}
        />
      );
      break;
    }
  }
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>? {question.q.message}</Text>
      {question.q.help ? <Text dimColor>{question.q.help}</Text> : null}
      {input}
      {pending.error ? <Text color="red">✖ {pending.error}</Text> : null}
    </Box>
  );
}

/** `size` fixes the layout (frame tests render to a 100-column fake terminal); else the terminal's. */
export function App({ store, size }: { store: WizardStore; size?: { columns: number; rows: number } }) {
  const state = useSyncExternalStore(store.subscribe, store.get);
  const { stdout } = useStdout();
  const rows = size?.rows ?? (stdout.rows || 24);
  const columns = Math.min(size?.columns ?? (stdout.columns || 80), 100);
  const railWidth = state.steps.length > 0 ? 20 : 0;

  useInput((input, key) => {
    if (key.ctrl && input === 'c') store.cancel();
    else if (key.escape) store.back();
  });

  // Header 2 lines, footer 2, question up to ~10: the log gets what is left.
  const questionRows = state.pending ? (state.pending.question.kind === 'select' ? 4 + Math.min(8, (state.pending.question.q as { choices: unknown[] }).choices.length) + 2 : 5) : 0;
  const logRoom = Math.max(3, rows - 6 - questionRows - (state.task ? 2 : 0));

  return (
    <Box flexDirection="column" width={columns}>
      <Text bold>dupliswift · {state.title}</Text>
      <Box marginTop={1}>
        <StepRail state={state} />
        <Box flexDirection="column" flexGrow={1}>
          <LogLines entries={state.log} room={logRoom} width={columns - railWidth} />
          {state.task ? (
            <Box>
              <Spinner label={`${state.task.running}${state.task.detail ? ` · ${state.task.detail}` : ''}${state.task.fraction === undefined ? '' : ` ${Math.round(state.task.fraction * 100)}%`}`} />
            </Box>
          ) : null}
          {state.pending ? <QuestionView pending={state.pending} store={store} /> : null}
        </Box>
      </Box>
      <Box marginTop={1}>
        <Text dimColor>
          {/* Keys that do nothing are never offered: with no question open, only Ctrl-C does. */}
          {state.pending
            ? `${state.pending.question.kind === 'select' ? '↑↓ choose · ' : ''}${state.pending.question.kind === 'text' ? 'Ctrl-U clear · ' : ''}Enter confirm${state.canGoBack ? ' · Esc back' : ''} · Ctrl-C quit`
            : state.task ? 'Ctrl-C cancel' : ''}
        </Text>
      </Box>
    </Box>
  );
}
