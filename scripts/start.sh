#!/usr/bin/env bash
# Sets dupliswift up from this checkout and starts the wizard:
#   sudo bash scripts/start.sh            (arguments are passed on: scripts/start.sh doctor)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
[ -f dist/dupliswift.js ] || npm run --silent build
exec node bin/dupliswift.js "$@"
