import { access } from 'node:fs/promises';

/** A word of a typed line: its text, and whether quotes or a backslash made its spaces part of it. */
interface Word {
  text: string;
  literal: boolean;
}

/** Shell-like words: '…' and "…" keep spaces, a backslash escapes the next character (as a terminal's drag and drop writes paths). */
function words(line: string): Word[] {
  const out: Word[] = [];
  let cur: Word | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur!.text += line[++i];
      else cur!.text += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = undefined;
      continue;
    }
    cur ??= { text: '', literal: false };
    if (ch === "'" || ch === '"') {
      quote = ch;
      cur.literal = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur.text += line[++i];
      cur.literal = true;
    } else cur.text += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const present = (path: string) => access(path).then(() => true, () => false);

/**
 * File paths as a person gives them: one per line, or several on one line separated by spaces. A path
 * with spaces (`/media/usb/My Keys/encrypt.asc`) is kept whole when quoted or escaped, and also when
 * typed bare: words are joined back while they only make an existing file together.
 */
export async function splitPathList(text: string, exists: (path: string) => Promise<boolean> = present): Promise<string[]> {
  if (text.includes('\n')) return text.split('\n').map((l) => l.trim()).filter(Boolean);
  const ws = words(text.trim());
  const out: string[] = [];
  for (let i = 0; i < ws.length;) {
    if (ws[i]!.literal || (await exists(ws[i]!.text))) {
      out.push(ws[i]!.text);
      i++;
      continue;
    }
    let joined = ws[i]!.text;
    let found = -1;
    for (let j = i + 1; j < ws.length && !ws[j]!.literal; j++) {
      joined += ` ${ws[j]!.text}`;
      if (await exists(joined)) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      out.push(ws[i]!.text);
      i++;
    } else {
      out.push(joined);
      i = found + 1;
    }
  }
  return out;
}
