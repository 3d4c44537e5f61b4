/**
 * duplicity's machine-readable log (`--log-fd N`): records of the form
 *
 *   LEVEL CODE [control…]      first line; more control lines may follow (collection-status)
 *   . message line             the human text, each line prefixed with ". "
 *   (blank line)               end of record
 *
 * We read this instead of stdout because stdout prints paths raw (a newline in a file name breaks a
 * line parser) and local times; the control lines carry escaped paths and UTC timestamps.
 */
export interface LogRecord {
  level: string;
  code: number;
  /** The rest of the first line, then any further control lines. */
  control: string[];
  message: string[];
}

const HEAD = /^(ERROR|WARNING|NOTICE|INFO|DEBUG|DUPLICITY|LEVEL\d+) (\d+)(?: (.*))?$/;

/** Feeds lines one at a time; calls `emit` per finished record. Keeps no more than one record in memory. */
export class LogRecordParser {
  private current: LogRecord | undefined;

  constructor(private readonly emit: (record: LogRecord) => void) {}

  line(line: string): void {
    if (this.current === undefined) {
      const head = HEAD.exec(line);
      if (head) this.current = { level: head[1]!, code: Number(head[2]), control: head[3] ? [head[3]] : [], message: [] };
      return;
    }
    if (line === '') {
      this.flush();
    } else if (line.startsWith('. ') || line === '.') {
      this.current.message.push(line.slice(2));
    } else if (this.current.message.length === 0) {
      this.current.control.push(line);
    }
  }

  flush(): void {
    if (this.current) {
      const record = this.current;
      this.current = undefined;
      this.emit(record);
    }
  }
}

/** The code of INFO records that carry one file of list-current-files. */
export const INFO_FILE_LIST = 10;
export const INFO_PROGRESS = 2;
export const INFO_COLLECTION_STATUS = 3;
export const INFO_DIFF_CHANGED = 5;

/**
 * Undoes duplicity's `util.escape`: Python's unicode-escape of the file name, quoted, with `'` as
 * \x27. Non-ASCII characters arrive as \xNN, \uNNNN or \UNNNNNNNN code points.
 */
export function unescapeDuplicityPath(quoted: string): string {
  const body = quoted.startsWith("'") && quoted.endsWith("'") && quoted.length >= 2 ? quoted.slice(1, -1) : quoted;
  if (!body.includes('\\')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\\nrtabfv'"]|[0-7]{1,3})/g, (_m, esc: string) => {
    switch (esc[0]) {
      case 'x': case 'u': case 'U': return String.fromCodePoint(parseInt(esc.slice(1), 16));
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case '\\': case "'": case '"': return esc;
      default: return String.fromCodePoint(parseInt(esc, 8));
    }
  });
}

/** duplicity's `timetostring` (20261126T073508Z, UTC) to a Date. */
export function parseDuplicityTime(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
