/**
 * duplicity's time intervals ("36h", "3D", "1W", "1D12h"), as schedule.warnAfter / critAfter take them:
 * a number and a unit, one or more times. M is 30 days and Y 365, as duplicity counts them.
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, D: 86_400, W: 604_800, M: 2_592_000, Y: 31_536_000 };
const WHOLE = /^(?:[0-9]+[smhDWMY])+$/;

export function intervalProblem(text: string): string | undefined {
  return WHOLE.test(text.trim()) ? undefined : `"${text}" is not a duplicity interval; write a number and a unit, e.g. 36h, 2D, 1W (s, m, h, D, W, M, Y).`;
}

/** Seconds in an interval; undefined when it is not one. */
export function intervalSeconds(text: string): number | undefined {
  const t = text.trim();
  if (!WHOLE.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/([0-9]+)([smhDWMY])/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total;
}

/** "3 h", "2 days", "45 s": how long, rounded to the largest unit that reads well. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
