# backup.sh: drill (a part of the job template; see backup.sh; drillScriptFragment() also runs it alone)
# Restore drill: prove the newest backup restores (one sample file, compared with the live one).
# Reads DUPLICITY, TARGET, SOURCE and RESTORE_FLAG, and DRILL_CACHE (empty: a fresh cache, as on a
# new machine, so the drill also proves the remote metadata decrypts). Expects what the backup
# itself uses exported: GNUPGHOME, PASSPHRASE, SIGN_PASSPHRASE and the SWIFT_* variables.
dupliswift_restore_drill() {
  local dup=$DUPLICITY url=$TARGET cache=${DRILL_CACHE:-} live=$SOURCE
  local work pick sample stamp restored rc=0
  work=$(mktemp -d "${TMPDIR:-/tmp}/dupliswift-drill.XXXXXX") || return 1
  [ -n "$cache" ] || cache="$work/cache"
  # The machine log (fd 3) carries UTC times and quoted names; skip names with escapes for simplicity.
  "$dup" list-current-files --archive-dir "$cache" --log-fd 3 "$url" 3>"$work/list" >/dev/null 2>"$work/err" || {
    echo "restore drill FAILED: cannot list the newest backup: $(tail -n 3 "$work/err" | tr '\n' ' ')" >&2; rm -rf "$work"; return 1; }
  # shellcheck disable=SC2016 # awk's own $ fields
  pick=$(awk -v q="'" 'BEGIN { srand() }
    $1 == "INFO" && $2 == "10" && $NF == "reg" {
      name = $0; sub(/^INFO 10 [^ ]+ /, "", name); sub(/ reg$/, "", name)
      if (substr(name, 1, 1) != q || substr(name, length(name), 1) != q || index(name, "\\") > 0) next
      n++; if (int(rand() * n) == 0) { pick = substr(name, 2, length(name) - 2); stamp = $3 }
    }
    END { if (n) print stamp " " pick }' "$work/list")
  if [ -z "$pick" ]; then echo "restore drill: no plain file to sample" >&2; rm -rf "$work"; return 0; fi
  stamp=${pick%% *}; sample=${pick#* }
  restored="$work/restored"
  if ! "$dup" restore --archive-dir "$cache" "$RESTORE_FLAG" "$sample" "$url" "$restored" >/dev/null 2>"$work/err"; then
    echo "restore drill FAILED: $sample did not restore: $(tail -n 3 "$work/err" | tr '\n' ' ')" >&2; rc=1
  elif [ -f "$live/$sample" ] && [ "$(date -u -r "$live/$sample" +%Y%m%dT%H%M%SZ)" = "$stamp" ]; then
    if cmp -s "$restored" "$live/$sample"; then echo "restore drill OK: $sample restored, identical to the live file"
    else echo "restore drill FAILED: $sample restored but differs from the unchanged live file" >&2; rc=1; fi
  else
    echo "restore drill OK: $sample restored ($(stat -c %s "$restored") bytes; live file changed since, not compared)"
  fi
  rm -rf "$work"
  return $rc
}
