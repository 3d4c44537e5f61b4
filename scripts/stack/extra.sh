#!/usr/bin/env bash
# A private cloud of its own beside the shared stack, for tests that must change what the shared one
# offers: HTTPS with a CA made at start, a short token lifetime. It never touches the shared
# processes or their files: it runs its OWN Keystone (uwsgi, a copy of the shared database and
# fernet keys, its own keystone.conf) and its OWN Swift proxy (its own config; the shared rings and
# account/container/object servers behind it). Run as root, with the shared stack up (up.sh).
#
#   extra.sh up DIR     start (or verify) the instance whose state lives in DIR; prints export lines
#   extra.sh down DIR   stop it (only the pids it started, checked by command line) and delete DIR
#
# Settings for `up` (environment):
#   EXTRA_KEYSTONE_PORT (required)    Keystone's port on 127.0.0.1
#   EXTRA_PROXY_PORT (required)       the Swift proxy's port on 127.0.0.1
#   EXTRA_TLS=1                       serve both over HTTPS with a CA made now (DIR/ca/ca.pem); the
#                                     catalog then lists only https endpoints, in region RegionTLS
#   EXTRA_TOKEN_EXPIRATION=SECONDS    Keystone's [token] expiration (default 3600)
#   EXTRA_REGION=NAME                 the region of the rewritten catalog (default RegionTLS with TLS,
#                                     else RegionExtra)
# stdout: export lines (OS_AUTH_URL, OS_CACERT with TLS, OS_REGION_NAME, EXTRA_PROXY_URL); the
# demo user's password and the rest are the shared stack's (its openrc).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

usage() { die "usage: extra.sh up DIR | extra.sh down DIR"; }
[ $# = 2 ] || usage
ACTION=$1
XDIR=${2%/}
case $ACTION in up | down) ;; *) usage ;; esac
[[ $XDIR =~ ^/[A-Za-z0-9._/-]+$ ]] && [[ $XDIR != *..* ]] || die "DIR must be an absolute path of [A-Za-z0-9._/-] (got '$XDIR')"
[ "$(id -u)" = 0 ] || die "run as root"
XMARK=.dupliswift-extra

ks_argv() { echo "/usr/bin/uwsgi --ini $XDIR/keystone/uwsgi.ini"; }
px_argv() { echo "$PY /usr/bin/swift-proxy-server $XDIR/proxy-server.conf -v"; }

stop_one() { # stop_one PIDFILE ARGV
  local pid waited=0
  [ -r "$1" ] || return 0
  read -r pid <"$1" || return 0
  if pid_matches "$pid" "$2"; then
    kill -TERM "$pid" 2>/dev/null || true
    while pid_matches "$pid" "$2" && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
    if pid_matches "$pid" "$2"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$1"
}

if [ "$ACTION" = down ]; then
  [ -d "$XDIR" ] || exit 0
  [ -e "$XDIR/$XMARK" ] || die "$XDIR was not made by extra.sh ($XMARK missing); not touching it"
  stop_one "$XDIR/run/proxy.pid" "$(px_argv)"
  stop_one "$XDIR/run/keystone.pid" "$(ks_argv)"
  rm -rf "$XDIR"
  log "extra instance in $XDIR stopped and removed"
  exit 0
fi

KPORT=${EXTRA_KEYSTONE_PORT:?EXTRA_KEYSTONE_PORT is required}
PPORT=${EXTRA_PROXY_PORT:?EXTRA_PROXY_PORT is required}
for p in "$KPORT" "$PPORT"; do
  [[ $p =~ ^[0-9]+$ ]] && [ "$p" -gt 1024 ] && [ "$p" -lt 65536 ] || die "port '$p' is not a number in 1025-65535"
  case $p in 5000 | 8080 | 6200 | 6201 | 6202) die "port $p belongs to the shared stack" ;; esac
done
TLS=${EXTRA_TLS:-}
EXPIRATION=${EXTRA_TOKEN_EXPIRATION:-3600}
[[ $EXPIRATION =~ ^[0-9]+$ ]] || die "EXTRA_TOKEN_EXPIRATION must be seconds"
SCHEME=http
[ -n "$TLS" ] && SCHEME=https
REGION=${EXTRA_REGION:-$([ -n "$TLS" ] && echo RegionTLS || echo RegionExtra)}
KS_PUBLIC=$SCHEME://127.0.0.1:$KPORT/v3
PX_PUBLIC=$SCHEME://127.0.0.1:$PPORT

emit() {
  printf 'export OS_AUTH_URL=%s\n' "$KS_PUBLIC"
  printf 'export OS_REGION_NAME=%s\n' "$REGION"
  [ -z "$TLS" ] || printf 'export OS_CACERT=%s\n' "$XDIR/ca/ca.pem"
  printf 'export EXTRA_PROXY_URL=%s\n' "$PX_PUBLIC"
}

if [ -e "$XDIR/$XMARK" ] && pid_matches "$(cat "$XDIR/run/keystone.pid" 2>/dev/null)" "$(ks_argv)" &&
  pid_matches "$(cat "$XDIR/run/proxy.pid" 2>/dev/null)" "$(px_argv)"; then
  emit
  exit 0
fi
[ ! -e "$XDIR" ] || [ -e "$XDIR/$XMARK" ] || die "$XDIR exists and was not made by extra.sh"
[ -e "$KS_DIR/.seeded" ] || die "the shared stack is not set up: run scripts/stack/up.sh first"
for p in "$KPORT" "$PPORT"; do ! port_open "$p" || die "127.0.0.1:$p is already in use"; done

install -d -m 0755 "$XDIR" "$XDIR/run" "$XDIR/log"
echo "extra test instance (scripts/stack/extra.sh); extra.sh down deletes this directory" >"$XDIR/$XMARK"
install -d -m 0750 -o keystone -g keystone "$XDIR/keystone"

# The copy: sqlite's online backup reads a consistent snapshot while the shared Keystone runs.
run_as keystone "$PY" -c '
import sqlite3, sys
src = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.execute("PRAGMA journal_mode=WAL")
dst.close()
' "$KS_DIR/keystone.db" "$XDIR/keystone/keystone.db" || die "copying the Keystone database failed"
cp -a "$KS_DIR/fernet-keys" "$KS_DIR/credential-keys" "$XDIR/keystone/"

if [ -n "$TLS" ]; then
  # A CA and a server certificate for 127.0.0.1 / localhost, made now; the key stays readable
  # only by root and the service users' group-free copies.
  install -d -m 0755 "$XDIR/ca"
  (
    cd "$XDIR/ca"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=dupliswift test CA $$" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
    chmod 0600 ca.key
    cp server.key server-keystone.key && chown keystone server-keystone.key && chmod 0600 server-keystone.key
    cp server.key server-swift.key && chown swift server-swift.key && chmod 0600 server-swift.key
    chmod 0644 ca.pem server.pem
    rm -f server.key server.csr server.ext
  ) || die "making the test CA failed"
fi

cat >"$XDIR/keystone/keystone.conf" <<EOF
# Generated by scripts/stack/extra.sh.
[DEFAULT]
debug = false
[database]
connection = sqlite:///$XDIR/keystone/keystone.db
# Without it, deleting an application credential leaves its role rows and the next create fails (409).
sqlite_fk = true
[token]
provider = fernet
expiration = $EXPIRATION
[fernet_tokens]
key_repository = $XDIR/keystone/fernet-keys
[fernet_receipts]
key_repository = $XDIR/keystone/fernet-keys
[credential]
key_repository = $XDIR/keystone/credential-keys
[cache]
enabled = true
backend = dogpile.cache.memory
[identity]
password_hash_rounds = 4
EOF
chown root:keystone "$XDIR/keystone/keystone.conf"
chmod 0640 "$XDIR/keystone/keystone.conf"
if [ -n "$TLS" ]; then
  socket_line="https-socket = 127.0.0.1:$KPORT,$XDIR/ca/server.pem,$XDIR/ca/server-keystone.key"
else
  socket_line="http-socket = 127.0.0.1:$KPORT"
fi
cat >"$XDIR/keystone/uwsgi.ini" <<EOF
# Generated by scripts/stack/extra.sh.
[uwsgi]
plugins = python3
$socket_line
wsgi-file = /usr/bin/keystone-wsgi-public
chdir = $XDIR/keystone
master = false
processes = 1
threads = 1
single-interpreter = true
need-app = true
die-on-term = true
buffer-size = 65535
add-header = Connection: close
EOF

SWIFT_PW=$(env -i "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["swift"])' "$STACK_DIR/secrets.json")
tls_lines=
authtoken_ca=
if [ -n "$TLS" ]; then
  tls_lines="cert_file = $XDIR/ca/server.pem
key_file = $XDIR/ca/server-swift.key"
  authtoken_ca="cafile = $XDIR/ca/ca.pem"
fi
# The shared proxy's pipeline, but authtoken asks this instance's Keystone.
sed -e "s|^bind_port = .*|bind_port = $PPORT|" \
  -e "s|^www_authenticate_uri = .*|www_authenticate_uri = $KS_PUBLIC|" \
  -e "s|^auth_url = .*|auth_url = $KS_PUBLIC|" \
  -e "s|^password = .*|password = $SWIFT_PW|" \
  "$SW_DIR/proxy-server.conf" >"$XDIR/proxy-server.conf.tmp"
awk -v tls="$tls_lines" -v ca="$authtoken_ca" '
  { print }
  /^log_name = proxy-server$/ && tls != "" { print tls }
  /^\[filter:authtoken\]$/ && ca != "" { print ca }
' "$XDIR/proxy-server.conf.tmp" >"$XDIR/proxy-server.conf"
rm -f "$XDIR/proxy-server.conf.tmp"
chown root:swift "$XDIR/proxy-server.conf"
chmod 0640 "$XDIR/proxy-server.conf"

start() { # start NAME USER ARGV...
  local name=$1 user=$2
  shift 2
  (
    for f in /proc/"$BASHPID"/fd/*; do
      fd=${f##*/}
      [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || :
    done
    exec setsid setpriv --reuid="$user" --regid="$user" --init-groups -- \
      env -i PATH="$CLEAN_PATH" LANG=C.UTF-8 HOME="$STACK_DIR/home/$user" \
      OS_KEYSTONE_CONFIG_FILES="$XDIR/keystone/keystone.conf" EVENTLET_NO_GREENDNS=yes "$@"
  ) </dev/null >>"$XDIR/log/$name.log" 2>&1 &
  echo $! >"$XDIR/run/$name.pid"
}
read -ra kargv <<<"$(ks_argv)"
read -ra pargv <<<"$(px_argv)"
start keystone keystone "${kargv[@]}"
start proxy swift "${pargv[@]}"

CURL_CA=()
[ -z "$TLS" ] || CURL_CA=(--cacert "$XDIR/ca/ca.pem")
deadline=$((SECONDS + ${DUPLISWIFT_STACK_TIMEOUT:-120}))
until [ "$(curl -s "${CURL_CA[@]}" -o /dev/null -m 10 -w '%{http_code}' "$KS_PUBLIC")" = 200 ]; do
  [ $SECONDS -lt $deadline ] || { tail -n 40 "$XDIR/log/keystone.log" >&2; die "the extra Keystone did not come up"; }
  pid_matches "$(cat "$XDIR/run/keystone.pid")" "$(ks_argv)" || [ $SECONDS -lt $((deadline - 110)) ] ||
    { tail -n 40 "$XDIR/log/keystone.log" >&2; die "the extra Keystone exited"; }
  sleep 0.2
done

# The catalog of the copy: only this instance's endpoints, in its own region.
env -i PATH="$CLEAN_PATH" LANG=C.UTF-8 ${TLS:+SSL_CERT_FILE="$XDIR/ca/ca.pem"} "$PY" - "$STACK_DIR/secrets.json" "$KS_PUBLIC" "$PX_PUBLIC" "$REGION" <<'PY' || die "rewriting the extra catalog failed"
import json, ssl, sys, urllib.request
secrets, ks, px, region = sys.argv[1:5]
ctx = ssl.create_default_context()
def call(method, path, body=None, token=None):
    req = urllib.request.Request(ks + path, data=None if body is None else json.dumps(body).encode(), method=method)
    req.add_header('Content-Type', 'application/json')
    if token: req.add_header('X-Auth-Token', token)
    with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
        raw = r.read()
        return r.headers, (json.loads(raw) if raw else None)
pw = json.load(open(secrets))['admin']
h, _ = call('POST', '/auth/tokens', {'auth': {'identity': {'methods': ['password'], 'password': {'user': {
    'name': 'admin', 'domain': {'id': 'default'}, 'password': pw}}},
    'scope': {'project': {'name': 'admin', 'domain': {'id': 'default'}}}}})
tok = h['X-Subject-Token']
_, regions = call('GET', '/regions', token=tok)
if not any(r['id'] == region for r in regions['regions']):
    call('POST', '/regions', {'region': {'id': region}}, tok)
_, services = call('GET', '/services', token=tok)
types = {s['id']: s['type'] for s in services['services']}
_, eps = call('GET', '/endpoints', token=tok)
for ep in eps['endpoints']:
    t = types.get(ep['service_id'])
    url = ks if t == 'identity' else px + '/v1/AUTH_%(project_id)s' if t == 'object-store' else None
    if url is None:
        continue
    call('PATCH', '/endpoints/' + ep['id'], {'endpoint': {'url': url, 'region_id': region}}, tok)
PY

until [ "$(curl -s "${CURL_CA[@]}" -o /dev/null -m 10 -w '%{http_code}' "$PX_PUBLIC/healthcheck")" = 200 ]; do
  [ $SECONDS -lt $deadline ] || { tail -n 40 "$XDIR/log/proxy.log" >&2; die "the extra Swift proxy did not come up"; }
  sleep 0.2
done
log "extra instance up: Keystone $KS_PUBLIC, Swift proxy $PX_PUBLIC, region $REGION, tokens live ${EXPIRATION}s"
emit
