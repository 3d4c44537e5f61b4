import { describe, expect, it } from 'vitest';
import { displayPath, hasRawBytes, parsePathArgument, pathBytes, pathFromBytes } from '../../src/core/restore/names';
import { unescapeDuplicityPath } from '../../src/core/duplicity/logfd';

describe('file names are bytes', () => {
  const latin1 = Buffer.concat([Buffer.from('dir/latin1-'), Buffer.of(0xe9, 0xff), Buffer.from('.txt')]);

  it('a name from duplicity\'s log (surrogateescape) turns back into its exact bytes', () => {
    const path = unescapeDuplicityPath("'dir/latin1-\\udce9\\udcff.txt'");
    expect(hasRawBytes(path)).toBe(true);
    expect(pathBytes(path).equals(latin1)).toBe(true);
    expect(pathFromBytes(latin1)).toBe(path);
  });

  it('UTF-8 names stay as they are; mixed names keep both parts', () => {
    expect(pathFromBytes(Buffer.from('ünïcode/😀 x'))).toBe('ünïcode/😀 x');
    expect(hasRawBytes('ünïcode')).toBe(false);
    const mixed = Buffer.concat([Buffer.from('é'), Buffer.of(0xc3), Buffer.from('ü'), Buffer.of(0xf0, 0x9f)]);
    const s = pathFromBytes(mixed);
    expect(pathBytes(s).equals(mixed)).toBe(true);
    expect(displayPath(s)).toBe('é\\xc3ü\\xf0\\x9f');
  });

  it('shows undecodable bytes and control characters escaped, and reads that form back', () => {
    const path = pathFromBytes(latin1);
    expect(displayPath(path)).toBe('dir/latin1-\\xe9\\xff.txt');
    expect(displayPath('a\nb')).toBe('a\\x0ab');
    expect(parsePathArgument('dir/latin1-\\xe9\\xff.txt')).toBe(path);
    expect(parsePathArgument('a\\x0ab')).toBe('a\nb');
    expect(parsePathArgument('plain/päth')).toBe('plain/päth');
  });
});
