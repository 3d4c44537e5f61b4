#!/bin/bash
# The skeleton of every profile's backup.sh. `dupliswift setup` writes the values block (absolute
# paths, the keys, duplicity's options as arrays) where `#@values` stands, and each `#@NAME` line
# becomes the file NAME.sh beside this one (one capability each); the rest is this file, byte for byte. Everything a run needs is a bash variable set there, so this template
# holds no value of any profile and no secret.
#
# Unattended (cron or a systemd timer): no terminal, PATH=/usr/bin:/bin, no GNUPGHOME, so every tool
# is called by absolute path and the GnuPG home comes from the values block.
#
#   backup.sh                     back up now (what the schedule runs), then apply retention
#   backup.sh status              list the backup chains in Swift (collection-status)
#   backup.sh restore PATH DEST   restore PATH (relative to the source, or to / for a profile of several folders or
#                                 with database dumps: etc/hosts; "." for all) into DEST (must not exist)
#   backup.sh drill               restore drill: restore one sample file from Swift with an empty cache, as a
#                                 new machine would, compare it with the live file; alert when that fails
#
# DUPLISWIFT_LOG_FD=N passes duplicity's machine-readable log (--log-fd) to file descriptor N.
# Exit code: duplicity's (0 = fine; 31 gpg, 38 connection, 50-56 Swift); 75 = could not get the lock; 76 = a database
# dump failed (no backup made this run); 77 = a before hook failed (no backup made); 78 = setup problem;
# the drill exits 1 when the sample did not restore (the log says why).
set -euo pipefail
umask 077
export PATH=/usr/bin:/bin
export LC_ALL=C.UTF-8

#@values

: "${HOME:=$JOB_HOME}"
export HOME
export GNUPGHOME

# A watched run (dupliswift's first run) asks for the machine log; its progress records (files,
# volumes processed, uploads) are info-level, so that run's log lists files too.
LOGFD=()
if [[ ${DUPLISWIFT_LOG_FD:-} =~ ^[0-9]+$ ]]; then LOGFD=(--log-fd "$DUPLISWIFT_LOG_FD" --verbosity info); fi

MODE=${1:-backup}
ALERT=0
# What a failure alert names (mail subject, log, stderr), and the body of its /fail ping.
JOB=backup
FAIL_NOTE=''

#@log

#@secrets

#@alerts

#@run

#@hooks

#@dumps

#@modes

case $MODE in
  backup) backup ;;
  status) status ;;
  restore) shift; restore "$@" ;;
  drill) drill ;;
  *) die "unknown mode '$MODE' (backup, status, restore PATH DEST, drill)" ;;
esac
