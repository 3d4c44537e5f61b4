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

export function initialTextField(value = ''): TextFieldState {
  const chars = [...value];
  return { chars, cursor: chars.length };
}

export const valueOf = (s: TextFieldState): string => s.chars.join('');

export function applyEdit(s: TextFieldState, edit: Edit): TextFieldState {
  const { chars, cursor } = s;
  switch (edit.kind) {
    case 'insert': {
      // Pasted line breaks and tabs become nothing: the field is one line.
      const add = [...edit.text.replace(/[\r\n\t]/g, '')];
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
