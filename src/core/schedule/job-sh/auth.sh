# backup.sh: auth (a part of the job template; see backup.sh)
# An application credential: duplicity cannot log in with one (no version up to 3.0 passes auth_type
# to swiftclient), so the job gets a project token with it before duplicity runs and hands duplicity
# the token and storage URL: SWIFT_PREAUTHURL/SWIFT_PREAUTHTOKEN for its Connection, OS_STORAGE_URL/
# OS_AUTH_TOKEN for the SwiftService it lists, stats and deletes with. The secret has its own 0600
# file (or keyring entry) and reaches Python on stdin, never argv. Password profiles: nothing to do.
TOKEN_EXPIRES=0
SWIFT_PREAUTHTOKEN='' OS_AUTH_TOKEN='' SWIFT_PREAUTHURL='' OS_STORAGE_URL=''
export -n SWIFT_PREAUTHTOKEN OS_AUTH_TOKEN SWIFT_PREAUTHURL OS_STORAGE_URL
# Reads the secret on stdin; argv: auth URL, credential id, region, interface. Prints the token, the
# storage URL and the expiry (epoch seconds), one per line; or one line that says what is wrong.
read -r -d '' AUTH_PY <<'PY' || true
import json, ssl, sys, urllib.error, urllib.request
from datetime import datetime
base, cred, region, iface = sys.argv[1:5]
secret = sys.stdin.read()
body = {'auth': {'identity': {'methods': ['application_credential'], 'application_credential': {'id': cred, 'secret': secret}}}}
import os
ctx = ssl.create_default_context(cafile=os.environ.get('REQUESTS_CA_BUNDLE') or None)
req = urllib.request.Request(base.rstrip('/') + '/auth/tokens', data=json.dumps(body).encode(), method='POST',
                             headers={'Content-Type': 'application/json', 'Accept': 'application/json'})
try:
    with urllib.request.urlopen(req, timeout=60, context=ctx) as r:
        token, doc = r.headers['X-Subject-Token'], json.load(r)['token']
except urllib.error.HTTPError as e:
    # A deleted (revoked) credential: 404 "Could not find Application Credential"; expired or a wrong secret: 401.
    if e.code in (401, 404):
        sys.exit(f'Keystone refused the application credential {cred} (HTTP {e.code}): it was revoked (deleted), has expired, '
                 'or its secret is wrong. Create a new one (openstack application credential create --role member NAME) '
                 'and run dupliswift setup again with its id and secret.')
    sys.exit(f'Keystone answered HTTP {e.code} to the application credential login at {base}: {e.read()[:200]!r}')
except urllib.error.URLError as e:
    why = e.reason
    if isinstance(why, ssl.SSLCertVerificationError):
        sys.exit(f'TLS with {base} failed: {why.verify_message}. Give the CA file to dupliswift setup (--cacert or the CA question); '
                 'the job trusts the one kept in the profile (REQUESTS_CA_BUNDLE). Certificate checks are never turned off.')
    sys.exit(f'Cannot reach Keystone at {base}: {why}')
rules = (doc.get('application_credential') or {}).get('access_rules') or []
if rules and not any(r.get('service') == 'object-store' for r in rules):
    sys.exit(f'The application credential {cred} has access rules that do not allow object storage: create one without '
             'access rules, or with rules for service object-store, and run dupliswift setup again.')
urls = [ep['url'] for svc in doc.get('catalog', []) if svc.get('type') == 'object-store' for ep in svc.get('endpoints', [])
        if ep.get('interface') == iface and (not region or ep.get('region_id') == region or ep.get('region') == region)]
if not urls:
    sys.exit(f'The token has no {iface} object-store endpoint{" in region " + region if region else ""} in its catalog; run dupliswift setup again.')
expires = int(datetime.fromisoformat(doc['expires_at'].replace('Z', '+00:00')).timestamp())
print(token, urls[0], expires, sep='\n')
PY

authenticate() {
  [ "$AUTH_TYPE" = v3applicationcredential ] || return 0
  local secret='' file mode out rc=0
  if [ "$SECRETS_KIND" = keyring ]; then
    secret=$("$SECRET_TOOL" lookup service "dupliswift:$PROFILE" account application-credential-secret </dev/null) ||
      die "the keyring did not give application-credential-secret (locked? a cron job cannot unlock a login keyring)"
  else
    file=$SECRETS_DIR/application-credential-secret
    [ -r "$file" ] || die "cannot read the secret $file; run dupliswift setup again to store it"
    mode=$(/usr/bin/stat -c %a "$file")
    case $mode in 600 | 400) ;; *) die "$file has mode $mode; secrets must be 0600 (chmod 600 $file)" ;; esac
    IFS= read -r -d '' secret <"$file" || true
  fi
  out=$(printf '%s' "$secret" | "$PYTHON" -c "$AUTH_PY" "$AUTH_URL" "$APP_CREDENTIAL_ID" "$AUTH_REGION" "$AUTH_INTERFACE" 2>&1) || rc=$?
  [ "$rc" = 0 ] || die "${out##*$'\n'}"
  local lines
  mapfile -t lines <<<"$out"
  [ ${#lines[@]} = 3 ] || die "the token step printed something unexpected"
  # A token is a secret like a password: set here, exported only into duplicity (export_secrets).
  SWIFT_PREAUTHTOKEN=${lines[0]} OS_AUTH_TOKEN=${lines[0]} SWIFT_PREAUTHURL=${lines[1]} OS_STORAGE_URL=${lines[1]}
  TOKEN_EXPIRES=${lines[2]}
  log "token for application credential $APP_CREDENTIAL_ID obtained (valid until $(date -u -d "@$TOKEN_EXPIRES" +%H:%M:%SZ))"
}

# A backup that outlives its token fails part-way (Swift answers 401, and nothing in duplicity can log
# in again with a credential): run_step (retry.sh) then gets a new token and runs the step again, and
# duplicity resumes the interrupted backup from its archive dir, so nothing is lost.
token_expired() {
  [ "$AUTH_TYPE" = v3applicationcredential ] && [ "$(/bin/date +%s)" -ge "$TOKEN_EXPIRES" ]
}
