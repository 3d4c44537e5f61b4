#!/usr/bin/env bash
# Runs Swift's container-updater once (about 1 s) against the stack up.sh started. Without the
# updater daemon (not run: in forever mode it burns a core), account-level object and byte counts
# (X-Account-Object-Count, X-Account-Bytes-Used) stay 0; container-level counts are always right.
# Tests call this before reading account-level usage. Exit 0 only if every container's update
# reached the account server. Log: $DUPLISWIFT_STACK_DIR/log/container-updater.log
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ $# = 0 ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root"
check_stack_dir_name
svc_pid account >/dev/null || die "the stack's account server is not running: run scripts/stack/up.sh first"

logf=$LOG_DIR/container-updater.log
printf '\n===== %s: container-updater once =====\n' "$(date -Is)" >>"$logf"
start=$(wc -c <"$logf")
if ! run_as swift "$PY" /usr/bin/swift-container-updater "$SW_DIR/container-server.conf" once -v \
  </dev/null >>"$logf" 2>&1; then
  log_tail "$logf" 30
  die "swift-container-updater failed"
fi
summary=$(tail -c +"$((start + 1))" "$logf" | grep -o 'sweep completed: .*' | tail -n 1 || true)
[ -n "$summary" ] || { log_tail "$logf" 30; die "swift-container-updater printed no sweep summary"; }
case $summary in
  *', 0 failures'*) log "account usage updated (container-updater $summary)" ;;
  *) log_tail "$logf" 30; die "container-updater reported failures: $summary" ;;
esac
