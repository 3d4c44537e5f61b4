# shellcheck shell=bash
# Shared by up.sh, down.sh and update-usage.sh. Sourced, not run.

STACK_DIR=${DUPLISWIFT_STACK_DIR:-/var/tmp/dupliswift-stack}
while [ "${STACK_DIR%/}" != "$STACK_DIR" ] && [ "$STACK_DIR" != / ]; do STACK_DIR=${STACK_DIR%/}; done
# Debian's Python and OpenStack only: pyenv's python3 is first in PATH on these machines.
CLEAN_PATH=/usr/sbin:/usr/bin:/sbin:/bin
PY=/usr/bin/python3
MARKER_FILE=.dupliswift-stack
# First line of an /etc/swift/swift.conf written by up.sh; down.sh --purge removes only such a file.
SWIFT_CONF=/etc/swift/swift.conf
SWIFT_CONF_MARK='# dupliswift-stack: written by scripts/stack/up.sh; removed by down.sh --purge'

RUN_DIR=$STACK_DIR/run
LOG_DIR=$STACK_DIR/log
KS_DIR=$STACK_DIR/keystone
SW_DIR=$STACK_DIR/swift

# Every long-running process up.sh starts, in start order.
SERVICES=(object container account proxy keystone)

T_START=$(date +%s%N)
elapsed() { awk -v a="$T_START" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
log() { printf '[stack %5ss] %s\n' "$(elapsed)" "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# The state dir ends up in config files: keep it to characters no config syntax cares about.
check_stack_dir_name() {
  [[ $STACK_DIR =~ ^/[A-Za-z0-9._/-]+$ ]] && [[ $STACK_DIR != *..* ]] ||
    die "DUPLISWIFT_STACK_DIR must be an absolute path of [A-Za-z0-9._/-] (got '$STACK_DIR')"
  [ "$STACK_DIR" != / ] || die "DUPLISWIFT_STACK_DIR must not be /"
}

svc_port() {
  case $1 in
    keystone) echo 5000 ;; proxy) echo 8080 ;; account) echo 6202 ;;
    container) echo 6201 ;; object) echo 6200 ;; *) return 1 ;;
  esac
}
svc_user() { case $1 in keystone) echo keystone ;; *) echo swift ;; esac; }
svc_conf() {
  case $1 in
    keystone) echo "$KS_DIR/uwsgi.ini" ;;
    proxy) echo "$SW_DIR/proxy-server.conf" ;;
    *) echo "$SW_DIR/$1-server.conf" ;;
  esac
}
svc_log() { echo "$LOG_DIR/$1.log"; }
svc_pidfile() { echo "$RUN_DIR/$1.pid"; }
# The exact argv the process must have (joined by spaces): proves a pid is still ours.
svc_argv() {
  case $1 in
    keystone) echo "/usr/bin/uwsgi --ini $(svc_conf keystone)" ;;
    *) echo "$PY /usr/bin/swift-$1-server $(svc_conf "$1") -v" ;;
  esac
}

# pid_matches PID EXPECTED_ARGV: the pid exists, is not a zombie, and has exactly that argv.
pid_matches() {
  local pid=$1 want=$2 stat state arg got=
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }; state=${state%% *}
  case $state in Z | X | x) return 1 ;; esac
  while IFS= read -r -d '' arg; do got+="${got:+ }$arg"; done <"/proc/$pid/cmdline" 2>/dev/null || return 1
  [ "$got" = "$want" ]
}

# svc_pid NAME: prints the pid from the pid file if that process is alive and ours.
svc_pid() {
  local f pid
  f=$(svc_pidfile "$1")
  [ -r "$f" ] || return 1
  read -r pid <"$f" || return 1
  pid_matches "$pid" "$(svc_argv "$1")" || return 1
  echo "$pid"
}

# Is something accepting TCP connections on 127.0.0.1:PORT?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# run_as USER CMD...: a clean environment, Debian's PATH, no pyenv.
run_as() {
  local user=$1; shift
  setpriv --reuid="$user" --regid="$user" --init-groups -- \
    env -i PATH="$CLEAN_PATH" LANG=C.UTF-8 HOME="$STACK_DIR/home/$user" "$@"
}

log_tail() {
  local f=$1 n=${2:-40}
  [ -s "$f" ] || { log "(log $f is empty or missing)"; return 0; }
  printf '[stack] ---- last %s lines of %s ----\n' "$n" "$f" >&2
  tail -n "$n" "$f" >&2
  printf '[stack] ---- end of %s ----\n' "$f" >&2
}
