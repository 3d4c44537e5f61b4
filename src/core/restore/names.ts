/**
 * File names are bytes. A backup path here is a string in Python's surrogateescape convention, the
 * one duplicity's log uses: a byte that is not part of valid UTF-8 (0xHH, 0x80-0xFF) is the lone
 * surrogate U+DCHH. So a name like `latin1-\xe9\xff.txt` survives listing, filtering and restoring,
 * and turns back into its exact bytes at the filesystem.
 */

const RAW = /[\udc80-\udcff]/;

/** Whether the path holds bytes that are not UTF-8. */
export function hasRawBytes(path: string): boolean {
  return RAW.test(path);
}

/** The path's bytes, as the filesystem has them. */
export function pathBytes(path: string): Buffer {
  if (!hasRawBytes(path)) return Buffer.from(path, 'utf8');
  const parts: Buffer[] = [];
  let text = '';
  for (const ch of path) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xdc80 && code <= 0xdcff) {
      if (text) parts.push(Buffer.from(text, 'utf8'));
      text = '';
      parts.push(Buffer.of(code - 0xdc00));
    } else text += ch;
  }
  if (text) parts.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(parts);
}

const STRICT = new TextDecoder('utf-8', { fatal: true });

function strictDecode(bytes: Buffer): string | undefined {
  try {
    return STRICT.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Bytes from the filesystem (readdir with encoding 'buffer') as a path string: undecodable bytes kept as U+DCHH. */
export function pathFromBytes(bytes: Buffer): string {
  const whole = strictDecode(bytes);
  if (whole !== undefined) return whole;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const text = len && i + len <= bytes.length ? strictDecode(bytes.subarray(i, i + len)) : undefined;
    if (text !== undefined) {
      out += text;
      i += len;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i += 1;
    }
  }
  return out;
}

/**
 * The path for a screen or a log line: undecodable bytes and control characters as \xHH, so nothing
 * garbles a terminal and the person can type it back (parsePathArgument reads \xHH).
 */
export function displayPath(path: string): string {
  return path.replace(/[\udc80-\udcff\u0000-\u001f\u007f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return `\\x${(code >= 0xdc00 ? code - 0xdc00 : code).toString(16).padStart(2, '0')}`;
  });
}

/** A path as a person types it (--path, an answers file): \xHH is that byte, as displayPath shows it. */
export function parsePathArgument(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const code = parseInt(hex, 16);
    return code >= 0x80 ? String.fromCharCode(0xdc00 + code) : String.fromCharCode(code);
  });
}
