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
# Exit codes (every failure but a normal overlap logs a FAILED line, pings /fail and mails):
#     0  done
#     1  duplicity: a generic error; the drill: the sample did not restore or differs (the log says why)
#    10, 80-82  duplicity: an unusable key
#    23  duplicity: a request refused
#    30  duplicity: an unexpected error, a traceback (EOFError: a passphrase was missing)
#    31  duplicity: GnuPG failed (e.g. a wrong passphrase)
#    35  duplicity: not enough free space for the volumes in TMPDIR
#    38  could not reach or log in to Keystone/Swift (also: Keystone did not answer in NET_TIMEOUT s before the run)
#    50-56  duplicity's Swift backend errors (the log's FAILURE line names the class: quota 413, storage 507,
#           unavailable 503, auth 401/403, TLS, a corrupted upload refused by Swift's MD5 check 422)
#    75  the lock was busy: another run holds it (alerts only when held longer than LOCK_ALERT_AFTER, or when
#        the backup waited DRILL_WAIT for a restore drill in vain)
#    76  a database dump failed (no backup made this run; the last good dump stays)
#    77  a before hook failed (no backup made)
#    78  setup problem (a secret missing, a folder that cannot be made)
#   124  the watchdog stopped duplicity: no progress for STALL_SECONDS
#   129, 130, 143  stopped by SIGHUP, SIGINT, SIGTERM (duplicity's process group is stopped first)
# Transient failures (5xx, resets, stalls, garbage answers) are retried RETRY_ATTEMPTS times in all,
# with a backoff from RETRY_DELAY seconds, before they count.
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

#@auth

#@alerts

#@run

#@watchdog

#@retry

#@verify

#@version

#@state

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
