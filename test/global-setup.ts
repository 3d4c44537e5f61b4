import { execFileSync } from 'node:child_process';

/** End-to-end tests run the real bundle, as users do: build it once per test run. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
