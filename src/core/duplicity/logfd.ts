/**
 * duplicity's --log-fd stream: records of a control line `LEVEL CODE [extra…]`, then message lines
 * prefixed with ". ", then a blank line. Codes are stable across versions, unlike the human text.
 */
export interface LogRecord {
  level: string;
  code: number;
  extra: string[];
  /** Lines that continue the control line (collection-status puts its summary there). */
  data: string[];
  message: string;
}

/** Splits a --log-fd stream into records; feed chunks as they arrive, the tail stays buffered. */
export class LogFdParser {
  private buffer = '';
  private current: LogRecord | undefined;

  push(chunk: string): LogRecord[] {
    this.buffer += chunk;
    const out: LogRecord[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const record = this.line(line);
      if (record) out.push(record);
    }
    return out;
  }

  /** Whatever record was open when the stream ended. */
  end(): LogRecord[] {
    const rest = this.buffer ? this.push('\n') : [];
    const open = this.current ? [this.current] : [];
    this.current = undefined;
    return [...rest, ...open];
  }

  private line(line: string): LogRecord | undefined {
    if (line === '') {
      const done = this.current;
      this.current = undefined;
      return done;
    }
    if (!this.current) {
      const [level = '', code = '0', ...extra] = line.split(' ');
      this.current = { level, code: Number(code) || 0, extra: extra.filter(Boolean), data: [], message: '' };
      return undefined;
    }
    if (line.startsWith('. ') || line === '.') {
      this.current.message += (this.current.message ? '\n' : '') + line.slice(2);
    } else {
      this.current.data.push(line);
    }
    return undefined;
  }
}

export function parseLogFd(text: string): LogRecord[] {
  const parser = new LogFdParser();
  return [...parser.push(text), ...parser.end()];
}

/** InfoCode.upload_progress = 16: `bytes elapsed percent eta speed stalled`. */
export interface UploadProgress {
  bytes: number;
  elapsedSeconds: number;
  percent: number;
  etaSeconds: number;
  bytesPerSecond: number;
  stalled: boolean;
}

export function uploadProgress(record: LogRecord): UploadProgress | undefined {
  if (record.level !== 'NOTICE' || record.code !== 16 || record.extra.length < 6) return undefined;
  const [bytes, elapsed, percent, eta, speed, stalled] = record.extra.map(Number) as [number, number, number, number, number, number];
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
 * 80-82 (bad keys, 2.x+; 0.8 says 10 for a bad sign key).
 */
export function explainError(code: number, detail = '', context = detail): Explained {
  const text = (message: string, fix: string): Explained => ({ code, message: detail ? `${message} (${detail})` : message, fix });
  if (code === 31) {
    return /passphrase/i.test(context)
      ? text('GnuPG refused the passphrase.', 'Check the passphrases in the profile\'s secrets (encrypt-passphrase, sign-passphrase); run dupliswift setup again to store the right ones.')
      : text('GnuPG failed.', 'Check that both keys are in the profile\'s GnuPG home and that gpg-agent.conf has no "no-allow-loopback-pinentry".');
  }
  if (code === 38) return text('Could not connect to Swift or log in to Keystone.', 'Check the auth URL, user, project, domains, region and the stored OpenStack password (dupliswift check).');
  if (code >= 50 && code <= 56) {
    const what: Record<number, string> = {
      50: 'The Swift backend failed.',
      51: 'Swift denied access to the container.',
      52: 'The container or a backup file was not found in Swift.',
      53: 'Swift has no space left (quota).',
      54: 'A backend command failed.',
      55: 'The Swift backend hit an internal error.',
      56: 'Swift returned data that failed validation.',
    };
    const fix: Record<number, string> = {
      51: 'Give the user the member role on the project, or choose a container it can write.',
      53: 'Raise the project\'s quota or keep fewer full backups.',
    };
    return text(what[code]!, fix[code] ?? 'Check the Swift endpoint with dupliswift check, then run the backup again; duplicity retries on its own first.');
  }
  if (code === 10 || code === 80) return text('The signing key is not usable.', 'The sign key must be an uppercase 40-hex fingerprint of a secret key in the profile\'s GnuPG home.');
  if (code === 81) return text('The encryption key is not usable.', 'The encrypt key must be an uppercase 40-hex fingerprint of a public key in the profile\'s GnuPG home.');
  if (code === 82) return text('The hidden encryption key is not usable.', 'Check the --hidden-encrypt-key fingerprint in the profile\'s GnuPG home.');
  if (code === 30) return text('duplicity stopped with an unexpected error.', 'Read the end of the profile\'s backup.log; a prompt without a terminal (EOFError) means a passphrase is missing from the secrets.');
  if (code === 23) return text('duplicity refused the request.', 'Read the message above and the end of backup.log.');
  return text(`duplicity failed (code ${code}).`, 'Read the end of the profile\'s backup.log.');
}

/** The first ERROR record's code and message, if duplicity reported one. */
export function firstError(records: LogRecord[]): LogRecord | undefined {
  return records.find((r) => r.level === 'ERROR');
}
