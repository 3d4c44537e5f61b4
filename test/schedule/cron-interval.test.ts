import { describe, expect, it } from 'vitest';
import { cronIntervalSeconds } from '../../src/core/schedule/cron-interval';

describe('a schedule\'s interval (the busy-lock alert threshold)', () => {
  it.each([
    ['17 3 * * *', 86_400], ['*/15 * * * *', 900], ['0 * * * *', 3600], ['@daily', 86_400], ['@hourly', 3600],
    ['0 2 * * 1-5', 86_400], ['30 1 * * sun', 7 * 86_400], ['0 4 1 * *', 28 * 86_400], ['0 3,15 * * *', 12 * 3600],
    ['0 23 * * 6,0', 3600 * 24], ['not cron', 86_400],
  ])('%s fires at most every %i s', (cron, seconds) => {
    expect(cronIntervalSeconds(cron)).toBe(seconds);
  });
});
