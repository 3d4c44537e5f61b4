# backup.sh: retry (a part of the job template; see backup.sh)
# Failure classes: what a Swift or Keystone failure means and what to do, read from the step's own
# output (duplicity logs only "Object PUT failed … 413 Request Entity Too Large" and exits 50 for
# all of them). The same classes and words are in src/core/duplicity/failure-class.ts for the first run.
FAILURE_CLASS=''
FAILURE_WORDS=''
classify_failure() {
  local rc=$1 text=''
  FAILURE_CLASS='' FAILURE_WORDS=''
  if [ "$rc" = 124 ]; then
    FAILURE_CLASS=stalled
    FAILURE_WORDS="duplicity made no progress for $(span "$STALL_SECONDS") and was stopped (a Keystone or Swift that accepts connections but never answers?). Fix: check the cloud's status; raise schedule.stallMinutes if a step is legitimately that quiet."
    return 0
  fi
  if [ -n "$STEP_OUT" ] && [ -r "$STEP_OUT" ]; then text=$(/usr/bin/tail -c 65536 "$STEP_OUT" 2>/dev/null) || true; fi
  case $text in
    *" 422 Unprocessable"* | *"422 Unprocessable Entity"*)
      FAILURE_CLASS=corrupt-upload
      FAILURE_WORDS="an upload reached Swift corrupted: Swift's MD5 of the volume differed from the one computed here (HTTP 422), so Swift refused it. Fix: nothing was kept as good; check the network path to Swift (a proxy or NIC corrupting data) and run again." ;;
    *" 413 "* | *"Request Entity Too Large"* | *QuotaExceeded* | *"Quota exceeded"*)
      FAILURE_CLASS=quota
      FAILURE_WORDS="Swift refused the upload: the project's storage quota is full (HTTP 413). Fix: raise the project's Swift quota, or keep fewer full backups (schedule.keepFull) and run again."
      ;;
    *" 507 "* | *"Insufficient Storage"*)
      FAILURE_CLASS=insufficient-storage
      FAILURE_WORDS="Swift has no disk space left on its storage nodes (HTTP 507 Insufficient Storage): the cloud itself is full, not your quota. Fix: tell the cloud's operator; the backup retries on the next run."
      ;;
    *CERTIFICATE_VERIFY_FAILED* | *SSLError* | *"SSL: "* | *"certificate verify failed"*)
      FAILURE_CLASS=tls
      FAILURE_WORDS="the TLS connection to Keystone or Swift failed (certificate not trusted, expired, or wrong host name). Fix: check the endpoint's certificate; for a private CA set REQUESTS_CA_BUNDLE in the profile (dupliswift setup --ca-file)."
      ;;
    *" 401 "* | *Unauthorized* | *"HTTP 401"*)
      FAILURE_CLASS=auth
      FAILURE_WORDS="Keystone refused the login (HTTP 401: wrong user, password, project or domain, or an expired password). Fix: check them with dupliswift check and store the right password with dupliswift setup."
      ;;
    *" 403 "* | *Forbidden*)
      FAILURE_CLASS=forbidden
      FAILURE_WORDS="Swift refused access (HTTP 403: the user lacks a role on the project, or the container's ACL forbids it). Fix: give the user the member role on the project, or choose a container it may write."
      ;;
    *" 503 "* | *"Service Unavailable"* | *"HTTP 503"*)
      FAILURE_CLASS=unavailable
      FAILURE_WORDS="Swift or Keystone was unavailable (HTTP 503). Fix: usually passing; the job retried with backoff. If it lasts, check the cloud's status page."
      ;;
    *" 500 "* | *"Internal Server Error"* | *"HTTP 500"* | *" 502 "* | *"Bad Gateway"* | *" 504 "* | *"Gateway Time"*)
      FAILURE_CLASS=server-error
      FAILURE_WORDS="Keystone or Swift answered with a server error (HTTP 5xx). Fix: usually passing; the job retried with backoff. If it lasts, check the cloud's status."
      ;;
    *"Connection reset"* | *RemoteDisconnected* | *"Remote end closed"* | *ConnectionError* | *"Connection aborted"* | *"Connection refused"* | *"Max retries exceeded"* | *"timed out"* | *ProtocolError* | *ChunkedEncodingError* | *"IncompleteRead"* | *"Broken pipe"* | *BrokenPipe*)
      FAILURE_CLASS=network
      FAILURE_WORDS="the connection to Keystone or Swift failed (refused, reset or cut off). Fix: check that the auth URL answers from this machine (dupliswift check); a passing network fault is retried."
      ;;
    *JSONDecodeError* | *"Expecting value"* | *"Unterminated string"* | *"Expecting property name"*)
      FAILURE_CLASS=garbage
      FAILURE_WORDS="Keystone or Swift answered with something that is not valid JSON (a proxy's error page or a broken response). Fix: check the auth URL (dupliswift check); a passing fault is retried."
      ;;
  esac
}

# Transient classes are worth another try of the whole step; the others need a person.
transient_failure() {
  case $FAILURE_CLASS in unavailable | server-error | network | garbage | corrupt-upload | stalled) return 0 ;; esac
  return 1
}

# Runs a duplicity step, again after a transient failure: RETRY_ATTEMPTS tries in all, waiting
# RETRY_DELAY seconds, doubled each time (duplicity's own --num-retries covers single requests;
# this covers a whole Keystone or Swift outage of a few minutes). The wait is interruptible.
run_step() {
  local what=$1 attempt=1 delay=$RETRY_DELAY rc nap tokens=0
  while :; do
    rc=0
    run_logged "$what" "${@:2}" || rc=$?
    [ "$rc" != 0 ] || { FAILURE_CLASS=''; return 0; }
    # The token ran out under a long step: a new one, and the step again (at most 5 new tokens).
    if token_expired && [ "$tokens" -lt 5 ]; then
      tokens=$((tokens + 1))
      log "$what: the token expired during the run (exit $rc); getting a new one and running again (duplicity resumes where it stopped)"
      authenticate
      continue
    fi
    classify_failure "$rc"
    [ -z "$FAILURE_CLASS" ] || log "FAILURE ($FAILURE_CLASS): $FAILURE_WORDS"
    if [ "$attempt" -ge "$RETRY_ATTEMPTS" ] || ! transient_failure; then break; fi
    log "$what: a passing fault ($FAILURE_CLASS); trying again in $delay s (attempt $((attempt + 1)) of $RETRY_ATTEMPTS)"
    /bin/sleep "$delay" &
    nap=$!
    wait "$nap" || true
    delay=$((delay * 2))
    attempt=$((attempt + 1))
  done
  FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: $JOB failed in $what (exit $rc)${FAILURE_CLASS:+ after $attempt attempt(s): $FAILURE_WORDS}"
  return "$rc"
}

# Before duplicity starts: does Keystone answer at all, within NET_TIMEOUT seconds? (duplicity's
# HTTP calls have no timeout: a Keystone that accepts and never answers would hold each request until
# the watchdog.) No secret is sent: this is the unauthenticated version document. Retried like a step.
keystone_answers() {
  [ -n "$CURL" ] && [ -n "${SWIFT_AUTHURL:-}" ] || return 0
  local ca=() out code cerr why attempt=1 delay=$RETRY_DELAY nap
  [ -z "${REQUESTS_CA_BUNDLE:-}" ] || ca=(--cacert "$REQUESTS_CA_BUNDLE")
  while :; do
    cerr=0
    # No file for curl's message: this must work on a full disk too.
    out=$("$CURL" -sS -o /dev/null -w '\n%{http_code}' --connect-timeout "$NET_TIMEOUT" -m "$NET_TIMEOUT" "${ca[@]}" "$SWIFT_AUTHURL" 2>&1) || cerr=$?
    code=${out##*$'\n'}
    case $cerr:$code in
      0:[234]??) return 0 ;;
    esac
    why=${out%%$'\n'*}
    why=${why#curl: }
    case $cerr:$code in
      28:*) FAILURE_CLASS=network FAILURE_WORDS="Keystone at $SWIFT_AUTHURL did not answer within $NET_TIMEOUT s (it accepts connections but never replies, or the network drops them). Fix: check Keystone's status; a passing fault is retried." ;;
      7:* | 6:* | 56:* | 52:*) FAILURE_CLASS=network FAILURE_WORDS="cannot reach Keystone at $SWIFT_AUTHURL (curl: $why). Fix: check the auth URL and the network (dupliswift check); a passing fault is retried." ;;
      35:* | 51:* | 58:* | 60:* | 77:* | 83:* | 90:* | 91:*) FAILURE_CLASS=tls FAILURE_WORDS="the TLS connection to Keystone at $SWIFT_AUTHURL failed (curl: $why). Fix: check the endpoint's certificate; for a private CA set REQUESTS_CA_BUNDLE (dupliswift setup --ca-file)." ;;
      0:503) FAILURE_CLASS=unavailable FAILURE_WORDS="Keystone at $SWIFT_AUTHURL was unavailable (HTTP 503). Fix: usually passing; the job retried with backoff." ;;
      0:5??) FAILURE_CLASS=server-error FAILURE_WORDS="Keystone at $SWIFT_AUTHURL answered HTTP $code (a server error). Fix: usually passing; the job retried with backoff. If it lasts, check Keystone's logs." ;;
      *) FAILURE_CLASS=network FAILURE_WORDS="Keystone at $SWIFT_AUTHURL did not answer as expected (curl exit $cerr, HTTP $code). Fix: check the auth URL (dupliswift check)." ;;
    esac
    log "FAILURE ($FAILURE_CLASS): $FAILURE_WORDS"
    if [ "$attempt" -ge "$RETRY_ATTEMPTS" ] || ! transient_failure; then break; fi
    log "Keystone: a passing fault ($FAILURE_CLASS); trying again in $delay s (attempt $((attempt + 1)) of $RETRY_ATTEMPTS)"
    /bin/sleep "$delay" &
    nap=$!
    wait "$nap" || true
    delay=$((delay * 2))
    attempt=$((attempt + 1))
  done
  FAIL_NOTE="dupliswift $PROFILE on $HOSTNAME: $JOB failed before duplicity started, after $attempt attempt(s): $FAILURE_WORDS"
  return 38
}
