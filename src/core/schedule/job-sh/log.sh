# backup.sh: log (a part of the job template; see backup.sh)
# Every log line gets a timestamp (bash's own clock: no fork per line).
stamp() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do printf '%(%Y-%m-%d %H:%M:%S %z)T %s\n' -1 "$line"; done
}
log() { printf '[%s] %s\n' "$$" "$*" | stamp >>"$LOG_FILE"; }
die() {
  log "ERROR: $*"
  printf 'dupliswift %s: %s\n' "$PROFILE" "$*" >&2
  exit 78
}

rotate_log() {
  local size
  size=$(/usr/bin/stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
  if [ "$size" -gt 5242880 ]; then /bin/mv -f "$LOG_FILE" "$LOG_FILE.1"; fi
}
