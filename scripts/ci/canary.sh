#!/usr/bin/env bash
# Proves the test suite leaves a real "nightly" profile's schedule alone (run as root, around the suite):
#   canary.sh plant STATE_DIR   before the run: record root's "# dupliswift:nightly" crontab lines, the
#                               cron.d file and the systemd units; where none exists, plant a canary one
#                               (a crontab line for 31 February, which never comes; units never enabled)
#   canary.sh check STATE_DIR   after the run: each must be byte-identical to what was recorded; then
#                               only what `plant` planted is taken away again. Exit 1 when anything changed.
# A real one that exists is only read, never changed. CANARY_CRONTAB_USER, CANARY_CROND_DIR and
# CANARY_UNIT_DIR point it elsewhere (its own test uses a throwaway user and folders).
set -euo pipefail
export LC_ALL=C
mode=${1:-}
state=${2:-}
if [ -z "$mode" ] || [ -z "$state" ]; then echo "usage: $0 plant|check STATE_DIR" >&2; exit 2; fi
user=${CANARY_CRONTAB_USER:-root}
crond=${CANARY_CROND_DIR:-/etc/cron.d}
units=${CANARY_UNIT_DIR:-/etc/systemd/system}
marker='# dupliswift:nightly'
line="0 0 31 2 * /nonexistent/dupliswift-canary/backup.sh $marker"
files=("$crond/dupliswift-nightly" "$units/dupliswift-nightly.service" "$units/dupliswift-nightly.timer")

crontab_text() { crontab -u "$user" -l 2>/dev/null || true; }
# Our lines for the profile (backup and drill), exactly as cron holds them.
our_lines() { crontab_text | grep -E " # dupliswift:nightly(:drill)?[[:space:]]*$" | grep -v '^[[:space:]]*#' || true; }
key() { printf '%s' "$1" | tr '/' '_'; }

case $mode in
  plant)
    mkdir -p "$state"
    : >"$state/planted"
    if [ -z "$(our_lines)" ]; then
      # awk '1' ends an unterminated last line, so ours stays a line of its own.
      { crontab_text | awk '1'; printf '%s\n' "$line"; } | crontab -u "$user" -
      echo crontab >>"$state/planted"
    fi
    our_lines >"$state/crontab-lines"
    for f in "${files[@]}"; do
      if [ ! -e "$f" ]; then
        mkdir -p "$(dirname "$f")"
        case $f in
          *.service) printf '[Unit]\nDescription=dupliswift test canary (profile nightly)\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$f" ;;
          *.timer) printf '[Unit]\nDescription=dupliswift test canary schedule (profile nightly)\n\n[Timer]\nOnCalendar=*-02-31 00:00:00\n' >"$f" ;;
          *) printf '# dupliswift test canary; removed after the run\n%s\n' "0 0 31 2 * root /nonexistent/dupliswift-canary/backup.sh $marker" >"$f" ;;
        esac
        chmod 644 "$f"
        echo "$f" >>"$state/planted"
      fi
      cp -p "$f" "$state/$(key "$f")"
    done
    echo "canary: planted $(grep -c . "$state/planted" || true) item(s); recorded ${#files[@]} file(s) and the crontab lines" >&2
    ;;
  check)
    [ -f "$state/planted" ] || { echo "canary: $state holds no plant record" >&2; exit 2; }
    status=0
    if [ "$(our_lines)" != "$(cat "$state/crontab-lines")" ]; then
      echo "canary: root's \"$marker\" crontab lines changed during the run" >&2; status=1
    fi
    for f in "${files[@]}"; do
      if ! cmp -s "$f" "$state/$(key "$f")"; then echo "canary: $f was changed or removed during the run" >&2; status=1; fi
    done
    # Take away only what was planted, and only while it is still the canary.
    while IFS= read -r item; do
      case $item in
        crontab)
          # Every other byte stays: awk drops exactly the canary line.
          crontab_text | awk -v l="$line" '$0 != l' >"$state/crontab-rest"
          if [ -s "$state/crontab-rest" ]; then crontab -u "$user" - <"$state/crontab-rest"; else crontab -u "$user" -r 2>/dev/null || true; fi ;;
        '') ;;
        *) if cmp -s "$item" "$state/$(key "$item")"; then rm -f "$item"; fi ;;
      esac
    done <"$state/planted"
    rm -rf "$state"
    [ $status = 0 ] && echo "canary: the nightly profile's schedule is byte-identical after the run" >&2
    exit $status
    ;;
  *) echo "usage: $0 plant|check STATE_DIR" >&2; exit 2 ;;
esac
