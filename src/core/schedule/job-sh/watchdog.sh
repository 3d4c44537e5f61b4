# backup.sh: watchdog (a part of the job template; see backup.sh)
# Every duplicity run has a bound: a run that makes no progress for STALL_SECONDS is stopped (its
# whole process group) and the step fails with exit 124. Progress is any byte duplicity reads or
# writes (files, gpg's pipes, sockets: /proc/PID/io), any line it logs, or its temporary files
# growing; a Keystone or Swift that accepts a connection and never answers shows none of them.
# A span of seconds in words: "45 s", "10 min", "2 h 5 min".
span() {
  local s=$1
  if [ "$s" -lt 60 ]; then printf '%s s' "$s"
  elif [ "$s" -lt 3600 ]; then printf '%s min' "$((s / 60))"
  else printf '%s h %s min' "$((s / 3600))" "$((s % 3600 / 60))"; fi
}

progress_mark() {
  local pid=$1 io='' line
  while IFS= read -r line; do
    case $line in rchar:* | wchar:*) io="$io ${line#*: }" ;; esac
  done <"/proc/$pid/io" 2>/dev/null || true
  printf '%s %s %s' "$io" "$(/usr/bin/stat -c %s "$LOG_FILE" 2>/dev/null)" "$(/usr/bin/du -sb "$RUN_TMP" 2>/dev/null | /usr/bin/cut -f1)"
}

watchdog() {
  local pid=$1 what=$2 last='' now idle=0 nap=''
  trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
  while kill -0 "$pid" 2>/dev/null; do
    # The job itself was killed (SIGKILL: no trap runs): stop its duplicity rather than leave an
    # orphan uploading and holding the locks. Its temporary files stay for the next run to clear.
    if ! kill -0 "$$" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      /bin/sleep 5
      kill -KILL -- "-$pid" 2>/dev/null || true
      exit 0
    fi
    /bin/sleep "$WATCH_EVERY" &
    nap=$!
    wait "$nap" || true
    nap=''
    now=$(progress_mark "$pid")
    if [ "$now" = "$last" ]; then idle=$((idle + WATCH_EVERY)); else idle=0; last=$now; fi
    if [ "$idle" -ge "$STALL_SECONDS" ]; then
      : >"$RUN_TMP/stalled"
      log "STALLED: $what made no progress (no bytes read, written or logged) for $(span "$idle"); stopping duplicity"
      kill -TERM -- "-$pid" 2>/dev/null || true
      /bin/sleep 10
      kill -KILL -- "-$pid" 2>/dev/null || true
      exit 0
    fi
  done
}
