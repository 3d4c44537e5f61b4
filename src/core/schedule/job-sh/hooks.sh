# backup.sh: hooks (a part of the job template; see backup.sh)
# HOOKS_BEFORE: commands run (bash -c) before the dumps and the backup; a failure stops the run
# (exit 77, with the alert). HOOKS_AFTER: run once the run is over, whatever happened, with
# DUPLISWIFT_RESULT=success|failure and DUPLISWIFT_EXIT_CODE; their failure is logged, and changes
# nothing. Hooks never see the job's secrets. Each hook's output goes to the log.
run_hook() {
  local phase=$1 n=$2 cmd=$3 rc
  log "$phase hook $n started: ${cmd%% *}"
  set +e
  /usr/bin/env -u PASSPHRASE -u SIGN_PASSPHRASE -u SWIFT_PASSWORD PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DUPLISWIFT_PROFILE="$PROFILE" DUPLISWIFT_PHASE="$phase" /bin/bash -c "$cmd" </dev/null 2>&1 | stamp >>"$LOG_FILE"
  rc=${PIPESTATUS[0]}
  set -e
  log "$phase hook $n finished with exit code $rc"
  return "$rc"
}

run_before_hooks() {
  local i rc
  for i in "${!HOOKS_BEFORE[@]}"; do
    rc=0
    run_hook before "$((i + 1))" "${HOOKS_BEFORE[$i]}" || rc=$?
    if [ "$rc" != 0 ]; then
      log "ERROR: before hook $((i + 1)) failed (exit $rc); no backup was made this run"
      FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: before hook $((i + 1)) failed (exit $rc)"
      printf 'dupliswift %s: before hook %s failed (exit %s): %s\n' "$PROFILE" "$((i + 1))" "$rc" "${HOOKS_BEFORE[$i]}" >&2
      exit 77
    fi
  done
}

# From here on, the run's end (any exit) runs the after hooks first, then the usual exit handling.
arm_after_hooks() {
  [ ${#HOOKS_AFTER[@]} -gt 0 ] || return 0
  trap after_hooks_then_exit EXIT
}

after_hooks_then_exit() {
  local rc=$? i result=success
  [ "$rc" = 0 ] || result=failure
  for i in "${!HOOKS_AFTER[@]}"; do
    DUPLISWIFT_RESULT=$result DUPLISWIFT_EXIT_CODE=$rc run_hook after "$((i + 1))" "${HOOKS_AFTER[$i]}" ||
      log "after hook $((i + 1)) failed; the run's result ($result, exit $rc) stands"
  done
  trap on_exit EXIT
  # on_exit reads the run's code from $?: hand it over (a failing `(exit rc)` under set -e would end
  # the trap before the alert, hence the ||).
  (exit "$rc") || on_exit
  on_exit
}
