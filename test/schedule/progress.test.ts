import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/core/duplicity/logfd';
import { INFO } from '../../src/core/duplicity/logfd';
import { progressOf } from '../../src/core/schedule/first-run';

const processed = (bytes: number): LogRecord => ({ level: 'INFO', code: INFO.progress, control: [`${bytes} 0 0 0 0`], message: [] });

describe('first-run progress', () => {
  it('never passes 100 %, in words or as a fraction, when duplicity counts more than the estimate', () => {
    const p = progressOf(processed(508_211), 500_000)!;
    expect(p.fraction).toBe(1);
    expect(p.detail).toBe('496.3 KiB of 496.3 KiB processed');
  });

  it('counts up against the estimate below it', () => {
    const p = progressOf(processed(250_000), 500_000)!;
    expect(p.fraction).toBeCloseTo(0.5);
    expect(p.detail).toBe('244.1 KiB of 488.3 KiB processed');
  });
});
