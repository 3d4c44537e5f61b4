# backup.sh: version (a part of the job template; see backup.sh)
# The options that differ between duplicity versions are chosen here, at run time, from the duplicity
# installed now, never from the one setup saw: a job made on Debian 12 (0.8.22) keeps running after an
# upgrade to 2.1.4 (bookworm-backports, Ubuntu 24.04) or 3.0.4 (Debian 13), with no new setup.
#   RESTORE_FLAG   --file-to-restore before 2.0, --path-to-restore since (the old name is an error there)
#   BACKUP         gets the explicit `backup` action from 2.1 on (0.8 has none; the safe form is ACTION
#                  [options]), and parallel uploads: --asynchronous-upload before 3.0, --concurrency N since
duplicity_version() {
  local out line
  out=$("$DUPLICITY" --version 2>&1 </dev/null) || die "$DUPLICITY --version failed; reinstall duplicity (apt-get install --reinstall duplicity)"
  DUPLICITY_VERSION=''
  while IFS= read -r line; do
    if [[ $line =~ ^duplicity[[:space:]]+(([0-9]+)\.([0-9]+)[0-9.]*) ]]; then
      DUPLICITY_VERSION=${BASH_REMATCH[1]} DUPLICITY_MAJOR=${BASH_REMATCH[2]} DUPLICITY_MINOR=${BASH_REMATCH[3]}
      break
    fi
  done <<<"$out"
  [ -n "$DUPLICITY_VERSION" ] || die "$DUPLICITY --version did not say which version it is; reinstall duplicity"
}
duplicity_version

if [ "$DUPLICITY_MAJOR" -ge 2 ]; then RESTORE_FLAG=--path-to-restore; else RESTORE_FLAG=--file-to-restore; fi
BACKUP_ACTION=()
if [ "$DUPLICITY_MAJOR" -gt 2 ] || { [ "$DUPLICITY_MAJOR" = 2 ] && [ "$DUPLICITY_MINOR" -ge 1 ]; }; then BACKUP_ACTION=(backup); fi
PARALLEL=()
if [ "$PARALLEL_UPLOADS" -ge 2 ]; then
  if [ "$DUPLICITY_MAJOR" -ge 3 ]; then PARALLEL=(--concurrency "$PARALLEL_UPLOADS"); else PARALLEL=(--asynchronous-upload); fi
fi
BACKUP=("${BACKUP_ACTION[@]}" "${BACKUP[@]}" "${PARALLEL[@]}")
if [ "$MODE" != status ]; then
  if [ "$DUPLICITY_VERSION" = "$SETUP_DUPLICITY_VERSION" ]; then log "duplicity $DUPLICITY_VERSION ($DUPLICITY)"
  else log "duplicity $DUPLICITY_VERSION ($DUPLICITY); setup saw $SETUP_DUPLICITY_VERSION, options chosen for $DUPLICITY_VERSION"; fi
fi
