# backup.sh: modes (a part of the job template; see backup.sh)
# A restore drill holds "$LOCK_FILE.drill" for as long as it runs (and waits for) the main lock.
drill_running() {
  local free=0
  exec 7>>"$LOCK_FILE.drill"
  "$FLOCK" -n 7 || free=1
  exec 7>&-
  [ "$free" = 1 ]
}

# The lock's mtime says since when its holder has held it: every holder touches it on taking it.
hold_lock() { /usr/bin/touch "$LOCK_FILE" 2>/dev/null || true; }

# A busy lock is a normal overlap (a slow night) until it has been held longer than the schedule's
# interval: then the holder is probably hung, every skipped run alerts, and one hang never silences
# the alerts of all later runs.
lock_busy() {
  local since now age
  since=$(/usr/bin/stat -c %Y "$LOCK_FILE" 2>/dev/null || echo 0)
  printf -v now '%(%s)T' -1
  age=$((now - since))
  if [ "$age" -ge "$LOCK_ALERT_AFTER" ]; then
    FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: no backup: another run has held the lock for $(span "$age"), longer than the schedule's interval ($(span "$LOCK_ALERT_AFTER")); it may be hung. Fix: see $LOG_FILE and what holds $LOCK_FILE (fuser -v $LOCK_FILE); stop it, and the next run backs up."
    log "another run has held the lock for $(span "$age") (alert after $(span "$LOCK_ALERT_AFTER")); this run did nothing"
  else
    ALERT=0
    log "another backup of this profile is running; this run did nothing"
  fi
  printf 'dupliswift %s: another backup is running; nothing done\n' "$PROFILE" >&2 || true
  exit 75
}

backup() {
  # Alerts are armed before anything can fail; a normal overlap disarms them (lock_busy).
  ALERT=1
  # One run at a time per profile: a second one (cron overlapping a slow run, or a manual run) leaves
  # at once, touching nothing; the lock is released by the kernel however the first one ends. A
  # restore drill takes minutes: a backup waits for it rather than skip a night, but not for ever.
  exec 9>>"$LOCK_FILE"
  if ! "$FLOCK" -n 9; then
    drill_running || lock_busy
    log "a restore drill is running; the backup waits for it"
    if ! "$FLOCK" -w "$DRILL_WAIT" 9; then
      FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: no backup: it waited $(span "$DRILL_WAIT") for a restore drill that still holds the lock. Fix: see $LOG_FILE; stop the drill if it hangs."
      log "the restore drill still holds the lock after $(span "$DRILL_WAIT"); this run did nothing"
      exit 75
    fi
  fi
  hold_lock
  rotate_log
  make_run_tmp
  verify_uploads
  log "backup of $SOURCE to $TARGET started"
  ping_url /start
  : >"$TMP_ROOT/unclean" 2>/dev/null || true
  arm_after_hooks
  run_before_hooks
  run_dumps
  read_secrets
  authenticate
  local rc=0
  keystone_answers || rc=$?
  if [ "$rc" = 0 ]; then run_step backup "$DUPLICITY" "${BACKUP[@]}" "${LOGFD[@]}" "$SOURCE" "$TARGET" || rc=$?; fi
  if [ "$rc" = 0 ]; then run_step retention "$DUPLICITY" "${RETENTION[@]}" "$TARGET" || rc=$?; fi
  if [ "$rc" = 0 ]; then run_step cleanup "$DUPLICITY" "${CLEANUP[@]}" "$TARGET" || rc=$?; fi
  if [ "$rc" = 0 ]; then
    /bin/rm -f -- "$TMP_ROOT/unclean"
    log "backup finished"
    ping_url ''
  fi
  return "$rc"
}

# A read-only command in the foreground (status, restore): output to the caller, under the watchdog,
# so a signal or a hang stops it like a backup step.
run_foreground() {
  run_watched "$MODE" '' "$@"
}

# What status and restore do first: wait for a running backup (ten minutes at most), then the run's
# own temp folder, the secrets and, with an application credential, a token.
prepare_read() {
  exec 9>>"$LOCK_FILE"
  "$FLOCK" -w 600 9 || die "the lock $LOCK_FILE stayed busy for 10 minutes"
  hold_lock
  make_run_tmp
  read_secrets
  authenticate
}

# A failed backup can leave a partial set (a manifest without all its volumes) in the local cache and
# in Swift; duplicity's restore then dies with "KeyError: 1" and collection-status shows a set with 0
# volumes. cleanup --force removes such leftovers (never a complete set) and syncs the cache first.
# Only after a backup that did not finish (the marker "unclean", which a backup sets when it starts
# and removes when it succeeds): a cleanup costs a round of Swift listings.
tidy_after_failure() {
  [ -e "$TMP_ROOT/unclean" ] || return 0
  log "the last backup did not finish; removing what it left half-done before the $MODE"
  if run_logged tidy "$DUPLICITY" "${CLEANUP[@]}" "$TARGET"; then /bin/rm -f -- "$TMP_ROOT/unclean"; else log "cleanup before $MODE failed; going on"; fi
}

status() {
  prepare_read
  tidy_after_failure
  run_foreground "$DUPLICITY" collection-status "${COMMON[@]}" "${LOGFD[@]}" "$TARGET"
}

restore() {
  [ $# = 2 ] || die "usage: $0 restore PATH DEST"
  [ ! -e "$2" ] || die "$2 already exists; restore into a new path so nothing is overwritten"
  prepare_read
  log "restore of $1 into $2 started"
  tidy_after_failure
  if [ "$1" = . ]; then
    run_foreground "$DUPLICITY" restore "${COMMON[@]}" "${LOGFD[@]}" "$TARGET" "$2"
  else
    run_foreground "$DUPLICITY" restore "${COMMON[@]}" "${LOGFD[@]}" "$RESTORE_FLAG" "$1" "$TARGET" "$2"
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
  authenticate
  log "restore drill of $TARGET started (empty cache, as a new machine)"
  local rc=0 result line summary
  # No --archive-dir of the job's: the drill proves the remote metadata decrypts, and never fights
  # the job for its cache.
  result=$(dupliswift_restore_drill </dev/null 2>&1) || rc=$?
  [ -z "$result" ] || while IFS= read -r line; do log "$line"; done <<<"$result"
  log "restore drill finished with exit code $rc"
  [ ! -t 1 ] || printf '%s\n' "$result"
  # Only the verdict line goes to the health-check service: it names no file of the backup.
  summary=$(grep -E '^restore drill (OK|FAILED):' <<<"$result" | tail -n 1 || true)
  if [ "$rc" = 0 ]; then
    # /log records the result without counting as a backup run, so it never hides a missed backup.
    ping_url /log "dupliswift $PROFILE on $HOSTNAME: $summary"
  else
    FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: restore drill failed (exit $rc): ${summary:-see the log}"
  fi
  return "$rc"
}
