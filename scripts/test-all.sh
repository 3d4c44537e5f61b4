#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine, as root: system packages, npm packages, the
# local Keystone + Swift, then every test on Node 20 (the machine's) and again on Node 22 and 24
# (from the npm registry's `node` package). Nothing is skipped: a missing part fails its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/install-system-deps.sh --test
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npx tsc --noEmit

stack_started=
stop_stack() { if [ -n "$stack_started" ]; then bash scripts/stack/down.sh >&2 || true; fi; }
trap stop_stack EXIT
if ! curl -sf -o /dev/null http://127.0.0.1:5000/v3; then stack_started=1; fi
eval "$(bash scripts/stack/up.sh)"

# Tests must fail, never skip, when a real part is missing.
export DUPLISWIFT_TEST_STRICT=1
mkdir -p .vitest-tmp
status=0
# A real "nightly" profile's schedule on this machine must come through the whole run byte-identical.
canary_state=$(mktemp -d /tmp/dupliswift-canary.XXXXXX)
bash scripts/ci/canary.sh plant "$canary_state"
for version in 20 22 24; do
  if [ "$version" = 20 ]; then node_bin=(node); else node_bin=(npx -y "node@$version"); fi
  echo "=== Node $version: $("${node_bin[@]}" --version)" >&2
  "${node_bin[@]}" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
    --outputFile.json=".vitest-tmp/node$version.json" || status=1
done

bash scripts/ci/canary.sh check "$canary_state" || status=1

# One plain closing line for all three runs: "tests: N passed, N failed".
node -e '
  let passed = 0, failed = 0;
  for (const v of [20, 22, 24]) {
    try {
      const r = require(`./.vitest-tmp/node${v}.json`);
      // A suite that failed to load has no failed test in it, but the run failed all the same.
      const f = r.numFailedTests || (r.success ? 0 : Math.max(1, r.numFailedTestSuites));
      passed += r.numPassedTests; failed += f;
      console.error(`Node ${v}: ${r.numPassedTests} passed, ${f} failed, ${r.numPendingTests} skipped`);
    } catch { failed += 1; console.error(`Node ${v}: no results`); }
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
'
echo "whole run: $(( $(date +%s) - started )) s" >&2
exit $status
