# backup.sh: dumps (a part of the job template; see backup.sh)
# Database dumps before each backup, into DUMP_DIR (0700, part of the backup). One item per file:
# DUMP_KIND[i] is pg_dumpall, pg_dump, mysqldump or sqlite, with its options in the DUMP_* arrays at
# the same index. Each dump goes to a hidden .partial name and is renamed only once complete, so the
# backup never holds a half-written dump; a failed dump stops the run (exit 76) before duplicity runs,
# so yesterday's dump is never passed off as tonight's.

# The bytes a dump will need: the last dump's size, or else the database's own size (0 when unknown).
dump_estimate() {
  local i=$1 file=$DUMP_DIR/${DUMP_FILE[$1]} size=''
  if [ -f "$file" ]; then /usr/bin/stat -c %s "$file"; return 0; fi
  case ${DUMP_KIND[$i]} in
    pg_dumpall | pg_dump)
      local sql='select sum(pg_database_size(datname)) from pg_database'
      # shellcheck disable=SC2016 # psql's own :'n' variable, filled from -v n=...
      [ -z "${DUMP_NAME[$i]}" ] || sql="select pg_database_size(:'n')"
      size=$(printf '%s\n' "$sql" | as_os_user "${DUMP_OSUSER[$i]}" "$PSQL" -X -A -t -q "${PG_CONN[@]}" -v n="${DUMP_NAME[$i]}" -d postgres 2>/dev/null) || size='' ;;
    mysqldump)
      local where='' name=${DUMP_NAME[$i]//\\/\\\\}
      [ -z "$name" ] || where=" WHERE table_schema = '${name//\'/\'\'}'"
      size=$("$MYSQL" "${MY_CONN[@]}" -N -B -e "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables$where" 2>/dev/null </dev/null) || size='' ;;
    sqlite) size=$(/usr/bin/stat -c %s "${DUMP_PATH[$i]}" 2>/dev/null) || size='' ;;
  esac
  [[ $size =~ ^[0-9]+$ ]] || size=0
  printf '%s\n' "$size"
}

# Runs a command as another OS user when this job is root and the user differs (peer authentication).
as_os_user() {
  local user=$1
  shift
  if [ -n "$user" ] && [ "$(/usr/bin/id -u)" = 0 ] && [ "$user" != root ]; then (cd / && "$RUNUSER" -u "$user" -- "$@"); else "$@"; fi
}

# The connection options of item i, in PG_CONN / MY_CONN (each dump tool's own flags).
dump_connection() {
  local i=$1
  PG_CONN=()
  MY_CONN=()
  case ${DUMP_KIND[$i]} in
    pg_dumpall | pg_dump)
      [ -z "${DUMP_SOCKET[$i]}" ] || PG_CONN+=(-h "${DUMP_SOCKET[$i]}")
      [ -z "${DUMP_PORT[$i]}" ] || PG_CONN+=(-p "${DUMP_PORT[$i]}") ;;
    mysqldump)
      # --defaults-file must come first; without one, this OS user through the socket (unix_socket auth).
      if [ -n "${DUMP_DEFAULTS[$i]}" ]; then MY_CONN+=("--defaults-file=${DUMP_DEFAULTS[$i]}"); else MY_CONN+=("--user=$(/usr/bin/id -un)"); fi
      [ -z "${DUMP_SOCKET[$i]}" ] || MY_CONN+=("--socket=${DUMP_SOCKET[$i]}")
      [ -z "${DUMP_PORT[$i]}" ] || MY_CONN+=("--port=${DUMP_PORT[$i]}") ;;
  esac
}

# Writes item i's dump to $2 (a new file); stderr goes to $3.
dump_one() {
  local i=$1 out=$2 err=$3
  case ${DUMP_KIND[$i]} in
    pg_dumpall) as_os_user "${DUMP_OSUSER[$i]}" "$PG_DUMPALL" "${PG_CONN[@]}" --no-password >"$out" 2>"$err" ;;
    pg_dump) as_os_user "${DUMP_OSUSER[$i]}" "$PG_DUMP" "${PG_CONN[@]}" --no-password -Fc -d "${DUMP_NAME[$i]}" >"$out" 2>"$err" ;;
    mysqldump)
      local what=(--all-databases)
      [ -z "${DUMP_NAME[$i]}" ] || what=(--databases "${DUMP_NAME[$i]}")
      "$MYSQLDUMP" "${MY_CONN[@]}" --single-transaction --routines --events --triggers --hex-blob "${what[@]}" >"$out" 2>"$err" ;;
    sqlite)
      # The online backup API: a consistent copy while the application writes. The copy is checked.
      (cd "${out%/*}" && "$SQLITE3" -bail -readonly -cmd '.timeout 60000' "${DUMP_PATH[$i]}" ".backup '${out##*/}'") >"$err" 2>&1 &&
        [ "$("$SQLITE3" -bail "$out" 'PRAGMA quick_check;' 2>>"$err")" = ok ] ;;
  esac
}

run_dumps() {
  [ ${#DUMP_KIND[@]} -gt 0 ] || return 0
  /usr/bin/mkdir -p "$DUMP_DIR"
  /usr/bin/chmod 700 "$DUMP_DIR"
  local i file partial err need free rc line
  err=$(/usr/bin/mktemp "${TMPDIR:-/tmp}/dupliswift-dump.XXXXXX")
  for i in "${!DUMP_KIND[@]}"; do
    file=$DUMP_DIR/${DUMP_FILE[$i]}
    partial=$DUMP_DIR/.${DUMP_FILE[$i]}.partial
    dump_connection "$i"
    if [ "${DUMP_KIND[$i]}" = mysqldump ] && [ -n "${DUMP_DEFAULTS[$i]}" ]; then
      case $(/usr/bin/stat -c %a "${DUMP_DEFAULTS[$i]}" 2>/dev/null) in
        600 | 400) ;;
        *) dump_failed "${DUMP_LABEL[$i]}" "${DUMP_DEFAULTS[$i]} is missing or not mode 0600 (chmod 600 it: it holds a password)" ;;
      esac
    fi
    need=$(dump_estimate "$i")
    free=$(/usr/bin/df -P -B1 "$DUMP_DIR" | /usr/bin/awk 'NR == 2 { print $4 }')
    # The new dump is written beside the last one, which stays until the rename.
    if [[ $free =~ ^[0-9]+$ ]] && [ "$need" -gt "$free" ]; then
      dump_failed "${DUMP_LABEL[$i]}" "not enough room in $DUMP_DIR: $free bytes free, the dump needs about $need (its last size, or the database's); free some space or move the dump folder (\"dumpDir\")"
    fi
    log "dump of ${DUMP_LABEL[$i]} into $file started"
    /usr/bin/rm -f "$partial"
    rc=0
    dump_one "$i" "$partial" "$err" || rc=$?
    while IFS= read -r line; do log "  $line"; done <"$err"
    if [ "$rc" != 0 ]; then
      line=$(/usr/bin/tail -n 2 "$err" | /usr/bin/tr '\n' ' ')
      /usr/bin/rm -f "$partial" "$err"
      dump_failed "${DUMP_LABEL[$i]}" "the dump exited with code $rc: ${line% }"
    fi
    /usr/bin/sync "$partial" 2>/dev/null || true
    /usr/bin/mv -f "$partial" "$file"
    log "dump of ${DUMP_LABEL[$i]} finished ($(/usr/bin/stat -c %s "$file") bytes)"
  done
  /usr/bin/rm -f "$err"
}

# A failed dump ends the run: no backup is made with a stale or partial dump. Exit 76.
dump_failed() {
  log "ERROR: dump of $1 FAILED: $2; no backup was made this run"
  FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: dump of $1 failed: $2"
  printf 'dupliswift %s: dump of %s failed: %s\n' "$PROFILE" "$1" "$2" >&2
  exit 76
}
