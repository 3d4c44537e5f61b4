# backup.sh: alerts (a part of the job template; see backup.sh)
# healthchecks-style pings: URL/start, URL (success), URL/fail, URL/log. A dead ping service never fails
# a backup. An optional message goes as the request body, which healthchecks shows with the ping.
ping_url() {
  [ -n "$PING_URL" ] && [ -n "$CURL" ] || return 0
  local body=()
  [ -z "${2:-}" ] || body=(--data-binary @-)
  printf '%s' "${2:-}" | "$CURL" -fsS -m 10 --retry 2 -o /dev/null "${body[@]}" "$PING_URL$1" >/dev/null 2>&1 || log "ping $PING_URL$1 failed (ignored)"
}

# The mail carries what went wrong first (FAIL_NOTE), then the log's tail: when the log could not be
# written (a full disk), the note alone still says it.
mail_failure() {
  [ -n "$MAIL_TO" ] && [ -n "$MAIL" ] || return 0
  { [ -z "$FAIL_NOTE" ] || printf '%s\n\n' "$FAIL_NOTE"; /usr/bin/tail -n 40 "$LOG_FILE" 2>/dev/null; } |
    "$MAIL" -s "dupliswift: $JOB $PROFILE failed on $HOSTNAME (exit $1)" "$MAIL_TO" >/dev/null 2>&1 ||
    log "mail to $MAIL_TO failed (ignored)"
}

on_exit() {
  local rc=$?
  trap '' TERM INT HUP
  # set -e must not cut the alerts short: each step below stands alone.
  set +e
  stop_duplicity
  record_state "$rc" || true
  if [ "$rc" != 0 ] && [ "$ALERT" = 1 ]; then
    log "$JOB FAILED with exit code $rc"
    [ -n "$FAIL_NOTE" ] || FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: $JOB failed (exit $rc); see $LOG_FILE"
    [ "$LOG_BROKEN" = 0 ] || FAIL_NOTE="$FAIL_NOTE (the log $LOG_FILE could not be written: is its disk full or read-only? Lines went to stderr and syslog.)"
    ping_url /fail "$FAIL_NOTE"
    mail_failure "$rc"
    printf 'dupliswift %s: %s failed (exit %s); see %s\n' "$PROFILE" "$JOB" "$rc" "$LOG_FILE" >&2 2>/dev/null
  fi
  clear_run_tmp
  exit "$rc"
}

# TERM (shutdown, systemctl stop, timeout), INT (Ctrl-C) and HUP end the run as a failure: duplicity's
# whole process group stops first (no orphan keeps uploading or holds duplicity's lock), then the EXIT
# trap logs, pings /fail and mails; the exit code is 128 + the signal's number.
on_signal() {
  trap '' TERM INT HUP
  log "stopped by SIG$1; stopping duplicity"
  stop_duplicity
  FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: $JOB stopped by SIG$1 before it finished; the next run picks up from there"
  exit $((128 + $2))
}
trap on_exit EXIT
trap 'on_signal TERM 15' TERM
trap 'on_signal INT 2' INT
trap 'on_signal HUP 1' HUP
