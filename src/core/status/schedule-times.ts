import type { CronExpressionParser as Parser } from 'cron-parser';
import { requireVendor } from '../vendor';

// Loaded on first use, like the schedule checks' parser: the bundle's start-up never reads it.
const cronParser = () => requireVendor<{ CronExpressionParser: typeof Parser }>('cron-parser').CronExpressionParser;

/** Cron runs in the machine's local time zone, so its times are computed in it too. */
function localZone(): string | undefined {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
}

/** The first time the cron expression fires after `after`; undefined when it cannot be read. */
export function nextRunAfter(cron: string, after: Date, tz = localZone()): Date | undefined {
  try {
    return cronParser().parse(cron.trim(), { currentDate: after, tz }).next().toDate();
  } catch {
    return undefined;
  }
}

/**
 * The longest wait between two runs of the schedule, over its next 64 runs from `from` (a year at most): what the
 * age of the last success may reach when every run succeeds ("17 3 * * *": a day; "0 3 * * 1,4": four days).
 */
export function longestGapSeconds(cron: string, from: Date, tz = localZone()): number | undefined {
  let it;
  try {
    it = cronParser().parse(cron.trim(), { currentDate: from, tz });
  } catch {
    return undefined;
  }
  const end = from.getTime() + 366 * 86_400_000;
  let previous = it.next().toDate().getTime();
  let longest = 0;
  for (let i = 0; i < 64 && previous < end; i++) {
    const next = it.next().toDate().getTime();
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return longest > 0 ? longest / 1000 : undefined;
}
