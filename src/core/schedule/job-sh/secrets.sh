# backup.sh: secrets (a part of the job template; see backup.sh)
# Secrets, read at run time into duplicity's variables, never echoed or put in argv.
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
    export "${pair#*:}=$value"
  done
}
