# backup.sh: state (a part of the job template; see backup.sh)
# After every backup, restore drill and restore, the job leaves what happened in $STATE_FILE (JSON, read
# by `dupliswift status`) and, when METRICS_DIR is set, in node_exporter's textfile format. Both are
# written beside their place and renamed into it, so a reader never sees half a file. state.json holds
# one record per line, so this script reads its own earlier records back without a JSON parser.
STATE_START=$(printf '%(%s)T' -1)
# Where this run's part of the log begins: duplicity's statistics are read from there on.
STATE_LOG_FROM=$(/usr/bin/stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
STATE_KEYS=(lastRun lastSuccess lastBackup lastDrill lastDrillSuccess lastRestore lastRestoreSuccess)

# ISO 8601 with the machine's offset as +hh:mm (bash's own clock: no fork).
state_iso() {
  local t
  printf -v t '%(%Y-%m-%dT%H:%M:%S%z)T' "$1"
  printf '%s:%s' "${t:0:22}" "${t:22}"
}

# duplicity's "Backup Statistics" block, as the log holds it: "<date> <time> <zone> Key value (...)".
state_figures() {
  local from=$STATE_LOG_FROM size _d _t _z key value _rest
  FIG_FILES='' FIG_BYTES='' FIG_ADDED='' FIG_ERRORS=''
  size=$(/usr/bin/stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
  # rotate_log moved the log away during this run: all of the new one is ours.
  [ "$size" -ge "$from" ] || from=0
  while read -r _d _t _z key value _rest; do
    [[ $value =~ ^-?[0-9]+$ ]] || continue
    case $key in
      SourceFiles) FIG_FILES=$value ;;
      SourceFileSize) FIG_BYTES=$value ;;
      TotalDestinationSizeChange) FIG_ADDED=$value ;;
      Errors) FIG_ERRORS=$value ;;
    esac
  done < <(/usr/bin/tail -c "+$((from + 1))" "$LOG_FILE" 2>/dev/null)
}

# One number from a record, or nothing.
state_field() {
  local re="\"$2\":(-?[0-9]+)"
  [[ $1 =~ $re ]] && printf '%s' "${BASH_REMATCH[1]}"
}

# Writes the records (and the metrics) for a run that ended with exit code $1. Only runs that did
# something count: collection-status is not recorded, nor a run that found the lock taken (75).
record_state() {
  local rc=$1 end line key tmp record
  case $MODE in backup | drill | restore) ;; *) return 0 ;; esac
  [ "$rc" != 75 ] || return 0
  end=$(printf '%(%s)T' -1)
  record="{\"mode\":\"$MODE\",\"start\":\"$(state_iso "$STATE_START")\",\"end\":\"$(state_iso "$end")\",\"startEpoch\":$STATE_START,\"endEpoch\":$end,\"durationSeconds\":$((end - STATE_START)),\"exitCode\":$rc"
  if [ "$MODE" = backup ]; then
    state_figures
    [ -z "$FIG_FILES" ] || record+=",\"sourceFiles\":$FIG_FILES"
    [ -z "$FIG_BYTES" ] || record+=",\"sourceBytes\":$FIG_BYTES"
    [ -z "$FIG_ADDED" ] || record+=",\"uploadedBytes\":$FIG_ADDED"
    [ -z "$FIG_ERRORS" ] || record+=",\"errors\":$FIG_ERRORS"
  fi
  record+='}'

  local -A state=()
  if [ -f "$STATE_FILE" ]; then
    while IFS= read -r line; do
      if [[ $line =~ ^\ \ \"([A-Za-z]+)\":\ (\{[^{}]*\}),?$ ]]; then state[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}; fi
    done <"$STATE_FILE"
  fi
  local Mode=${MODE^}
  state[lastRun]=$record
  state[last$Mode]=$record
  if [ "$rc" = 0 ]; then
    if [ "$MODE" = backup ]; then state[lastSuccess]=$record; else state[last${Mode}Success]=$record; fi
  fi

  tmp="$STATE_FILE.$$.tmp"
  if ! {
    printf '{\n  "version": 1'
    for key in "${STATE_KEYS[@]}"; do printf ',\n  "%s": %s' "$key" "${state[$key]:-null}"; done
    printf '\n}\n'
  } >"$tmp" 2>/dev/null || ! /bin/mv -f "$tmp" "$STATE_FILE" 2>/dev/null; then
    # A full or read-only disk: the alert matters more than the record, and says why itself.
    /bin/rm -f "$tmp" 2>/dev/null
    log "could not write $STATE_FILE (ignored)"
  fi

  [ -z "$METRICS_DIR" ] || state_metrics
}

# A Prometheus label value: backslash, double quote and newline escaped.
state_label() {
  local v=${1//\\/\\\\}
  v=${v//\"/\\\"}
  printf '%s' "${v//$'\n'/\\n}"
}

# dupliswift-<profile>.prom for node_exporter's textfile collector (it reads only *.prom, so the
# temporary name ends otherwise). Readable by all: node_exporter runs as its own user.
state_metrics() {
  local file="$METRICS_DIR/dupliswift-$PROFILE.prom" tmp p m key value figures=''
  tmp="$file.$$.tmp"
  p=$(state_label "$PROFILE")
  if [ ! -d "$METRICS_DIR" ]; then
    log "metrics folder $METRICS_DIR does not exist; no metrics written"
    return 0
  fi
  if ! {
    local -a family=(
      'dupliswift_last_run_timestamp_seconds|When the last run of this mode ended (Unix time).|last%s|endEpoch'
      'dupliswift_last_success_timestamp_seconds|When the last successful run of this mode ended (Unix time).|last%sSuccess|endEpoch'
      'dupliswift_last_run_exit_code|Exit code of the last run of this mode (0 = fine).|last%s|exitCode'
      'dupliswift_last_run_duration_seconds|How long the last run of this mode took.|last%s|durationSeconds'
    )
    local entry name help pattern field
    for entry in "${family[@]}"; do
      IFS='|' read -r name help pattern field <<<"$entry"
      printf '# HELP %s %s\n# TYPE %s gauge\n' "$name" "$help" "$name"
      for m in backup drill restore; do
        # shellcheck disable=SC2059 # the pattern is ours: last%s or last%sSuccess
        printf -v key "$pattern" "${m^}"
        [ "$key" != lastBackupSuccess ] || key=lastSuccess
        value=$(state_field "${state[$key]:-}" "$field") || continue
        printf '%s{profile="%s",mode="%s"} %s\n' "$name" "$p" "$m" "$value"
      done
    done
    # The figures come from the last backup that printed them (a failed run may not have).
    for key in lastBackup lastSuccess; do
      if [[ ${state[$key]:-} == *'"sourceBytes":'* ]]; then figures=${state[$key]}; break; fi
    done
    if value=$(state_field "$figures" sourceBytes); then
      printf '# HELP dupliswift_last_run_source_bytes Bytes in the source at the last backup (duplicity SourceFileSize).\n# TYPE dupliswift_last_run_source_bytes gauge\n'
      printf 'dupliswift_last_run_source_bytes{profile="%s"} %s\n' "$p" "$value"
    fi
    if value=$(state_field "$figures" uploadedBytes); then
      printf '# HELP dupliswift_last_run_uploaded_bytes Bytes the last backup added to Swift (duplicity TotalDestinationSizeChange).\n# TYPE dupliswift_last_run_uploaded_bytes gauge\n'
      printf 'dupliswift_last_run_uploaded_bytes{profile="%s"} %s\n' "$p" "$value"
    fi
  } >"$tmp" 2>/dev/null || ! /bin/chmod 0644 "$tmp" 2>/dev/null || ! /bin/mv -f "$tmp" "$file" 2>/dev/null; then
    /bin/rm -f "$tmp"
    log "could not write $file (ignored)"
  fi
}
