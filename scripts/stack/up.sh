#!/usr/bin/env bash
# Starts, or just verifies, dupliswift's local test stack: real OpenStack Keystone v3 + Swift
# all-in-one from Debian 12 packages, on 127.0.0.1 only (ports 5000, 8080, 6200-6202). Run as root.
#
# State (configs, databases, keys, rings, object data, logs, pid files) lives in
# $DUPLISWIFT_STACK_DIR (default /var/tmp/dupliswift-stack). The one file outside it is
# /etc/swift/swift.conf, which Swift reads from that fixed path: written only if absent.
#
# Idempotent: processes that are alive (pid file, not a zombie, expected command line) are left
# alone; with everything alive it only verifies. Succeeds only after a demo token scoped to
# backup-a and an object PUT+GET+DELETE through the proxy worked. stdout gets nothing but the
# `export OS_...=...` lines (also written to $DUPLISWIFT_STACK_DIR/openrc); progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

case ${1:-} in
  -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  '') ;;
  *) die "unknown argument '$1' (usage: up.sh)" ;;
esac

TIMEOUT=${DUPLISWIFT_STACK_TIMEOUT:-120}
DEADLINE=$((SECONDS + TIMEOUT))

KS_URL=http://127.0.0.1:5000/v3
PROXY_URL=http://127.0.0.1:8080
VERIFY_CONTAINER=dupliswift-stack-verify

on_exit() {
  local rc=$?
  [ "$rc" = 0 ] || log "up.sh FAILED (exit $rc) after $(elapsed)s; all logs are in $LOG_DIR"
}
trap on_exit EXIT

# fail_with_log LOGFILE MESSAGE: the log's tail, then exit 1.
fail_with_log() { log_tail "$1" 60; die "$2"; }

check_prereqs() {
  [ "$(id -u)" = 0 ] || die "run as root: it starts services as the keystone and swift users"
  local f missing=()
  for f in /usr/bin/python3 /usr/bin/uwsgi /usr/lib/uwsgi/plugins/python3_plugin.so \
    /usr/bin/keystone-manage /usr/bin/keystone-wsgi-public /usr/bin/swift-proxy-server \
    /usr/bin/swift-account-server /usr/bin/swift-container-server /usr/bin/swift-object-server \
    /usr/bin/swift-container-updater /usr/lib/python3/dist-packages/keystonemiddleware \
    /usr/bin/curl /usr/bin/setpriv /usr/bin/setsid /usr/bin/flock; do
    [ -e "$f" ] || missing+=("$f")
  done
  [ ${#missing[@]} = 0 ] ||
    die "missing ${missing[*]}; install the system packages first: scripts/install-system-deps.sh"
  id -u keystone >/dev/null 2>&1 && id -u swift >/dev/null 2>&1 ||
    die "users keystone and swift are missing (they come with the keystone and swift packages)"
}

prepare_state_dir() {
  if [ -e "$STACK_DIR" ] && [ ! -e "$STACK_DIR/$MARKER_FILE" ]; then
    [ -d "$STACK_DIR" ] || die "$STACK_DIR exists and is not a directory"
    [ -z "$(ls -A "$STACK_DIR")" ] ||
      die "$STACK_DIR is not empty and was not made by this script ($MARKER_FILE missing); refusing to use it"
  fi
  mkdir -p "$STACK_DIR"
  chmod 0755 "$STACK_DIR"
  [ -e "$STACK_DIR/$MARKER_FILE" ] ||
    echo "dupliswift local test stack state (scripts/stack/up.sh); down.sh --purge deletes this directory" \
      >"$STACK_DIR/$MARKER_FILE"
  install -d -m 0755 "$RUN_DIR" "$LOG_DIR" "$SW_DIR" "$STACK_DIR/home"
  install -d -m 0750 -o keystone -g keystone "$KS_DIR" "$STACK_DIR/home/keystone"
  install -d -m 0755 -o swift -g swift "$SW_DIR/srv" "$SW_DIR/srv/d1" "$SW_DIR/cache" "$STACK_DIR/home/swift"
}

# Swift stores metadata in user.* xattrs, in 254-byte chunks: test exactly that on the device dir.
check_xattrs() {
  local out
  out=$(env -i PATH="$CLEAN_PATH" "$PY" - "$SW_DIR/srv/d1" 2>&1 <<'PY'
import os, sys, tempfile
fd, path = tempfile.mkstemp(prefix='.xattr-test-', dir=sys.argv[1])
try:
    chunks = {'user.swift.metadata': b'x' * 254, 'user.swift.metadata1': b'y' * 254}
    for k, v in chunks.items():
        os.setxattr(path, k, v)
    assert all(os.getxattr(path, k) == v for k, v in chunks.items()), 'xattr read back differs'
finally:
    os.close(fd)
    os.unlink(path)
PY
  ) || die "$SW_DIR/srv/d1 is on a filesystem without working user xattrs (Swift needs them): ${out##*$'\n'}
Set DUPLISWIFT_STACK_DIR to a directory on ext4/xfs/btrfs (or tmpfs on Linux >= 6.6)."
}

# write_file PATH MODE OWNER:GROUP < content: replaces the file only when the content differs.
write_file() {
  local path=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp "$path.XXXXXX")
  cat >"$tmp"
  if [ -e "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$path"
  fi
  chmod "$mode" "$path"
  chown "$owner" "$path"
}

write_secrets() {
  # Fixed test values, not secrets worth protecting, but kept 0600 like real ones.
  [ -e "$STACK_DIR/secrets.json" ] || (umask 077 && cat >"$STACK_DIR/secrets.json" <<'EOF'
{"admin": "admin-secret", "swift": "swift-secret", "demo": "demo-secret", "opsuser": "ops-secret"}
EOF
  )
  chmod 0600 "$STACK_DIR/secrets.json"
  SWIFT_PASSWORD=$(secret swift)
}

secret() { env -i "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
  "$STACK_DIR/secrets.json" "$1"; }

write_configs() {
  write_file "$KS_DIR/keystone.conf" 0640 root:keystone <<EOF
# Generated by scripts/stack/up.sh; rewritten on every run.
[DEFAULT]
debug = false

[database]
connection = sqlite:///$KS_DIR/keystone.db

[token]
provider = fernet

[fernet_tokens]
key_repository = $KS_DIR/fernet-keys

[fernet_receipts]
key_repository = $KS_DIR/fernet-keys

[credential]
key_repository = $KS_DIR/credential-keys

[cache]
enabled = true
backend = dogpile.cache.memory

[identity]
password_hash_rounds = 4
EOF

  # One process, one thread: sqlite and the in-process cache need that. Connection: close, or
  # keystonemiddleware reuses connections uwsgi already closed (random 401s at the proxy).
  write_file "$KS_DIR/uwsgi.ini" 0644 root:root <<EOF
# Generated by scripts/stack/up.sh; rewritten on every run.
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:5000
wsgi-file = /usr/bin/keystone-wsgi-public
chdir = $KS_DIR
master = false
processes = 1
threads = 1
single-interpreter = true
need-app = true
die-on-term = true
buffer-size = 65535
add-header = Connection: close
EOF

  local svc port extra
  for svc in account container object; do
    port=$(svc_port "$svc")
    extra=
    # Read only by update-usage.sh's run-once container-updater.
    [ "$svc" = container ] && extra=$'\n[container-updater]\nlog_name = container-updater\nconcurrency = 1'
    write_file "$SW_DIR/$svc-server.conf" 0644 root:root <<EOF
# Generated by scripts/stack/up.sh; rewritten on every run.
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
user = swift
swift_dir = $SW_DIR
devices = $SW_DIR/srv
mount_check = false
recon_cache_path = $SW_DIR/cache
log_name = $svc-server

[pipeline:main]
pipeline = $svc-server

[app:$svc-server]
use = egg:swift#$svc
$extra
EOF
  done

  write_file "$SW_DIR/proxy-server.conf" 0640 root:swift <<EOF
# Generated by scripts/stack/up.sh; rewritten on every run.
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = 8080
workers = 0
user = swift
swift_dir = $SW_DIR
log_name = proxy-server

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
interface = public
username = swift
password = $SWIFT_PASSWORD
user_domain_name = Default
project_name = service
project_domain_name = Default
delay_auth_decision = true
include_service_catalog = false

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:copy]
use = egg:swift#copy

[filter:container-quotas]
use = egg:swift#container_quotas

[filter:account-quotas]
use = egg:swift#account_quotas

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes

[filter:symlink]
use = egg:swift#symlink
EOF

}

# The service users must reach their files: a state dir under e.g. /root (0700) would not do.
check_access() {
  run_as keystone test -r "$KS_DIR/keystone.conf" -a -w "$KS_DIR" ||
    die "user keystone cannot read $KS_DIR/keystone.conf: check the permissions of $STACK_DIR and its parents"
  run_as swift test -r "$SW_DIR/proxy-server.conf" -a -w "$SW_DIR/srv/d1" ||
    die "user swift cannot use $SW_DIR: check the permissions of $STACK_DIR and its parents"
}

# For curl's token request: the password goes in a file, not argv.
write_verify_auth() {
  (umask 077 && printf '{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "demo", "domain": {"name": "Default"}, "password": "%s"}}}, "scope": {"project": {"name": "backup-a", "domain": {"name": "Default"}}}}}\n' \
    "$(secret demo)" >"$RUN_DIR/verify-auth.json")
}

# Swift reads /etc/swift/swift.conf from that fixed path. Ours is marked on its first line; an
# existing file that is not ours (Debian ships one) is used as it is.
ensure_swift_conf() {
  if [ ! -e "$SWIFT_CONF" ] || [ "$(head -n 1 "$SWIFT_CONF")" = "$SWIFT_CONF_MARK" ]; then
    mkdir -p "$(dirname "$SWIFT_CONF")"
    write_file "$SWIFT_CONF" 0644 root:root <<EOF
$SWIFT_CONF_MARK
[swift-hash]
swift_hash_path_prefix = dupliswift-stack
swift_hash_path_suffix = dupliswift-stack

[storage-policy:0]
name = Policy-0
default = yes
EOF
  else
    grep -Eq '^[[:space:]]*swift_hash_path_(prefix|suffix)[[:space:]]*=[[:space:]]*[^[:space:]]' "$SWIFT_CONF" ||
      die "$SWIFT_CONF exists, is not ours, and sets no swift_hash_path_prefix/suffix"
    [ -e "$SW_DIR/.swift-conf-note" ] || {
      log "note: using the existing $SWIFT_CONF (not written by this script)"
      touch "$SW_DIR/.swift-conf-note"
    }
  fi
  # Objects are placed by these hashes: changing them under existing data loses it.
  local hashes
  hashes=$(grep -E '^[[:space:]]*swift_hash_path_(prefix|suffix)' "$SWIFT_CONF" | tr -d ' \t' | sort)
  if [ -e "$SW_DIR/swift-hash.seen" ]; then
    [ "$hashes" = "$(cat "$SW_DIR/swift-hash.seen")" ] ||
      die "the swift_hash_path settings in $SWIFT_CONF changed since this state dir was created; run down.sh --purge first"
  else
    printf '%s\n' "$hashes" >"$SW_DIR/swift-hash.seen"
  fi
}

# Fernet token and credential keys are 32 random bytes, urlsafe-base64: what keystone-manage
# fernet_setup/credential_setup write (keys 0 and 1), without its ~2 s of imports per call.
ensure_keys() {
  local repo
  for repo in fernet-keys credential-keys; do
    [ -e "$KS_DIR/$repo/0" ] && continue
    rm -rf "$KS_DIR/$repo"
    run_as keystone "$PY" -c '
import base64, os, sys
os.umask(0o077)
tmp = sys.argv[1] + ".tmp"
os.mkdir(tmp, 0o700)
for name in ("1", "0"):
    with open(os.path.join(tmp, name), "wb") as f:
        f.write(base64.urlsafe_b64encode(os.urandom(32)))
os.rename(tmp, sys.argv[1])
' "$KS_DIR/$repo" || die "could not create $KS_DIR/$repo"
  done
}

# One Python process with Swift's RingBuilder: 0.5 s instead of ~4.6 s of ring-builder CLI calls.
ensure_rings() {
  [ -e "$SW_DIR/account.ring.gz" ] && [ -e "$SW_DIR/container.ring.gz" ] && [ -e "$SW_DIR/object.ring.gz" ] &&
    return 0
  log "building rings (part power 8, 1 replica, one device)"
  env -i PATH="$CLEAN_PATH" "$PY" - "$SW_DIR" >>"$LOG_DIR/rings.log" 2>&1 <<'PY' ||
import os, sys
from swift.common.ring import RingBuilder
swift_dir = sys.argv[1]
for name, port in (('account', 6202), ('container', 6201), ('object', 6200)):
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port,
                     'replication_ip': '127.0.0.1', 'replication_port': port,
                     'device': 'd1', 'weight': 100.0, 'meta': ''})
    builder.rebalance(seed=1)
    builder.save(os.path.join(swift_dir, name + '.builder'))
    tmp = os.path.join(swift_dir, name + '.ring.gz.tmp')
    builder.get_ring().save(tmp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, os.path.join(swift_dir, name + '.ring.gz'))
PY
    fail_with_log "$LOG_DIR/rings.log" "building the Swift rings failed"
}

# keystone-manage as the keystone user, output to keystone-manage.log.
keystone_manage() {
  run_as keystone /usr/bin/keystone-manage --config-file "$KS_DIR/keystone.conf" "$@" \
    </dev/null >>"$LOG_DIR/keystone-manage.log" 2>&1
}

# Runs in the background on a first start: schema, then WAL mode (as keystone, so the -wal and -shm
# files get the right owner).
keystone_db() {
  [ -e "$KS_DIR/.db-synced" ] && return 0
  keystone_manage db_sync || return 1
  run_as keystone "$PY" -c '
import sqlite3, sys
mode = sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL").fetchone()[0]
sys.exit(0 if mode == "wal" else "journal_mode is " + mode)
' "$KS_DIR/keystone.db" >>"$LOG_DIR/keystone-manage.log" 2>&1 || return 1
  touch "$KS_DIR/.db-synced"
}

keystone_bootstrap() {
  [ -e "$KS_DIR/.bootstrapped" ] && return 0
  log "keystone-manage bootstrap"
  # The admin password travels by stdin into the environment variable keystone-manage reads.
  secret admin | setpriv --reuid=keystone --regid=keystone --init-groups -- \
    env -i PATH="$CLEAN_PATH" LANG=C.UTF-8 HOME="$STACK_DIR/home/keystone" \
    /bin/sh -c 'IFS= read -r OS_BOOTSTRAP_PASSWORD && export OS_BOOTSTRAP_PASSWORD && exec "$@"' sh \
    /usr/bin/keystone-manage --config-file "$KS_DIR/keystone.conf" bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$KS_URL" --bootstrap-internal-url "$KS_URL" --bootstrap-public-url "$KS_URL" \
    >>"$LOG_DIR/keystone-manage.log" 2>&1 ||
    fail_with_log "$LOG_DIR/keystone-manage.log" "keystone-manage bootstrap failed"
  touch "$KS_DIR/.bootstrapped"
}

# start_svc NAME: starts it in its own session as its service user, unless it is already alive.
start_svc() {
  local svc=$1 pid port user logf argv
  if pid=$(svc_pid "$svc"); then
    log "$svc already running (pid $pid)"
    return 0
  fi
  port=$(svc_port "$svc")
  if port_open "$port"; then
    die "127.0.0.1:$port is already in use by a process this script did not start (or whose pid file is gone); stop it first"
  fi
  user=$(svc_user "$svc")
  logf=$(svc_log "$svc")
  read -ra argv <<<"$(svc_argv "$svc")"
  printf '\n===== %s: starting %s =====\n' "$(date -Is)" "$svc" >>"$logf"
  rm -f "$(svc_pidfile "$svc")"
  # The subshell closes every inherited fd above 2 (our lock; pipes of whoever called us, which
  # would otherwise wait for EOF forever), then execs: $! is the server's own pid. It is not a
  # process-group leader, so setsid does not fork either.
  (
    for f in /proc/"$BASHPID"/fd/*; do
      fd=${f##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || :
    done
    exec setsid setpriv --reuid="$user" --regid="$user" --init-groups -- \
      env -i PATH="$CLEAN_PATH" LANG=C.UTF-8 HOME="$STACK_DIR/home/$user" \
      OS_KEYSTONE_CONFIG_FILES="$KS_DIR/keystone.conf" EVENTLET_NO_GREENDNS=yes "${argv[@]}"
  ) </dev/null >>"$logf" 2>&1 &
  echo $! >"$(svc_pidfile "$svc")"
  log "$svc started (pid $!, port $port, log $logf)"
}

# wait_svc NAME: until its port answers (keystone and proxy: an HTTP 200), or its process dies.
wait_svc() {
  local svc=$1 port pidfile pid code url=
  port=$(svc_port "$svc")
  pidfile=$(svc_pidfile "$svc")
  read -r pid <"$pidfile"
  case $svc in keystone) url=$KS_URL ;; proxy) url=$PROXY_URL/healthcheck ;; esac
  while :; do
    # Right after exec the command line may still be setpriv's: only a dead pid counts as failure.
    if [ ! -d "/proc/$pid" ] || [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]]; then
      fail_with_log "$(svc_log "$svc")" "$svc (pid $pid) exited during startup"
    fi
    if [ -n "$url" ]; then
      code=$(curl -s -o /dev/null -m 20 -w '%{http_code}' "$url" || true)
      [ "$code" = 200 ] && break
    else
      port_open "$port" && break
    fi
    [ $SECONDS -lt $DEADLINE ] || fail_with_log "$(svc_log "$svc")" "$svc did not come up within ${TIMEOUT}s"
    sleep 0.1
  done
  svc_pid "$svc" >/dev/null ||
    fail_with_log "$(svc_log "$svc")" "$svc (pid $pid) does not have the expected command line: $(svc_argv "$svc")"
  log "$svc ready"
}

seed_keystone() {
  [ -e "$KS_DIR/.seeded" ] && return 0
  log "seeding keystone (domains, projects, users, roles, catalog)"
  env -i PATH="$CLEAN_PATH" LANG=C.UTF-8 "$PY" "$HERE/seed.py" "$STACK_DIR/secrets.json" ||
    fail_with_log "$(svc_log keystone)" "seeding keystone failed"
  touch "$KS_DIR/.seeded"
}

# verify_once WORKDIR: a demo token scoped to backup-a, then container PUT, object PUT, GET
# (compared), object DELETE, container DELETE through the proxy. Token and password stay in files.
verify_once() {
  local w=$1 code url token
  code=$(curl -sS -m 20 -o "$w/token.json" -D "$w/token.hdr" -w '%{http_code}' \
    -H 'Content-Type: application/json' -d @"$RUN_DIR/verify-auth.json" "$KS_URL/auth/tokens") || code=curl-failed
  [ "$code" = 201 ] || { VERIFY_ERR="token request: HTTP $code $(head -c 300 "$w/token.json" 2>/dev/null)"; return 1; }
  token=$(tr -d '\r' <"$w/token.hdr" | awk -F': ' 'tolower($1) == "x-subject-token" { print $2 }')
  [ -n "$token" ] || { VERIFY_ERR="no X-Subject-Token header"; return 1; }
  (umask 077 && printf 'X-Auth-Token: %s\n' "$token" >"$w/auth.hdr")
  url=$(env -i "$PY" -c '
import json, sys
token = json.load(open(sys.argv[1]))["token"]
assert token["project"]["name"] == "backup-a", token["project"]
for svc in token["catalog"]:
    if svc["type"] == "object-store":
        for ep in svc["endpoints"]:
            if ep["interface"] == "public" and ep["region"] == "RegionOne":
                print(ep["url"]); sys.exit(0)
sys.exit("no public object-store endpoint in RegionOne in the catalog")
' "$w/token.json" 2>&1) || { VERIFY_ERR="catalog: $url"; return 1; }
  case $url in "$PROXY_URL"/v1/AUTH_*) ;; *) VERIFY_ERR="unexpected storage URL $url"; return 1 ;; esac
  local obj=$url/$VERIFY_CONTAINER/check.txt
  printf 'dupliswift stack check %s %s\n' "$(date -Is)" "$$" >"$w/object"
  step() { # step EXPECTED_CODES DESCRIPTION CURL_ARGS...
    local want=$1 what=$2; shift 2
    code=$(curl -sS -m 20 -o "$w/out" -w '%{http_code}' -H @"$w/auth.hdr" "$@") || code=curl-failed
    [[ " $want " == *" $code "* ]] && return 0
    VERIFY_ERR="$what: HTTP $code $(head -c 300 "$w/out" 2>/dev/null)"
    return 1
  }
  step '201 202' "PUT container" -X PUT "$url/$VERIFY_CONTAINER" || return 1
  step 201 "PUT object" -X PUT -T "$w/object" "$obj" || return 1
  step 200 "GET object" "$obj" || return 1
  cmp -s "$w/out" "$w/object" || { VERIFY_ERR="GET returned different bytes"; return 1; }
  step 204 "DELETE object" -X DELETE "$obj" || return 1
  step 204 "DELETE container" -X DELETE "$url/$VERIFY_CONTAINER" || return 1
}

# Retries until the deadline: right after a start the proxy may still be loading its pipeline.
verify() {
  local w attempt=1 ok=
  [ -s "$RUN_DIR/verify-auth.json" ] || write_verify_auth
  w=$(mktemp -d "$RUN_DIR/verify.XXXXXX")
  VERIFY_ERR=
  while :; do
    if verify_once "$w"; then ok=1; break; fi
    [ $SECONDS -lt $DEADLINE ] || break
    log "verify attempt $attempt failed ($VERIFY_ERR); retrying"
    attempt=$((attempt + 1))
    sleep 0.5
  done
  rm -rf "$w"
  if [ -z "$ok" ]; then
    log_tail "$(svc_log keystone)" 30
    log_tail "$(svc_log proxy)" 30
    die "verification failed: $VERIFY_ERR"
  fi
}

emit_env() {
  local env_lines
  env_lines="export OS_AUTH_URL=$KS_URL
export OS_USERNAME=demo
export OS_PASSWORD=$(secret demo)
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_NAME=backup-a
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
export OS_IDENTITY_API_VERSION=3
export OS_INTERFACE=public"
  (umask 077 && printf '%s\n' "$env_lines" >"$STACK_DIR/openrc.tmp" && mv -f "$STACK_DIR/openrc.tmp" "$STACK_DIR/openrc")
  (umask 077 && sed -e 's/^export OS_USERNAME=.*/export OS_USERNAME=admin/' \
    -e "s/^export OS_PASSWORD=.*/export OS_PASSWORD=$(secret admin)/" \
    -e 's/^export OS_PROJECT_NAME=.*/export OS_PROJECT_NAME=admin/' \
    <<<"$env_lines" >"$STACK_DIR/openrc-admin")
  (umask 077 && sed -e 's/^export OS_USERNAME=.*/export OS_USERNAME=opsuser/' \
    -e "s/^export OS_PASSWORD=.*/export OS_PASSWORD=$(secret opsuser)/" \
    -e 's/^export OS_USER_DOMAIN_NAME=.*/export OS_USER_DOMAIN_NAME=ops/' \
    -e 's/^export OS_PROJECT_NAME=.*/export OS_PROJECT_NAME=ops-project/' \
    -e 's/^export OS_PROJECT_DOMAIN_NAME=.*/export OS_PROJECT_DOMAIN_NAME=ops/' \
    <<<"$env_lines" >"$STACK_DIR/openrc-ops")
  printf '%s\n' "$env_lines"
}

all_alive() {
  local svc
  for svc in "${SERVICES[@]}"; do svc_pid "$svc" >/dev/null || return 1; done
}

# ---------------------------------------------------------------------------------------------
check_prereqs
check_stack_dir_name
prepare_state_dir
exec 9>"$STACK_DIR/.lock"
flock -w "$TIMEOUT" 9 || die "another up.sh/down.sh held $STACK_DIR/.lock for ${TIMEOUT}s"
DEADLINE=$((SECONDS + TIMEOUT))

if all_alive && [ -e "$KS_DIR/.seeded" ]; then
  log "stack already running; verifying"
  verify
  emit_env
  log "stack verified in $(elapsed)s (already running)"
  exit 0
fi

mode=restart
[ -e "$KS_DIR/.seeded" ] || mode=cold
log "starting the stack in $STACK_DIR ($mode)"
check_xattrs
write_secrets
write_configs
write_verify_auth
check_access
ensure_swift_conf
ensure_keys

# Keystone's imports are the longest pole: start it first when its database is ready.
db_job=
if [ -e "$KS_DIR/.db-synced" ]; then
  start_svc keystone
else
  log "keystone-manage db_sync (background)"
  keystone_db &
  db_job=$!
fi
ensure_rings
for svc in object container account proxy; do start_svc "$svc"; done
if [ -n "$db_job" ]; then
  wait "$db_job" || fail_with_log "$LOG_DIR/keystone-manage.log" "keystone-manage db_sync failed"
  start_svc keystone
fi
# Bootstrap writes the database while uwsgi is still importing Keystone; nothing has queried it
# yet, so the server's in-memory cache holds nothing stale.
keystone_bootstrap
for svc in keystone object container account proxy; do wait_svc "$svc"; done
seed_keystone
verify
emit_env
log "stack verified in $(elapsed)s ($mode)"
