import { describe, expect, it } from 'vitest';
import { applyEdit, burstEdits, initialTextField, valueOf, type Edit } from '../../src/prompt/ink/text-field-state';

const run = (start: string, ...edits: Edit[]) => edits.reduce(applyEdit, initialTextField(start));

describe('the one-line editor', () => {
  it('treats a multi-byte character as one step', () => {
    const s = run('zürich', { kind: 'left' }, { kind: 'left' }, { kind: 'left' }, { kind: 'left' }, { kind: 'backspace' });
    expect(valueOf(s)).toBe('zrich');
    expect(s.cursor).toBe(1);
  });

  it('drops line breaks and tabs from a paste', () => {
    expect(valueOf(run('', { kind: 'insert', text: 'a\tb\r\nc' }))).toBe('abc');
  });

  it('deletes a word back to a space or a slash', () => {
    expect(valueOf(run('/srv/data/tmp', { kind: 'delete-word' }))).toBe('/srv/data/');
    expect(valueOf(run('two words  ', { kind: 'delete-word' }))).toBe('two ');
  });

  it('clears before and after the cursor', () => {
    const mid = run('abcdef', { kind: 'left' }, { kind: 'left' });
    expect(valueOf(applyEdit(mid, { kind: 'clear-before' }))).toBe('ef');
    expect(valueOf(applyEdit(mid, { kind: 'clear-after' }))).toBe('abcd');
  });

  it('stays put at the edges', () => {
    expect(run('', { kind: 'backspace' }, { kind: 'left' }, { kind: 'delete' })).toEqual({ chars: [], cursor: 0 });
    expect(run('ab', { kind: 'right' }, { kind: 'delete' }).cursor).toBe(2);
  });

  it('applies control keys inside a burst in order, and never inserts a control character', () => {
    const typed = (start: string, burst: string) => valueOf(burstEdits(burst).reduce(applyEdit, initialTextField(start)));
    expect(typed('old secret', '\u0015new secret')).toBe('new secret');
    expect(typed('', 'ab\u0008c')).toBe('ac');
    expect(typed('', 'one two\u0017three')).toBe('one three');
    expect(typed('', 'x\u001b[Dy')).toBe('xy');
    expect(typed('', 'a\u0000b\u0007c\u009bd\u001b')).toBe('abcd');
    for (const value of [typed('', '\u0015pw\u0003\u0004'), valueOf(run('', { kind: 'insert', text: 'p\u0015w\u007f' }))]) {
      expect(value).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/u);
    }
  });
});
