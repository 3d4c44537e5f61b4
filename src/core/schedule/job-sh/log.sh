# backup.sh: log (a part of the job template; see backup.sh)
# Every log line gets a timestamp (bash's own clock: no fork per line). Writing the log never fails
# the job: under set -e a full or read-only profile folder would otherwise end the EXIT trap before
# its alerts. A line the log cannot take goes to stderr (cron mails it) and to syslog when logger exists.
LOG_BROKEN=0
log_line() {
  local line
  printf -v line '%(%Y-%m-%d %H:%M:%S %z)T %s' -1 "$1"
  { printf '%s\n' "$line" >>"$LOG_FILE"; } 2>/dev/null && return 0
  LOG_BROKEN=1
  printf '%s\n' "$line" >&2 || true
  [ ! -x /usr/bin/logger ] || /usr/bin/logger -t "dupliswift[$$]" -- "$PROFILE: $1" </dev/null >/dev/null 2>&1 || true
}
# Timestamps a stream (a duplicity step's output) into the log, and a copy into $1 when given (the
# step's own text, which the failure classes are read from). Keeps reading whatever the disk does, so
# duplicity never dies of a broken pipe.
stamp() {
  local line copy=${1:-}
  while IFS= read -r line || [ -n "$line" ]; do
    log_line "$line"
    [ -z "$copy" ] || { printf '%s\n' "$line" >>"$copy"; } 2>/dev/null || true
  done
}
log() {
  local msg="[$$] $*"
  log_line "${msg//$'\n'/$'\n'    }"
}
die() {
  log "ERROR: $*"
  FAIL_NOTE=${FAIL_NOTE:-"dupliswift $PROFILE on $HOSTNAME: $*"}
  printf 'dupliswift %s: %s\n' "$PROFILE" "$*" >&2 || true
  exit 78
}

rotate_log() {
  local size
  size=$(/usr/bin/stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
  if [ "$size" -gt 5242880 ]; then /bin/mv -f "$LOG_FILE" "$LOG_FILE.1" 2>/dev/null || true; fi
}
