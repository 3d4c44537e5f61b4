/**
 * A one-line editor as pure data: the text and the cursor (in code points, so a multi-byte
 * character is one step). Keys map to edits here; the component only renders.
 */
export interface TextFieldState {
  chars: string[];
  cursor: number;
}

export type Edit =
  | { kind: 'insert'; text: string }
  | { kind: 'backspace' }
  | { kind: 'delete' }
  | { kind: 'left' }
  | { kind: 'right' }
  | { kind: 'home' }
  | { kind: 'end' }
  | { kind: 'clear-before' }
  | { kind: 'clear-after' }
  | { kind: 'delete-word' };

// C0 and C1 controls and DEL; escape sequences arrive whole and are taken apart by burstEdits.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Readline's control keys, as they arrive inside a burst of typed or pasted input. */
const CONTROL_EDITS: Record<string, Edit> = {
  '\u0001': { kind: 'home' },
  '\u0005': { kind: 'end' },
  '\u0015': { kind: 'clear-before' },
  '\u000b': { kind: 'clear-after' },
  '\u0017': { kind: 'delete-word' },
  '\u0008': { kind: 'backspace' },
  '\u007f': { kind: 'backspace' },
};

/**
 * One burst of input (keys typed faster than a frame, or a paste) as edits in order: Ctrl-U then
 * text clears and then types, as it would key by key. Escape sequences (arrows in a burst) and
 * other control characters are dropped, never inserted.
 */
export function burstEdits(input: string): Edit[] {
  const edits: Edit[] = [];
  let text = '';
  const flush = () => {
    if (text) edits.push({ kind: 'insert', text });
    text = '';
  };
  // eslint-disable-next-line no-control-regex
  for (const part of input.split(/(\u001b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?|[\u0000-\u001f\u007f-\u009f])/u)) {
    if (!part) continue;
    const edit = CONTROL_EDITS[part];
    if (edit) {
      flush();
      edits.push(edit);
    } else if (!/^[\u0000-\u001f\u007f-\u009f]/u.test(part)) text += part;
  }
  flush();
  return edits;
}

export function initialTextField(value = ''): TextFieldState {
  const chars = [...value];
  return { chars, cursor: chars.length };
}

export const valueOf = (s: TextFieldState): string => s.chars.join('');

export function applyEdit(s: TextFieldState, edit: Edit): TextFieldState {
  const { chars, cursor } = s;
  switch (edit.kind) {
    case 'insert': {
      // Pasted line breaks, tabs and every other control character become nothing: the field is one
      // line of printable text, and a secret never holds a byte the person did not see as a key.
      const add = [...edit.text.replace(CONTROL, '')];
      return { chars: [...chars.slice(0, cursor), ...add, ...chars.slice(cursor)], cursor: cursor + add.length };
    }
    case 'backspace':
      return cursor === 0 ? s : { chars: [...chars.slice(0, cursor - 1), ...chars.slice(cursor)], cursor: cursor - 1 };
    case 'delete':
      return cursor === chars.length ? s : { chars: [...chars.slice(0, cursor), ...chars.slice(cursor + 1)], cursor };
    case 'left':
      return { chars, cursor: Math.max(0, cursor - 1) };
    case 'right':
      return { chars, cursor: Math.min(chars.length, cursor + 1) };
    case 'home':
      return { chars, cursor: 0 };
    case 'end':
      return { chars, cursor: chars.length };
    case 'clear-before':
      return { chars: chars.slice(cursor), cursor: 0 };
    case 'clear-after':
      return { chars: chars.slice(0, cursor), cursor };
    case 'delete-word': {
      let start = cursor;
      while (start > 0 && chars[start - 1] === ' ') start--;
      while (start > 0 && chars[start - 1] !== ' ' && chars[start - 1] !== '/') start--;
      return { chars: [...chars.slice(0, start), ...chars.slice(cursor)], cursor: start };
    }
  }
}
