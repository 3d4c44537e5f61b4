#!/usr/bin/env bash
# Sets dupliswift up from this checkout and starts the wizard, on a machine with nothing but apt:
#   sudo bash scripts/start.sh            (arguments are passed on: scripts/start.sh doctor)
# System packages come from the distribution's archive, npm packages (and, where the machine has no
# Node >= 20 with npm >= 11, a pinned Node and npm; see scripts/node.sh) from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# shellcheck source=scripts/node.sh
. scripts/node.sh
use_node
# npm's own output goes to stderr: stdout is the tool's alone (`start.sh doctor --json | jq` works on the first run too).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
[ -f dist/dupliswift.js ] || npm run --silent build >&2
install_launcher
exec "$NODE" bin/dupliswift.js "$@"
