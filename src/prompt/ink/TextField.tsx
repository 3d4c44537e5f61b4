import React, { useReducer, useRef } from 'react';
import { Text, useInput } from 'ink';
import { applyEdit, burstEdits, initialTextField, valueOf, type Edit, type TextFieldState } from './text-field-state';

export interface TextFieldProps {
  defaultValue?: string;
  /** Show each character as this one (secrets). */
  mask?: string;
  placeholder?: string;
  onChange?: (value: string) => void;
  onSubmit: (value: string) => void;
}

/**
 * A one-line text field. Ours rather than @inkjs/ui's TextInput because that one submits the value
 * of its last render: a paste that ends in a newline submitted what was there before the paste.
 * Here the live state sits in a ref, so keys in one burst apply in order. Readline's keys work:
 * ←→, Home/End, Ctrl-A/E, Ctrl-U/K (clear before/after the cursor), Ctrl-W (delete a word).
 */
export function TextField({ defaultValue, mask, placeholder, onChange, onSubmit }: TextFieldProps) {
  const ref = useRef<TextFieldState | undefined>(undefined);
  ref.current ??= initialTextField(defaultValue);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  useInput((input, key) => {
    let edit: Edit | undefined;
    if (key.return) return onSubmit(valueOf(ref.current!));
    // Ink hands a pasted chunk over whole, its newline included: that newline is the Enter.
    const newline = input.search(/[\r\n]/);
    if (newline >= 0 && !key.ctrl && !key.meta) {
      ref.current = burstEdits(input.slice(0, newline)).reduce(applyEdit, ref.current!);
      onChange?.(valueOf(ref.current));
      return onSubmit(valueOf(ref.current));
    }
    if (key.leftArrow) edit = { kind: 'left' };
    else if (key.rightArrow) edit = { kind: 'right' };
    else if (key.backspace || key.delete) edit = { kind: 'backspace' }; // most terminals send DEL for Backspace
    else if (key.ctrl && input === 'a') edit = { kind: 'home' };
    else if (key.ctrl && input === 'e') edit = { kind: 'end' };
    else if (key.ctrl && input === 'u') edit = { kind: 'clear-before' };
    else if (key.ctrl && input === 'k') edit = { kind: 'clear-after' };
    else if (key.ctrl && input === 'w') edit = { kind: 'delete-word' };
    else if (key.ctrl || key.meta || key.escape || key.tab || key.upArrow || key.downArrow) return;
    const edits = edit ? [edit] : input ? burstEdits(input) : [];
    if (!edits.length) return;
    const before = ref.current!;
    ref.current = edits.reduce(applyEdit, before);
    if (valueOf(ref.current) !== valueOf(before)) onChange?.(valueOf(ref.current));
    rerender();
  });

  const { chars, cursor } = ref.current;
  if (chars.length === 0) {
    return <Text><Text inverse> </Text>{placeholder ? <Text dimColor>{placeholder}</Text> : null}</Text>;
  }
  const shown = mask ? chars.map(() => mask) : chars;
  return (
    <Text>
      {shown.slice(0, cursor).join('')}
      <Text inverse>{shown[cursor] ?? ' '}</Text>
      {shown.slice(cursor + 1).join('')}
    </Text>
  );
}
