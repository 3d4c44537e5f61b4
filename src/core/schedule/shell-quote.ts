/** One shell word, whatever it holds: single quotes, with embedded ones closed, escaped and reopened. */
export function shq(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A bash array literal: `(a 'b c')`. */
export function shArray(values: readonly string[]): string {
  return `(${values.map(shq).join(' ')})`;
}
