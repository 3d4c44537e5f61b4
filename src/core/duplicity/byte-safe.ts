import { open } from 'node:fs/promises';
import { hasRawBytes, pathBytes } from '../restore/names';

/**
 * duplicity started so that file names of any bytes get through, both ways:
 * - in: Node can only put UTF-8 into argv, so a path that is not UTF-8 goes as `dupliswift-bytes:HEX`
 *   and a few lines of Python in front of duplicity turn it back into the bytes (os.fsdecode, as
 *   Python reads a raw argv);
 * - out: duplicity 0.8 opens --log-fd with strict UTF-8, and a record whose human line holds such a
 *   name is dropped ("Logging error", UnicodeEncodeError: surrogates not allowed). The control line
 *   is escaped ASCII anyway; letting the stream write surrogateescape keeps every record.
 * Measured with duplicity 0.8.22 here; the same few lines work for any duplicity run by a python3.
 */
const BYTES = 'dupliswift-bytes:';

const LAUNCHER = [
  'import os, sys, runpy',
  '_fdopen = os.fdopen',
  'def _fdopen_tolerant(fd, mode="r", *args, **kw):',
  '    if "b" not in mode and len(args) < 3 and "errors" not in kw:',
  '        kw["errors"] = "surrogateescape"',
  '    return _fdopen(fd, mode, *args, **kw)',
  'os.fdopen = _fdopen_tolerant',
  `P = "${BYTES}"`,
  'sys.argv = sys.argv[1:2] + [os.fsdecode(bytes.fromhex(a[len(P):])) if a.startswith(P) else a for a in sys.argv[2:]]',
  'sys.path[0] = os.path.dirname(os.path.realpath(sys.argv[0]))',
  'runpy.run_path(sys.argv[0], run_name="__main__")',
].join('\n');

export interface ByteSafeDuplicity {
  program: string;
  /** Arguments before duplicity's own. */
  prefix: string[];
  /** Whether a non-UTF-8 path can be passed (duplicity runs under a python3 we can start). */
  bytesOk: boolean;
}

/** The interpreter in duplicity's #! line, when it is a python. */
async function pythonOf(duplicity: string): Promise<string[] | undefined> {
  const handle = await open(duplicity, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    const first = buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    if (!first.startsWith('#!')) return undefined;
    const words = first.slice(2).trim().split(/\s+/).filter(Boolean);
    if (words[0]?.endsWith('/env')) words.shift();
    // `-E`/`-s`-style flags are kept; `-S` (no site) would lose duplicity's dist-packages.
    return words[0] && /(^|\/)python[0-9.]*$/.test(words[0]) && !words.includes('-S') ? words : undefined;
  } finally {
    await handle.close();
  }
}

export async function byteSafeDuplicity(duplicity: string): Promise<ByteSafeDuplicity> {
  const python = await pythonOf(duplicity);
  if (!python) return { program: duplicity, prefix: [], bytesOk: false };
  return { program: python[0]!, prefix: [...python.slice(1), '-c', LAUNCHER, duplicity], bytesOk: true };
}

/** A path argument for duplicity: as is when it is UTF-8, else its bytes in the launcher's form. */
export function pathArgument(path: string): string {
  return hasRawBytes(path) ? `${BYTES}${pathBytes(path).toString('hex')}` : path;
}

/** The byte-safe command for a source's duplicity (found as the job finds it when not given). */
export async function duplicityCommand(path?: string): Promise<ByteSafeDuplicity> {
  const { which } = await import('../exec');
  const { TOOL_PATH } = await import('./detect');
  const found = path ?? (await which('duplicity', { PATH: TOOL_PATH }));
  return found ? byteSafeDuplicity(found) : { program: 'duplicity', prefix: [], bytesOk: false };
}
