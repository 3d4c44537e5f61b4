# backup.sh: drill (a part of the job template; see backup.sh)
# Restore drill: prove the newest backup restores as a new machine would restore it: an empty cache of
# its own, the job's own options (gpg binary, retries) and its signing key (a volume signed by another
# key fails), one sample file restored and compared with the live file when that has not changed since.
# Reads DUPLICITY, TARGET, SOURCE, COMMON, BACKUP and RESTORE_FLAG; expects what the backup itself uses
# exported: GNUPGHOME, PASSPHRASE, SIGN_PASSPHRASE and the SWIFT_* variables.
# Prints one line per fact. File names appear only in "restore drill sample:" lines (the local log);
# the "restore drill OK:" / "restore drill FAILED:" line never holds one, so it can go to a third party.

# duplicity's util.escape (Python's unicode-escape in quotes, ' as \x27) back to the name's bytes, in REPLY.
drill_unescape() {
  local s=$1 out='' esc re='^([^\\]*)\\(x[0-9a-fA-F]{2}|u[dD][cC][89a-fA-F][0-9a-fA-F]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)(.*)$'
  while [[ $s =~ $re ]]; do
    out+=${BASH_REMATCH[1]}
    esc=${BASH_REMATCH[2]}
    s=${BASH_REMATCH[3]}
    case $esc in
      x*) out+="\\u00${esc:1}" ;;       # a code point below 256, not a byte
      u[dD][cC]*) out+="\\x${esc:3}" ;; # surrogateescape: a byte that was not UTF-8
      u* | U* | n | t | r | a | b | f | v) out+="\\$esc" ;;
      \\) out+="\\\\" ;;
      *) out+=$esc ;;
    esac
  done
  printf -v REPLY '%b' "$out$s"
}

# COMMON without its --archive-dir (the drill has an empty cache of its own), in DRILL_OPTS; the
# signing key from BACKUP in DRILL_SIGN.
drill_options() {
  local i
  DRILL_OPTS=()
  DRILL_SIGN=''
  for ((i = 0; i < ${#COMMON[@]}; i++)); do
    if [ "${COMMON[i]}" = --archive-dir ]; then i=$((i + 1)); continue; fi
    DRILL_OPTS+=("${COMMON[i]}")
  done
  for ((i = 0; i + 1 < ${#BACKUP[@]}; i++)); do
    [ "${BACKUP[i]}" != --sign-key ] || DRILL_SIGN=${BACKUP[i + 1]}
  done
}

# Runs duplicity in a process group of its own, its machine log in $1 and its errors in $2, its temp
# files under the drill's folder. Stops it (the whole group) at once when the log reports a corrupt or
# wrongly signed volume (duplicity 0.8 then hangs for ever), and when nothing under the drill's folder
# moves for DRILL_STALL seconds. Returns duplicity's exit code; DRILL_STOP says why it was stopped.
# Its own session keeps a signal for the job from reaching it half-way; setpriv's parent-death signal
# ends it when this shell is killed, so it never restores on as an orphan.
drill_run() {
  local log=$1 err=$2 pid size last='' idle=0 killed=0 rc=0 die=()
  shift 2
  DRILL_STOP=''
  [ ! -x /usr/bin/setpriv ] || die=(/usr/bin/setpriv --pdeathsig KILL --)
  # Inside the job the secrets are exported only into duplicity (export_secrets, secrets.sh); run
  # alone, the drill gets them from its caller's environment.
  if declare -F launch_gpg_agent >/dev/null; then launch_gpg_agent; fi
  (
    if declare -F export_secrets >/dev/null; then export_secrets; fi
    TMPDIR="$DRILL_WORK/tmp" exec /usr/bin/setsid "${die[@]}" "$@" --log-fd 3 3>"$log" >/dev/null 2>"$err" </dev/null
  ) &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [ -z "$DRILL_STOP" ] && grep -qE '^ERROR (21|22)( |$)' "$log"; then DRILL_STOP=bad-volume; fi
    size=$(/usr/bin/du -sb "$DRILL_WORK" 2>/dev/null || echo 0)
    if [ "$size" = "$last" ]; then idle=$((idle + 1)); else idle=0 last=$size; fi
    if [ -z "$DRILL_STOP" ] && [ "$idle" -ge "$DRILL_STALL" ]; then DRILL_STOP=stalled; fi
    if [ -n "$DRILL_STOP" ]; then
      # TERM first, KILL when it is still there 5 s later (a hung gpg or backend thread).
      if [ "$killed" = 0 ]; then kill -TERM -- "-$pid" 2>/dev/null || true; fi
      if [ "$killed" = 5 ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
      killed=$((killed + 1))
    fi
    /bin/sleep 1
  done
  wait "$pid" || rc=$?
  return "$rc"
}

# The reason a stopped or failed run gives, without any file name of the backup.
drill_reason() {
  local log=$1 err=$2 rc=$3 vol stop=$DRILL_STOP stopped=''
  # duplicity ends with 21 (hash mismatch) or 22 (another signer) by itself at times, and hangs at others.
  if [ -n "$stop" ]; then stopped='; duplicity was stopped'; else case $rc in 21 | 22) stop=bad-volume ;; esac; fi
  case $stop in
    bad-volume)
      vol=$(grep -oE 'duplicity-[A-Za-z0-9.-]+\.(difftar|sigtar|manifest)[A-Za-z0-9.]*' "$log" | head -n 1)
      if grep -qE '^ERROR 22( |$)' "$log"; then
        printf 'a volume is signed by another key (%s), not by the signing key %s%s' "$(grep -oE 'signed by key [^ ,]+' "$log" | head -n 1)" "$DRILL_SIGN" "$stopped"
      else
        printf 'volume %s is corrupt (its hash differs from the manifest)%s' "${vol:-?}" "$stopped"
      fi ;;
    stalled) printf 'duplicity made no progress for %s s and was stopped (Swift or the network hangs)' "$DRILL_STALL" ;;
    *) printf 'duplicity exit %s: %s' "$rc" "$(tail -n 3 "$err" | tr '\n' ' ')" ;;
  esac
}

dupliswift_restore_drill() {
  local work stale cache restored name stamp esc live total chosen='' chosen_stamp='' unchanged=0 rc=0 reason
  DRILL_STALL=${DUPLISWIFT_STALL_SECONDS:-${STALL_SECONDS:-600}}
  [[ $DRILL_STALL =~ ^[1-9][0-9]*$ ]] || DRILL_STALL=600
  # A drill killed before it could clean up (SIGKILL, a reboot) left its folder: remove those of dead drills.
  for stale in "${TMPDIR:-/tmp}"/dupliswift-drill.*.*; do
    if [[ $stale =~ /dupliswift-drill\.([0-9]+)\.[^/]*$ ]] && [ -O "$stale" ] && ! kill -0 "${BASH_REMATCH[1]}" 2>/dev/null; then
      rm -rf -- "$stale"
    fi
  done
  work=$(mktemp -d "${TMPDIR:-/tmp}/dupliswift-drill.$$.XXXXXX") || { echo "restore drill FAILED: cannot make a temp folder in ${TMPDIR:-/tmp}"; return 1; }
  DRILL_WORK=$work
  mkdir "$work/tmp"
  cache="$work/cache"
  restored="$work/restored"
  drill_options
  drill_run "$work/list" "$work/err" "$DUPLICITY" list-current-files "${DRILL_OPTS[@]}" --archive-dir "$cache" "$TARGET" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "restore drill FAILED: cannot list the newest backup: $(drill_reason "$work/list" "$work/err" "$rc")"
    rm -rf -- "$work"
    return 1
  fi
  # Regular files only; up to 20 at random (the live file of the first may have changed since).
  # shellcheck disable=SC2016 # awk's own $ fields
  awk 'BEGIN { srand() }
    $1 == "INFO" && $2 == "10" && $NF == "reg" && NF >= 5 {
      name = $0; sub(/^INFO 10 [^ ]+ /, "", name); sub(/ reg$/, "", name)
      n++; k = n <= 20 ? n : int(rand() * n) + 1
      if (k <= 20) pick[k] = $3 " " name
    }
    END { print n + 0; for (i = 1; i <= (n < 20 ? n : 20); i++) print pick[i] }' "$work/list" >"$work/picks"
  read -r total <"$work/picks"
  if [ "$total" = 0 ]; then
    echo "restore drill FAILED: nothing to check: the newest backup lists no regular file"
    rm -rf -- "$work"
    return 1
  fi
  while IFS=' ' read -r stamp esc; do
    esc=${esc#\'}
    drill_unescape "${esc%\'}"
    name=$REPLY
    [ -n "$chosen" ] || chosen=$name chosen_stamp=$stamp
    live="$SOURCE/$name"
    if [ -f "$live" ] && [ ! -L "$live" ] && [ "$(date -u -r "$live" +%Y%m%dT%H%M%SZ)" = "$stamp" ]; then
      chosen=$name chosen_stamp=$stamp unchanged=1
      break
    fi
  done < <(tail -n +2 "$work/picks")
  printf 'restore drill sample: %q (of %s files)\n' "$chosen" "$total"
  local sign=()
  [ -z "$DRILL_SIGN" ] || sign=(--sign-key "$DRILL_SIGN")
  drill_run "$work/restore" "$work/err" "$DUPLICITY" restore "${DRILL_OPTS[@]}" "${sign[@]}" --archive-dir "$cache" "$RESTORE_FLAG=$chosen" "$TARGET" "$restored" || rc=$?
  if [ "$rc" != 0 ]; then
    reason=$(drill_reason "$work/restore" "$work/err" "$rc")
    echo "restore drill FAILED: the sample file did not restore: ${reason//"$chosen"/<sample>}"
    rm -rf -- "$work"
    return 1
  fi
  live="$SOURCE/$chosen"
  if [ ! -f "$restored" ]; then
    echo "restore drill FAILED: duplicity reported success but restored no file"; rc=1
  elif [ "$unchanged" = 1 ] && [ "$(date -u -r "$live" +%Y%m%dT%H%M%SZ)" = "$chosen_stamp" ]; then
    if cmp -s "$restored" "$live"; then echo "restore drill OK: a sample file restored ($(stat -c %s "$restored") bytes), identical to the live file"
    else echo "restore drill FAILED: the sample file restored but differs from the unchanged live file"; rc=1; fi
  else
    echo "restore drill OK: a sample file restored ($(stat -c %s "$restored") bytes); not compared: the live files sampled changed since the backup"
  fi
  rm -rf -- "$work"
  return "$rc"
}
