#!/usr/bin/env bash
# Stops the processes scripts/stack/up.sh started, and only those: each pid file's pid is signalled
# only while /proc/PID/cmdline is still exactly the command line up.sh gave it. TERM, then KILL
# after $DUPLISWIFT_STACK_STOP_TIMEOUT seconds (default 10). Removes the pid files.
#
#   down.sh           stop; keep the state (the next up.sh is a fast restart)
#   down.sh --purge   stop, then delete $DUPLISWIFT_STACK_DIR (default /var/tmp/dupliswift-stack)
#                     and /etc/swift/swift.conf if up.sh wrote it
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

purge=
case ${1:-} in
  --purge) purge=1 ;;
  -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  '') ;;
  *) die "unknown argument '$1' (usage: down.sh [--purge])" ;;
esac
[ $# -le 1 ] || die "usage: down.sh [--purge]"
[ "$(id -u)" = 0 ] || die "run as root"
check_stack_dir_name
STOP_TIMEOUT=${DUPLISWIFT_STACK_STOP_TIMEOUT:-10}

if [ ! -d "$STACK_DIR" ]; then
  log "no state dir $STACK_DIR: nothing to stop"
else
  [ -e "$STACK_DIR/$MARKER_FILE" ] || die "$STACK_DIR has no $MARKER_FILE: not a stack dir made by up.sh; not touching it"
  exec 9>"$STACK_DIR/.lock"
  flock -w 60 9 || die "another up.sh/down.sh holds $STACK_DIR/.lock"

  declare -A stopping=()
  for svc in keystone proxy account container object; do
    pidfile=$(svc_pidfile "$svc")
    [ -e "$pidfile" ] || continue
    if pid=$(svc_pid "$svc"); then
      log "stopping $svc (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      stopping[$svc]=$pid
    else
      log "$svc is not running (stale pid file)"
      rm -f "$pidfile"
    fi
  done

  waited=0
  while [ ${#stopping[@]} -gt 0 ]; do
    for svc in "${!stopping[@]}"; do
      pid_matches "${stopping[$svc]}" "$(svc_argv "$svc")" || { unset "stopping[$svc]"; rm -f "$(svc_pidfile "$svc")"; }
    done
    [ ${#stopping[@]} -gt 0 ] || break
    if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
      for svc in "${!stopping[@]}"; do
        pid=${stopping[$svc]}
        # Checked again right before the signal: the pid must still be ours.
        if pid_matches "$pid" "$(svc_argv "$svc")"; then
          log "$svc (pid $pid) ignored TERM for ${STOP_TIMEOUT}s: KILL"
          kill -KILL "$pid" 2>/dev/null || true
        fi
      done
      sleep 0.5
      for svc in "${!stopping[@]}"; do
        pid_matches "${stopping[$svc]}" "$(svc_argv "$svc")" && die "$svc (pid ${stopping[$svc]}) survived KILL"
        rm -f "$(svc_pidfile "$svc")"
      done
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done

  for svc in "${SERVICES[@]}"; do
    port=$(svc_port "$svc")
    ! port_open "$port" || log "warning: 127.0.0.1:$port is still in use by a process up.sh did not start (or whose pid file is gone)"
  done
  log "stopped"

  if [ -n "$purge" ]; then
    exec 9>&-
    rm -rf -- "$STACK_DIR"
    log "removed $STACK_DIR"
  fi
fi

if [ -n "$purge" ] && [ -e "$SWIFT_CONF" ] && [ "$(head -n 1 "$SWIFT_CONF")" = "$SWIFT_CONF_MARK" ]; then
  rm -f "$SWIFT_CONF"
  log "removed $SWIFT_CONF (written by up.sh)"
fi
