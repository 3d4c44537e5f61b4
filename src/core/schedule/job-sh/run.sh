# backup.sh: run (a part of the job template; see backup.sh)
# Each run stages duplicity's temporary files (volumes being built, downloads of a restore) in its
# own folder under TMP_ROOT, removed when it ends; a run killed by SIGKILL leaves its folder behind,
# and the next run (holding the lock, so no other run is using one) clears it.
RUN_TMP=''
DUP_PID=''
make_run_tmp() {
  local stale
  { /bin/mkdir -p "$TMP_ROOT" && /bin/chmod 700 "$TMP_ROOT"; } || die "cannot create $TMP_ROOT for duplicity's temporary files"
  for stale in "$TMP_ROOT"/run.*; do
    [ -e "$stale" ] || continue
    log "removing the temporary files of an earlier run that did not end cleanly: $stale"
    /bin/rm -rf -- "$stale" || log "could not remove $stale"
  done
  RUN_TMP="$TMP_ROOT/run.$$"
  /bin/mkdir -m 700 "$RUN_TMP" || die "cannot create $RUN_TMP"
  export TMPDIR="$RUN_TMP"
}
clear_run_tmp() {
  [ -z "$RUN_TMP" ] || /bin/rm -rf -- "$RUN_TMP" 2>/dev/null || true
}

# duplicity runs in its own session and process group (setsid; a non-interactive shell's background
# job is no group leader, so setsid does not fork and $! is duplicity). The shell waits with the
# `wait` builtin, which a trapped signal interrupts at once.
stop_duplicity() {
  local pid=$DUP_PID i=0 stat
  [ -n "$pid" ] || return 0
  DUP_PID=''
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  while [ "$i" -lt 40 ]; do
    stat=''
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || true
    stat=${stat##*) }
    # Our own child: a zombie until reaped, and a zombie still counts as a member of its group.
    if [ -z "$stat" ] || [ "${stat%% *}" = Z ]; then wait "$pid" 2>/dev/null || true; fi
    kill -0 -- "-$pid" 2>/dev/null || { log "duplicity stopped"; return 0; }
    /bin/sleep 0.25
    i=$((i + 1))
  done
  log "duplicity ignored SIGTERM for 10 s; killing its process group"
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Runs duplicity ("$3"...) with its output appended to $2 (empty: the caller's stdout and stderr), under
# the watchdog (named $1 in its words): in a
# session and process group of its own, the secrets exported into it alone, after the gpg-agent is up.
# Returns duplicity's exit code, or 124 when the watchdog stopped a run that made no progress.
run_watched() {
  local what=$1 out=$2 rc=0 watcher
  shift 2
  /bin/rm -f -- "$RUN_TMP/stalled"
  launch_gpg_agent
  if [ -n "$out" ]; then
    (export_secrets && exec /usr/bin/setsid "$@") </dev/null >>"$out" 2>&1 &
  else
    (export_secrets && exec /usr/bin/setsid "$@") </dev/null &
  fi
  DUP_PID=$!
  watchdog "$DUP_PID" "$what" &
  watcher=$!
  wait "$DUP_PID" || rc=$?
  DUP_PID=''
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  if [ -e "$RUN_TMP/stalled" ]; then rc=124; fi
  return "$rc"
}

# Runs one duplicity step with its output timestamped into the log (and kept in $STEP_OUT for the
# failure classes), under the watchdog; returns duplicity's exit code, or 124 when the watchdog
# stopped a run that made no progress.
STEP_OUT=''
run_logged() {
  local what=$1 rc=0 fifo stamper='' watcher=''
  shift
  log "$what started"
  STEP_OUT="$RUN_TMP/$what.out"
  : >"$STEP_OUT" 2>/dev/null || STEP_OUT=''
  /bin/rm -f -- "$RUN_TMP/stalled"
  fifo="$RUN_TMP/$what.fifo"
  /bin/rm -f -- "$fifo"
  if /usr/bin/mkfifo -m 600 "$fifo" 2>/dev/null; then
    stamp "$STEP_OUT" <"$fifo" &
    stamper=$!
  else
    fifo=$LOG_FILE
  fi
  run_watched "$what" "$fifo" "$@" || rc=$?
  [ -z "$stamper" ] || wait "$stamper" 2>/dev/null || true
  /bin/rm -f -- "$RUN_TMP/$what.fifo"
  log "$what finished with exit code $rc"
  return "$rc"
}
