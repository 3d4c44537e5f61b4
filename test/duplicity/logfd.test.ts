import { describe, expect, it } from 'vitest';
import { explainError, firstError, LogFdParser, parseLogFd, uploadProgress } from '../../src/core/duplicity/logfd';

const sample = `NOTICE 1
. Local and Remote metadata are synchronized, no sync needed.

INFO 2 12 100
. Processed volume 1

NOTICE 16 1048576 3 50 3 349525 0
. 1.0MB 00:00:03 [341.3KB/s] [====================>                    ] 50% ETA 3sec

INFO 3 
backend SwiftBackend
archive-dir /c
chain-complete
 full 20260101T000000Z 1 enc
 inc 20260102T000000Z 1 enc
orphaned-sets-num 0
. Collection Status
. -----------------

ERROR 38
. Connection failed, please check your password: Unauthorized.
. Check username/id, password

`;

describe('duplicity --log-fd', () => {
  it('parses records with their codes and multi-line messages', () => {
    const records = parseLogFd(sample);
    expect(records.map((r) => [r.level, r.code])).toEqual([['NOTICE', 1], ['INFO', 2], ['NOTICE', 16], ['INFO', 3], ['ERROR', 38]]);
    expect(records[3]!.control).toEqual(['backend SwiftBackend', 'archive-dir /c', 'chain-complete', ' full 20260101T000000Z 1 enc', ' inc 20260102T000000Z 1 enc', 'orphaned-sets-num 0']);
    expect(records[4]!.message.join('\n')).toBe('Connection failed, please check your password: Unauthorized.\nCheck username/id, password');
    expect(uploadProgress(records[2]!)).toMatchObject({ bytes: 1048576, percent: 50, stalled: false });
    expect(firstError(records)?.code).toBe(38);
  });

  it('parses a stream cut at any point the same way', () => {
    for (let cut = 1; cut < sample.length; cut += 7) {
      const p = new LogFdParser();
      const records = [...p.push(sample.slice(0, cut)), ...p.push(sample.slice(cut)), ...p.end()];
      expect(records).toEqual(parseLogFd(sample));
    }
  });

  it('explains the stable error codes with a fix', () => {
    expect(explainError(31, 'signing failed: Bad passphrase').message).toMatch(/passphrase/);
    expect(explainError(38).message).toMatch(/connect/i);
    for (const code of [50, 51, 52, 53, 54, 55, 56]) expect(explainError(code).message).toMatch(/Swift|backend/);
    expect(explainError(80).message).toMatch(/signing key/);
    expect(explainError(81).message).toMatch(/encryption key/);
    expect(explainError(82).message).toMatch(/hidden/);
    for (const code of [31, 38, 50, 80, 81, 82, 99]) expect(explainError(code).fix.length).toBeGreaterThan(10);
  });
});
