import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/core/duplicity/failure-class';
import { explainError } from '../../src/core/duplicity/logfd';

// duplicity 0.8.22's own lines, as logged against the fault proxy (test/faults/job.test.ts).
const put = (status: string) => `Giving up after 1 attempts. ClientException: Object PUT failed: http://127.0.0.1:8080/v1/AUTH_x/c/duplicity-full.20261201T204611Z.vol2.difftar.gpg ${status}`;

describe('Swift and Keystone failure classes', () => {
  it.each([
    [put('413 Request Entity Too Large'), 'quota', false, /quota is full/],
    [put('507 Insufficient Storage'), 'insufficient-storage', false, /no disk space left/],
    [put('503 Service Unavailable'), 'unavailable', true, /unavailable/],
    [put('422 Unprocessable Entity'), 'corrupt-upload', true, /corrupted/],
    ['Authorization Failure. Authorization failed: Internal Server Error (HTTP 500)', 'server-error', true, /server error/],
    ['Unauthorized. Check username/id, password, tenant name/id and user/tenant domain name/id.', 'auth', false, /refused the login/],
    ["ClientException: Object GET failed: 403 Forbidden", 'forbidden', false, /refused access/],
    ["SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'))", 'tls', false, /TLS/],
    ["ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))", 'network', true, /connection/],
    ['JSONDecodeError: Expecting value: line 1 column 1 (char 0)', 'garbage', true, /not valid JSON/],
  ])('%s', (line, cls, transient, words) => {
    const c = classifyFailure(line);
    expect(c).toMatchObject({ class: cls, transient });
    expect(c!.message).toMatch(words);
  });

  it('names nothing for a failure that is no Swift/Keystone class', () => {
    expect(classifyFailure('gpg: signing failed: Bad passphrase')).toBeUndefined();
  });

  it('the first-run explanation of a 413 names the quota, not "check the Swift endpoint"', () => {
    const e = explainError(50, 'Object PUT failed', put('413 Request Entity Too Large'));
    expect(e.message).toMatch(/quota is full \(HTTP 413\)/);
    expect(e.fix).toMatch(/Raise the project's Swift quota/);
    expect(e.fix).not.toMatch(/Check the Swift endpoint/);
  });

  it('the job\'s own exits (watchdog, signals) get words too', () => {
    expect(explainError(124).message).toMatch(/no progress/);
    expect(explainError(143).message).toMatch(/SIGTERM/);
  });
});
