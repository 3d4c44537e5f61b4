#!/usr/bin/env bash
# Re-makes every picture in screenshots/ from the real app in a real terminal (tmux, 80×24).
# Needs the local stack for the OpenStack screens: it is started if it is not running.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v tmux >/dev/null || need+=(tmux)
command -v rsvg-convert >/dev/null || need+=(librsvg2-bin)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else echo "Needs: sudo apt-get install ${need[*]}" >&2; exit 1; fi
fi
npm run --silent build
if [ -x scripts/stack/up.sh ] || [ -f scripts/stack/up.sh ]; then eval "$(bash scripts/stack/up.sh)"; fi
node scripts/screenshots/take.mjs "$@"
