/** JSON goes to stdout alone, so `--json | jq` always works; everything human goes to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
