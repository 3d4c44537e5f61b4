# backup.sh: modes (a part of the job template; see backup.sh)
# A restore drill holds "$LOCK_FILE.drill" for as long as it runs (and waits for) the main lock.
drill_running() {
  local free=0
  exec 7>>"$LOCK_FILE.drill"
  "$FLOCK" -n 7 || free=1
  exec 7>&-
  [ "$free" = 1 ]
}

backup() {
  # One run at a time per profile: a second one (cron overlapping a slow run, or a manual run) leaves
  # at once, touching nothing; the lock is released by the kernel however the first one ends. A
  # restore drill takes minutes: a backup waits for it rather than skip a night.
  exec 9>>"$LOCK_FILE"
  if ! "$FLOCK" -n 9 && ! { drill_running && log "a restore drill is running; the backup waits for it" && "$FLOCK" -w 3600 9; }; then
    log "another backup of this profile is running; this run did nothing"
    printf 'dupliswift %s: another backup is running; nothing done\n' "$PROFILE" >&2
    exit 75
  fi
  ALERT=1
  rotate_log
  log "backup of $SOURCE to $TARGET started"
  ping_url /start
  arm_after_hooks
  run_before_hooks
  run_dumps
  read_secrets
  local rc=0
  run_logged backup "$DUPLICITY" "${BACKUP[@]}" "${LOGFD[@]}" "$SOURCE" "$TARGET" || rc=$?
  if [ "$rc" = 0 ]; then run_logged retention "$DUPLICITY" "${RETENTION[@]}" "$TARGET" || rc=$?; fi
  if [ "$rc" = 0 ]; then run_logged cleanup "$DUPLICITY" "${CLEANUP[@]}" "$TARGET" || rc=$?; fi
  if [ "$rc" = 0 ]; then
    log "backup finished"
    ping_url ''
  fi
  return "$rc"
}

status() {
  exec 9>>"$LOCK_FILE"
  "$FLOCK" -w 600 9 || die "the lock $LOCK_FILE stayed busy for 10 minutes"
  read_secrets
  "$DUPLICITY" collection-status "${COMMON[@]}" "${LOGFD[@]}" "$TARGET" </dev/null
}

restore() {
  [ $# = 2 ] || die "usage: $0 restore PATH DEST"
  [ ! -e "$2" ] || die "$2 already exists; restore into a new path so nothing is overwritten"
  exec 9>>"$LOCK_FILE"
  "$FLOCK" -w 600 9 || die "the lock $LOCK_FILE stayed busy for 10 minutes"
  read_secrets
  log "restore of $1 into $2 started"
  if [ "$1" = . ]; then
    "$DUPLICITY" restore "${COMMON[@]}" "${LOGFD[@]}" "$TARGET" "$2" </dev/null
  else
    "$DUPLICITY" restore "${COMMON[@]}" "${LOGFD[@]}" "$RESTORE_FLAG" "$1" "$TARGET" "$2" </dev/null
  fi
}

#@drill

drill() {
  # Waits for a running backup rather than skipping: the drill is rare, and restoring while retention
  # deletes old volumes would fail for nothing. Its own lock tells a starting backup to wait in turn.
  exec 8>>"$LOCK_FILE.drill"
  if ! "$FLOCK" -n 8; then
    printf 'dupliswift %s: another restore drill is running; nothing done\n' "$PROFILE" >&2
    exit 75
  fi
  exec 9>>"$LOCK_FILE"
  if ! "$FLOCK" -w 7200 9; then
    log "the backup held the lock for two hours; this restore drill did nothing"
    printf 'dupliswift %s: a backup is running; restore drill not done\n' "$PROFILE" >&2
    exit 75
  fi
  JOB='restore drill'
  ALERT=1
  rotate_log
  read_secrets
  log "restore drill of $TARGET started (empty cache, as a new machine)"
  local rc=0 result line
  # No --archive-dir of the job's: the drill proves the remote metadata decrypts, and never fights
  # the job for its cache.
  result=$(DRILL_CACHE='' dupliswift_restore_drill </dev/null 2>&1) || rc=$?
  [ -z "$result" ] || while IFS= read -r line; do log "$line"; done <<<"$result"
  log "restore drill finished with exit code $rc"
  [ ! -t 1 ] || printf '%s\n' "$result"
  if [ "$rc" = 0 ]; then
    # /log records the result without counting as a backup run, so it never hides a missed backup.
    ping_url /log "dupliswift $PROFILE on $HOSTNAME: $result"
  else
    FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: restore drill failed (exit $rc): $result"
  fi
  return "$rc"
}
