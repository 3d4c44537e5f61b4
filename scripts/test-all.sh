#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine, as root: system packages, npm packages, the
# local Keystone + Swift, then every test on Node 20, 22 and 24 (the machine's Node where it is that
# version, else the npm registry's `node` package), then the distro matrix (scripts/distro-matrix.sh:
# fresh Debian 12 and 13 chroots, a new user's whole path). Nothing is skipped: a missing part fails
# its tests, and a skipped test fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/install-system-deps.sh --test
# shellcheck source=scripts/node.sh
. scripts/node.sh
use_node
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npx tsc --noEmit

stack_started=
stop_stack() { if [ -n "$stack_started" ]; then bash scripts/stack/down.sh >&2 || true; fi; }
trap stop_stack EXIT
if ! curl -sf -o /dev/null http://127.0.0.1:5000/v3; then stack_started=1; fi
eval "$(bash scripts/stack/up.sh)"

mkdir -p .vitest-tmp
status=0
# A real "nightly" profile's schedule on this machine must come through the whole run byte-identical.
canary_state=$(mktemp -d /tmp/dupliswift-canary.XXXXXX)
bash scripts/ci/canary.sh plant "$canary_state"
# Node 20 (the pinned one) runs every test. Node 22 and 24 run all but the long end-to-end files
# whose subject is the bash job, duplicity and the cloud rather than Node (the job has no Node in it):
# they would take the run past its time and prove nothing more about Node. Meanwhile the distro matrix
# (fresh Debian 12 and 13 chroots, a new user's whole path) runs beside them.
ONCE_ONLY=(test/faults/** test/databases/** test/tls/** test/schedule/first-run.test.ts test/schedule/token-expiry.test.ts
  test/openstack/app-credential.test.ts test/schedule/state.test.ts test/restore/disaster-recovery.test.ts test/restore/odd-names.test.ts)
matrix_pid=
for version in 20 22 24; do
  if [ "$(major_of node)" = "$version" ]; then node_bin=(node); else node_bin=(npx -y "node@$version"); fi
  echo "=== Node $version: $("${node_bin[@]}" --version)" >&2
  only=()
  if [ "$version" != 20 ]; then for f in "${ONCE_ONLY[@]}"; do only+=(--exclude "$f"); done; fi
  "${node_bin[@]}" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json \
    --outputFile.json=".vitest-tmp/node$version.json" "${only[@]}" || status=1
  if [ "$version" = 20 ]; then
    bash scripts/distro-matrix.sh > .vitest-tmp/matrix.log 2>&1 &
    matrix_pid=$!
  fi
done

bash scripts/ci/canary.sh check "$canary_state" || status=1

# One plain closing line for all three runs: "tests: N passed, N failed". A skipped test fails the
# run: it would hide a missing real part (the suite has no skip of its own).
node -e '
  let passed = 0, failed = 0, skipped = 0;
  for (const v of [20, 22, 24]) {
    try {
      const r = require(`./.vitest-tmp/node${v}.json`);
      // A suite that failed to load has no failed test in it, but the run failed all the same.
      const f = r.numFailedTests || (r.success ? 0 : Math.max(1, r.numFailedTestSuites));
      passed += r.numPassedTests; failed += f; skipped += r.numPendingTests + (r.numTodoTests || 0);
      console.error(`Node ${v}: ${r.numPassedTests} passed, ${f} failed, ${r.numPendingTests} skipped`);
    } catch { failed += 1; console.error(`Node ${v}: no results`); }
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
  if (skipped) { console.error(`${skipped} skipped: a skipped test fails the run`); process.exit(1); }
' || status=1

# The distro matrix: fresh chroots of Debian 12 and 13, against the same stack.
matrix_rc=0
wait "$matrix_pid" || matrix_rc=$?
cat .vitest-tmp/matrix.log >&2
[ "$matrix_rc" = 0 ] || { echo "distro matrix failed (exit $matrix_rc)" >&2; status=1; }

echo "whole run: $(( $(date +%s) - started )) s" >&2
exit $status
