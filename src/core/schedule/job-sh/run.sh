# backup.sh: run (a part of the job template; see backup.sh)
# Runs one duplicity step with its output timestamped into the log; returns duplicity's exit code.
run_logged() {
  local what=$1 rc
  shift
  log "$what started"
  set +e
  "$@" </dev/null 2>&1 | stamp >>"$LOG_FILE"
  rc=${PIPESTATUS[0]}
  set -e
  log "$what finished with exit code $rc"
  return "$rc"
}
