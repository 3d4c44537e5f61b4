# backup.sh: alerts (a part of the job template; see backup.sh)
# healthchecks-style pings: URL/start, URL (success), URL/fail, URL/log. A dead ping service never fails
# a backup. An optional message goes as the request body, which healthchecks shows with the ping.
ping_url() {
  [ -n "$PING_URL" ] && [ -n "$CURL" ] || return 0
  local body=()
  [ -z "${2:-}" ] || body=(--data-binary @-)
  printf '%s' "${2:-}" | "$CURL" -fsS -m 10 --retry 2 -o /dev/null "${body[@]}" "$PING_URL$1" >/dev/null 2>&1 || log "ping $PING_URL$1 failed (ignored)"
}

mail_failure() {
  [ -n "$MAIL_TO" ] && [ -n "$MAIL" ] || return 0
  /usr/bin/tail -n 40 "$LOG_FILE" | "$MAIL" -s "dupliswift: $JOB $PROFILE failed on $HOSTNAME (exit $1)" "$MAIL_TO" >/dev/null 2>&1 ||
    log "mail to $MAIL_TO failed (ignored)"
}

on_exit() {
  local rc=$?
  record_state "$rc" || true
  if [ "$rc" != 0 ] && [ "$ALERT" = 1 ]; then
    log "$JOB FAILED with exit code $rc"
    ping_url /fail "$FAIL_NOTE"
    mail_failure "$rc"
    printf 'dupliswift %s: %s failed (exit %s); see %s\n' "$PROFILE" "$JOB" "$rc" "$LOG_FILE" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT
