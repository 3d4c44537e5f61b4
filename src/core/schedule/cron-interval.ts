/**
 * How often a cron schedule fires: the shortest gap between two runs, in seconds. The backup job
 * alerts when its lock has been held longer than that (a run that outlives its own interval is
 * probably hung, and every run it makes skip should say so).
 */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function value(text: string, index: number): number {
  const lower = text.toLowerCase();
  if (index === 3 && NAMES.includes(lower)) return NAMES.indexOf(lower) + 1;
  if (index === 4 && DAYS.includes(lower)) return DAYS.indexOf(lower);
  return Number(text);
}

/** The values one field allows, or undefined when it cannot be read. */
function expand(field: string, index: number, lo: number, hi: number): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = lo;
    let to = hi;
    if (range !== '*') {
      const [a = '', b] = range.split('-');
      from = value(a, index);
      to = b === undefined ? (stepText === undefined ? from : hi) : value(b, index);
    }
    if (![from, to, step].every(Number.isInteger) || step < 1 || from > to) return undefined;
    for (let v = from; v <= to; v += step) out.add(index === 4 && v === 7 ? 0 : v);
  }
  return out;
}

export const DAY_SECONDS = 86_400;

/** The shortest gap between two firings of `expression` (five fields or a macro); a day when it cannot be read. */
export function cronIntervalSeconds(expression: string): number {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return DAY_SECONDS;
  const [minutes, hours, doms, months, dows] = [
    expand(fields[0]!, 0, 0, 59), expand(fields[1]!, 1, 0, 23), expand(fields[2]!, 2, 1, 31), expand(fields[3]!, 3, 1, 12), expand(fields[4]!, 4, 0, 7),
  ];
  if (!minutes?.size || !hours?.size || !doms || !months || !dows) return DAY_SECONDS;
  const domAny = fields[2] === '*';
  const dowAny = fields[4] === '*';
  const daily = [...hours].sort((a, b) => a - b).flatMap((h) => [...minutes].sort((a, b) => a - b).map((m) => h * 3600 + m * 60));
  let best = Infinity;
  for (let i = 1; i < daily.length; i++) best = Math.min(best, daily[i]! - daily[i - 1]!);
  // Day by day over a bit more than a leap year (from a fixed date: pure), gaps across midnight.
  let previous: number | undefined;
  const start = Date.UTC(2024, 0, 1);
  for (let d = 0; d < 800; d++) {
    const day = new Date(start + d * DAY_SECONDS * 1000);
    const domOk = doms.has(day.getUTCDate());
    const dowOk = dows.has(day.getUTCDay());
    const match = months.has(day.getUTCMonth() + 1) && (domAny && dowAny ? true : domAny ? dowOk : dowAny ? domOk : domOk || dowOk);
    if (!match) continue;
    const base = d * DAY_SECONDS;
    if (previous !== undefined) best = Math.min(best, base + daily[0]! - previous);
    previous = base + daily[daily.length - 1]!;
  }
  return Number.isFinite(best) ? best : DAY_SECONDS;
}
