import { requireVendor } from '../vendor';

/**
 * Cron schedules, read by cron-parser (a kept library) rather than by hand, then narrowed to what
 * Debian's cron (Vixie cron) itself runs: five fields, numbers, 3-letter names, `*`, ranges, steps
 * and lists, or one of the @ shortcuts. cron-parser also takes a seconds field and Quartz extras
 * (L, W, #, ?, H) that cron rejects or reads differently; those are refused here with a word why,
 * so what is accepted runs the same from a crontab, /etc/cron.d or a systemd timer.
 */

export interface CronTimes {
  minutes: number[];
  hours: number[];
  /** Days of the month, 1-31. */
  days: number[];
  /** Months, 1-12. */
  months: number[];
  /** Weekdays, 0 (Sunday) to 6. */
  weekdays: number[];
  /**
   * How cron combines the two day fields: when both are restricted (neither starts with `*`), a day
   * runs when either matches ('or'); otherwise both must ('and'), which with one of them `*` means
   * just the other.
   */
  dayMatch: 'and' | 'or';
}

export type CronParse = { ok: true; times: CronTimes } | { ok: false; problem: string };

/** cron's own shortcuts; @reboot is not a schedule a backup can keep. */
const SHORTCUTS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

const NAMES = ['minute', 'hour', 'day of month', 'month', 'weekday'];
// What Vixie cron's field grammar allows: digits, 3-letter names, * , - /.
const FIELD = /^[0-9A-Za-z*,/-]+$/;

interface Parser {
  parse(expression: string, options?: { strict?: boolean }): { fields: Record<'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek', { values: Array<number | string> }> };
}

let parser: Parser | undefined;
function cronParser(): Parser {
  // Loaded on first use: the wizard's first frame does not wait for it (or for luxon under it).
  parser ??= requireVendor<{ CronExpressionParser: Parser }>('cron-parser').CronExpressionParser;
  return parser;
}

const example = '(e.g. "17 3 * * *": every night at 03:17)';

/** Parses a cron schedule; on failure, the problem in words (naming the field and what cron takes). */
export function parseCron(expression: string): CronParse {
  const text = expression.trim();
  if (text.startsWith('@')) {
    const expanded = SHORTCUTS[text.toLowerCase()];
    if (!expanded) {
      return { ok: false, problem: text.toLowerCase() === '@reboot'
        ? '"@reboot" runs only at boot, not on a schedule; give times, e.g. "17 3 * * *" or @daily.'
        : `"${text}" is not a cron shortcut; cron takes @hourly, @daily, @weekly, @monthly, @yearly ${example}.` };
    }
    return parseCron(expanded);
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return { ok: false, problem: `"${text}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; cron needs five: minute hour day-of-month month weekday ${example}.` };
  }
  for (const [index, field] of fields.entries()) {
    if (!FIELD.test(field) || /[LWH]/.test(field.replace(/[A-Za-z]{3}/g, ''))) {
      return { ok: false, problem: `The ${NAMES[index]} field "${field}" has characters cron does not take; use numbers${index >= 3 ? ', 3-letter names' : ''}, *, commas, dashes and slashes.` };
    }
  }
  const [, , dom = '', , dow = ''] = fields;
  const domStar = dom.startsWith('*');
  const dowStar = dow.startsWith('*');
  // cron treats "*/2" as "*" when it combines the day fields (an 'and'); cron-parser as a restriction
  // (an 'or'). Refused rather than guessed: the two readings run on different days.
  if ((dom !== '*' && domStar && !dowStar) || (dow !== '*' && dowStar && !domStar)) {
    return { ok: false, problem: `"${text}" steps one day field from * and restricts the other; cron and other schedulers read that differently. List the days instead (e.g. "1,15" or "mon,thu").` };
  }
  let parsed: ReturnType<Parser['parse']>;
  try {
    parsed = cronParser().parse(text, { strict: false });
  } catch (error) {
    return { ok: false, problem: `"${text}" is not a schedule cron takes: ${describe((error as Error).message)} ${example}.` };
  }
  const numbers = (values: Array<number | string>) => [...new Set(values.map(Number))].filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
  const f = parsed.fields;
  const weekdays = [...new Set(numbers(f.dayOfWeek.values).map((d) => d % 7))].sort((a, b) => a - b);
  return {
    ok: true,
    times: {
      minutes: numbers(f.minute.values), hours: numbers(f.hour.values), days: numbers(f.dayOfMonth.values),
      months: numbers(f.month.values), weekdays, dayMatch: !domStar && !dowStar ? 'or' : 'and',
    },
  };
}

/** cron-parser's messages, in plain words where they are terse. */
function describe(message: string): string {
  const range = /got value (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (range) return `${range[1]} is out of range (${range[2]}-${range[3]}).`;
  if (/Invalid explicit day of month/.test(message)) return 'that day never comes in the month given.';
  return `${message.replace(/\.$/, '')}.`;
}

/** Five cron fields, or a named shortcut (@daily); undefined when fine, else the problem in words. */
export function cronProblem(expression: string): string | undefined {
  const r = parseCron(expression);
  return r.ok ? undefined : r.problem;
}
