import { classifyFailure, explainJobExit } from './failure-class';

/**
 * duplicity's machine-readable log (`--log-fd N`): records of the form
 *
 *   LEVEL CODE [control…]      first line; more control lines may follow (collection-status)
 *   . message line             the human text, each line prefixed with ". "
 *   (blank line)               end of record
 *
 * We read this instead of stdout because stdout prints paths raw (a newline in a file name breaks a
 * line parser) and local times; the control lines carry escaped paths and UTC timestamps. Codes are
 * stable across versions, unlike the human text.
 */
export interface LogRecord {
  level: string;
  code: number;
  /** The rest of the first line, then any further control lines. */
  control: string[];
  message: string[];
}

/**
 * The codes we act on, from duplicity's log.InfoCode and log.ErrorCode. The two share numbers (10 is a
 * file-list entry at INFO and a bad sign key at ERROR), so always check the level as well.
 */
export const INFO = {
  /** Restore: `done total` bytes; backup: `bytes volume` processed so far. */
  progress: 2,
  collectionStatus: 3,
  /** A new file being read into the backup: its escaped path. */
  fileNew: 4,
  /** One file of list-current-files: `TIME 'path' TYPE`. */
  fileList: 10,
  uploadBegin: 11,
  asyncUploadBegin: 12,
  /** Logged at NOTICE level: `bytes elapsed percent eta speed stalled`. */
  uploadProgress: 16,
} as const;

export const ERROR = {
  /** 0.8's code for a sign key it cannot use; 2.x+ says badSignKey. */
  badSignKeyOld: 10,
  userError: 23,
  exception: 30,
  gpgFailed: 31,
  connectionFailed: 38,
  backendError: 50,
  backendPermissionDenied: 51,
  backendNotFound: 52,
  backendNoSpace: 53,
  backendCommandError: 54,
  backendCodeError: 55,
  backendValidationFailed: 56,
  badSignKey: 80,
  badEncryptKey: 81,
  badHiddenEncryptKey: 82,
} as const;

const HEAD = /^(ERROR|WARNING|NOTICE|INFO|DEBUG|DUPLICITY|LEVEL\d+) (\d+)(?: (.*))?$/;

/**
 * Reads the stream line by line (`line`) or in chunks as they arrive (`push`, tail kept buffered);
 * each returns the records it finished. Keeps no more than one record in memory.
 */
export class LogFdParser {
  private buffer = '';
  private current: LogRecord | undefined;

  /** One line without its newline; returns the record a blank line closed. */
  line(line: string): LogRecord | undefined {
    if (this.current === undefined) {
      const head = HEAD.exec(line);
      if (head) this.current = { level: head[1]!, code: Number(head[2]), control: head[3] ? [head[3]] : [], message: [] };
      return undefined;
    }
    if (line === '') return this.flush();
    if (line.startsWith('. ') || line === '.') this.current.message.push(line.slice(2));
    else if (this.current.message.length === 0) this.current.control.push(line);
    return undefined;
  }

  push(chunk: string): LogRecord[] {
    this.buffer += chunk;
    const out: LogRecord[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const record = this.line(this.buffer.slice(0, newline));
      this.buffer = this.buffer.slice(newline + 1);
      if (record) out.push(record);
    }
    return out;
  }

  /** The record still open (and any unterminated last line) when the stream ends. */
  end(): LogRecord[] {
    const rest = this.buffer ? this.push('\n') : [];
    const open = this.flush();
    return open ? [...rest, open] : rest;
  }

  /** Closes the open record, for streams that end without the final blank line. */
  flush(): LogRecord | undefined {
    const record = this.current;
    this.current = undefined;
    return record;
  }
}

export function parseLogFd(text: string): LogRecord[] {
  const parser = new LogFdParser();
  return [...parser.push(text), ...parser.end()];
}

/** The words of the first line after `LEVEL CODE`. */
function fields(record: LogRecord): string[] {
  return (record.control[0] ?? '').split(' ').filter(Boolean);
}

/** INFO.uploadProgress: `bytes elapsed percent eta speed stalled`. */
export interface UploadProgress {
  bytes: number;
  elapsedSeconds: number;
  percent: number;
  etaSeconds: number;
  bytesPerSecond: number;
  stalled: boolean;
}

export function uploadProgress(record: LogRecord): UploadProgress | undefined {
  const f = fields(record);
  if (record.level !== 'NOTICE' || record.code !== INFO.uploadProgress || f.length < 6) return undefined;
  const [bytes, elapsed, percent, eta, speed, stalled] = f.map(Number) as [number, number, number, number, number, number];
  return { bytes, elapsedSeconds: elapsed, percent, etaSeconds: eta, bytesPerSecond: speed, stalled: stalled === 1 };
}

export interface Explained {
  code: number;
  message: string;
  fix: string;
}

/**
 * duplicity's error codes (log.ErrorCode) as what a person should do. `detail` is shown; `context`
 * (the whole message, e.g. gpg's log) is what the explanation is chosen from. Shared by 0.8 to 3.x except
 * 80-82 (bad keys, 2.x+; 0.8 says 10 for a bad sign key). A connection or backend error whose text names a
 * Swift/Keystone failure class (quota, 507, 503, auth, TLS…: failure-class.ts) gets that class's words.
 */
export function explainError(code: number, detail = '', context = detail): Explained {
  const text = (message: string, fix: string): Explained => ({ code, message: detail ? `${message} (${detail})` : message, fix });
  if (code === ERROR.gpgFailed) {
    return /passphrase/i.test(context)
      ? text('GnuPG refused the passphrase.', 'Check the passphrases in the profile\'s secrets (encrypt-passphrase, sign-passphrase); run dupliswift setup again to store the right ones.')
      : text('GnuPG failed.', 'Check that both keys are in the profile\'s GnuPG home and that gpg-agent.conf has no "no-allow-loopback-pinentry".');
  }
  const failure = classifyFailure(context);
  if (failure && (code === ERROR.connectionFailed || (code >= ERROR.backendError && code <= ERROR.backendValidationFailed))) return text(failure.message, failure.fix);
  if (code === ERROR.connectionFailed) return text('Could not connect to Swift or log in to Keystone.', 'Check the auth URL, user, project, domains, region and the stored OpenStack password (dupliswift check).');
  if (code >= ERROR.backendError && code <= ERROR.backendValidationFailed) {
    const what: Record<number, string> = {
      [ERROR.backendError]: 'The Swift backend failed.',
      [ERROR.backendPermissionDenied]: 'Swift denied access to the container.',
      [ERROR.backendNotFound]: 'The container or a backup file was not found in Swift.',
      [ERROR.backendNoSpace]: 'Swift has no space left (quota).',
      [ERROR.backendCommandError]: 'A backend command failed.',
      [ERROR.backendCodeError]: 'The Swift backend hit an internal error.',
      [ERROR.backendValidationFailed]: 'Swift returned data that failed validation.',
    };
    const fix: Record<number, string> = {
      [ERROR.backendPermissionDenied]: 'Give the user the member role on the project, or choose a container it can write.',
      [ERROR.backendNoSpace]: 'Raise the project\'s quota or keep fewer full backups.',
    };
    return text(what[code]!, fix[code] ?? 'Check the Swift endpoint with dupliswift check, then run the backup again; duplicity retries on its own first.');
  }
  if (code === ERROR.badSignKeyOld || code === ERROR.badSignKey) return text('The signing key is not usable.', 'The sign key must be an uppercase 40-hex fingerprint of a secret key in the profile\'s GnuPG home.');
  if (code === ERROR.badEncryptKey) return text('The encryption key is not usable.', 'The encrypt key must be an uppercase 40-hex fingerprint of a public key in the profile\'s GnuPG home.');
  if (code === ERROR.badHiddenEncryptKey) return text('The hidden encryption key is not usable.', 'Check the --hidden-encrypt-key fingerprint in the profile\'s GnuPG home.');
  if (code === ERROR.exception) return text('duplicity stopped with an unexpected error.', 'Read the end of the profile\'s backup.log; a prompt without a terminal (EOFError) means a passphrase is missing from the secrets.');
  if (code === ERROR.userError) return text('duplicity refused the request.', 'Read the message above and the end of backup.log.');
  const job = explainJobExit(code);
  if (job) return text(job.message, job.fix);
  return text(`duplicity failed (code ${code}).`, 'Read the end of the profile\'s backup.log.');
}

/** The first ERROR record's code and message, if duplicity reported one. */
export function firstError(records: LogRecord[]): LogRecord | undefined {
  return records.find((r) => r.level === 'ERROR');
}

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
