/**
 * Swift and Keystone failure classes, read from duplicity's own words. duplicity 0.8 to 3.x logs
 * every Swift failure as "ClientException: Object PUT failed: URL 413 Request Entity Too Large" and
 * exits 50 (or 38 for Keystone) whatever the cause, so "Check the Swift endpoint" was all a person
 * got for a full quota. The backup job's bash (job-sh/retry.sh, classify_failure) uses the same
 * classes and words; keep the two in step.
 */
export type FailureClass =
  | 'corrupt-upload' | 'quota' | 'insufficient-storage' | 'tls' | 'auth' | 'forbidden'
  | 'unavailable' | 'server-error' | 'network' | 'garbage' | 'stalled';

export interface ClassifiedFailure {
  class: FailureClass;
  /** Worth another try of the whole step (the job does, with backoff). */
  transient: boolean;
  message: string;
  fix: string;
}

const CLASSES: Array<{ class: FailureClass; test: RegExp; transient: boolean; message: string; fix: string }> = [
  {
    class: 'corrupt-upload', test: /\b422 Unprocessable/, transient: true,
    message: 'An upload reached Swift corrupted: Swift\'s MD5 of the volume differed from the one computed here (HTTP 422), so Swift refused it.',
    fix: 'Nothing was kept as good; check the network path to Swift (a proxy or network card corrupting data) and run again.',
  },
  {
    class: 'quota', test: /\s413\s|Request Entity Too Large|QuotaExceeded|Quota exceeded/, transient: false,
    message: 'Swift refused the upload: the project\'s storage quota is full (HTTP 413).',
    fix: 'Raise the project\'s Swift quota, or keep fewer full backups (schedule.keepFull), and run again.',
  },
  {
    class: 'insufficient-storage', test: /\s507\s|Insufficient Storage/, transient: false,
    message: 'Swift has no disk space left on its storage nodes (HTTP 507 Insufficient Storage): the cloud itself is full, not your quota.',
    fix: 'Tell the cloud\'s operator; the backup retries on the next run.',
  },
  {
    class: 'tls', test: /CERTIFICATE_VERIFY_FAILED|SSLError|SSL: |certificate verify failed/, transient: false,
    message: 'The TLS connection to Keystone or Swift failed (certificate not trusted, expired, or for another host name).',
    fix: 'Check the endpoint\'s certificate; for a private CA give its file to setup (--ca-file) so the job sets REQUESTS_CA_BUNDLE.',
  },
  {
    class: 'auth', test: /\s401\s|Unauthorized|HTTP 401/, transient: false,
    message: 'Keystone refused the login (HTTP 401: wrong user, password, project or domain, or an expired password).',
    fix: 'Check them with `dupliswift check` and store the right password with `dupliswift setup`.',
  },
  {
    class: 'forbidden', test: /\s403\s|Forbidden/, transient: false,
    message: 'Swift refused access (HTTP 403: the user lacks a role on the project, or the container\'s ACL forbids it).',
    fix: 'Give the user the member role on the project, or choose a container it may write.',
  },
  {
    class: 'unavailable', test: /\s503\s|Service Unavailable|HTTP 503/, transient: true,
    message: 'Swift or Keystone was unavailable (HTTP 503).',
    fix: 'Usually passing: the scheduled job retries with backoff. If it lasts, check the cloud\'s status page.',
  },
  {
    class: 'server-error', test: /\s50[024]\s|Internal Server Error|HTTP 50[024]|Bad Gateway|Gateway Time/, transient: true,
    message: 'Keystone or Swift answered with a server error (HTTP 5xx).',
    fix: 'Usually passing: the scheduled job retries with backoff. If it lasts, check the cloud\'s status.',
  },
  {
    class: 'network', test: /Connection reset|RemoteDisconnected|Remote end closed|ConnectionError|Connection aborted|Connection refused|Max retries exceeded|timed out|ProtocolError|ChunkedEncodingError|IncompleteRead|Broken pipe|BrokenPipe/, transient: true,
    message: 'The connection to Keystone or Swift failed (refused, reset or cut off).',
    fix: 'Check that the auth URL answers from this machine (`dupliswift check`); a passing network fault is retried.',
  },
  {
    class: 'garbage', test: /JSONDecodeError|Expecting value|Unterminated string|Expecting property name/, transient: true,
    message: 'Keystone or Swift answered with something that is not valid JSON (a proxy\'s error page or a broken response).',
    fix: 'Check the auth URL (`dupliswift check`); a passing fault is retried.',
  },
];

/** The class of a failure from duplicity's text, or undefined when it names none. */
export function classifyFailure(text: string): ClassifiedFailure | undefined {
  const c = CLASSES.find((k) => k.test.test(text));
  return c && { class: c.class, transient: c.transient, message: c.message, fix: c.fix };
}

/** The job's own exit codes that are no duplicity code (see job-sh/backup.sh's header). */
export function explainJobExit(exitCode: number): { message: string; fix: string } | undefined {
  if (exitCode === 124) {
    return {
      message: 'duplicity made no progress (no byte read, written or logged) for the stall limit and was stopped: a Keystone or Swift that accepts connections but never answers?',
      fix: 'Check the cloud\'s status; raise schedule.stallMinutes in profile.json if a step is legitimately that quiet.',
    };
  }
  if (exitCode === 129 || exitCode === 130 || exitCode === 143) {
    const name = { 129: 'SIGHUP', 130: 'SIGINT', 143: 'SIGTERM' }[exitCode];
    return { message: `The backup was stopped by ${name} before it finished.`, fix: 'Run it again; it picks up from where it stopped.' };
  }
  return undefined;
}
