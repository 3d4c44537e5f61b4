# backup.sh: secrets (a part of the job template; see backup.sh)
# Secrets, read at run time into plain shell variables: never exported to the job's own children (curl,
# mail and the MTA it starts, flock, a gpg-agent), never echoed, never in argv. duplicity alone gets
# them, in its environment, for its run only: duplicity_with_secrets.
# Whatever the caller's environment held under these names is dropped, not passed on.
PASSPHRASE='' SIGN_PASSPHRASE='' SWIFT_PASSWORD=''
export -n PASSPHRASE SIGN_PASSPHRASE SWIFT_PASSWORD

read_secrets() {
  local pair file value mode
  for pair in encrypt-passphrase:PASSPHRASE sign-passphrase:SIGN_PASSPHRASE swift-password:SWIFT_PASSWORD; do
    if [ "$SECRETS_KIND" = keyring ]; then
      # Needs an unlocked keyring in this session: a cron job cannot unlock a login keyring.
      value=$("$SECRET_TOOL" lookup service "dupliswift:$PROFILE" account "${pair%%:*}" </dev/null) ||
        die "the keyring did not give ${pair%%:*} (locked? a cron job cannot unlock a login keyring)"
    else
      # One 0600 file per value, read whole (newlines kept).
      file=$SECRETS_DIR/${pair%%:*}
      [ -r "$file" ] || die "cannot read the secret $file; run dupliswift setup again to store it"
      mode=$(/usr/bin/stat -c %a "$file")
      case $mode in 600 | 400) ;; *) die "$file has mode $mode; secrets must be 0600 (chmod 600 $file)" ;; esac
      value=''
      IFS= read -r -d '' value <"$file" || true
    fi
    printf -v "${pair#*:}" '%s' "$value"
  done
}

# duplicity gets the secrets in its environment for its run only: run.sh starts every duplicity as
# `( export_secrets; exec setsid duplicity ... ) &`, a subshell that becomes duplicity. Never call
# export_secrets in the job's own shell.
export_secrets() {
  export PASSPHRASE SIGN_PASSPHRASE SWIFT_PASSWORD
  # An application credential's token (auth.sh): only then, since duplicity skips its login when
  # SWIFT_PREAUTHURL and SWIFT_PREAUTHTOKEN are set at all.
  if [ "$AUTH_TYPE" = v3applicationcredential ]; then export SWIFT_PREAUTHTOKEN OS_AUTH_TOKEN SWIFT_PREAUTHURL OS_STORAGE_URL; fi
}

# duplicity's gpg would start a gpg-agent that outlives the job, carrying the environment it was
# started with: start it first, from the job's shell, where no secret is exported.
launch_gpg_agent() {
  [ -x /usr/bin/gpgconf ] || return 0
  /usr/bin/gpgconf --launch gpg-agent </dev/null >/dev/null 2>&1 || true
}
