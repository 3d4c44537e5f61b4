#!/usr/bin/env bash
# Runs inside one fresh chroot of scripts/distro-matrix.sh, from a clone of the repository, as a new
# user would: the README's first command, a non-interactive setup, the job under cron's bare
# environment (full, incremental, retention), its restore, `dupliswift restore --profile`, a
# bare-machine restore, the drill; for the upgrade variant the same job again after duplicity is
# upgraded under it. Every restore is compared byte for byte with the data backed up.
#   in-chroot.sh VARIANT        (bookworm, bookworm-backports, trixie; bookworm also upgrades)
# Reads the OpenStack login and the key passphrases from /root/matrix-secrets.env (0600).
set -euo pipefail
variant=$1
cd "$(dirname "$0")/../.."
t0=$(date +%s)
step() { printf '== [%s %4ss] %s\n' "$variant" "$(( $(date +%s) - t0 ))" "$*"; }
fail() { printf '== [%s] FAILED: %s\n' "$variant" "$*" >&2; exit 1; }
# shellcheck source=/dev/null
. /root/matrix-secrets.env
container=$MATRIX_CONTAINER
export DEBIAN_FRONTEND=noninteractive

backports() {
  echo 'deb http://deb.debian.org/debian bookworm-backports main' >/etc/apt/sources.list.d/bookworm-backports.list
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -t bookworm-backports duplicity >/dev/null
}

if [ "$variant" = bookworm-backports ]; then
  step "duplicity from bookworm-backports (as Ubuntu 24.04 ships it)"
  backports
fi

step "the README's first command: bash scripts/start.sh --version"
bash scripts/start.sh --version >/root/start.out 2>/root/start.err || { tail -n 30 /root/start.err; fail "start.sh --version failed"; }
version=$(cat /root/start.out)
grep -v '^npm \(warn\|notice\)' /root/start.err || true
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { cat -A /root/start.out; fail "start.sh --version printed more than the version"; }
step "dupliswift $version"
command -v dupliswift >/dev/null || fail "start.sh left no dupliswift command"
dupliswift doctor --json >/root/doctor.json || { cat /root/doctor.json; fail "doctor says this machine is not ready"; }
duplicity_version=$(duplicity --version | sed -n 's/^duplicity \([0-9.]*\).*/\1/p')
step "doctor ok; duplicity $duplicity_version, $(gpg --version | head -n1), $(python3 --version), node $(dupliswift --version >/dev/null && "$(sed -n 's/^exec \([^ ]*\) .*/\1/p' /usr/local/bin/dupliswift)" --version)"

# The data: nested folders, a binary file, a name with spaces and non-ASCII letters.
mkdir -p "/srv/data/etc/app" "/srv/data/home/ünï côde" /srv/data/tmp
printf 'listen 80;\n' >/srv/data/etc/app/site.conf
head -c 300000 /dev/urandom >/srv/data/home/blob.bin
printf 'notes\n' >"/srv/data/home/ünï côde/notes.txt"
printf 'scratch\n' >/srv/data/tmp/excluded.txt

step "keys generate"
dupliswift keys generate --name "matrix $variant" --email matrix@example.invalid --export-dir /root/keys --json >/root/keys.json
encrypt=$(python3 -c 'import json; print(json.load(open("/root/keys.json"))["encryptKey"])')
sign=$(python3 -c 'import json; print(json.load(open("/root/keys.json"))["signKey"])')

cat >/root/answers.json <<JSON
{
  "profile": "matrix", "source": "/srv/data", "exclude": ["/srv/data/tmp"], "gnupgHome": "/root/.gnupg",
  "keys": { "encrypt": "$encrypt", "sign": "$sign" },
  "openstack": { "authUrl": "$OS_AUTH_URL", "username": "$OS_USERNAME", "userDomain": "$OS_USER_DOMAIN_NAME",
                 "project": "$OS_PROJECT_NAME", "projectDomain": "$OS_PROJECT_DOMAIN_NAME", "region": "$OS_REGION_NAME", "interface": "public" },
  "container": "$container", "createContainer": true,
  "schedule": { "cron": "17 3 * * *", "fullEvery": "60s", "keepFull": 1 },
  "secrets": "file", "install": "crontab", "firstRun": false
}
JSON
step "setup --answers /root/answers.json --yes --json"
dupliswift setup --answers /root/answers.json --yes --json >/root/setup.json || fail "setup failed"
job=$(python3 -c 'import json; print(json.load(open("/root/setup.json"))["script"])')
crontab -l | grep -qF "$job # dupliswift:matrix" || fail "no crontab line for the job"
# From here on no secret is in the environment: the job and the restores read the profile's files.
unset OS_PASSWORD DUPLISWIFT_ENCRYPT_PASSPHRASE DUPLISWIFT_SIGN_PASSPHRASE

# As cron starts it: no environment but PATH, no terminal, its own session.
cronrun() { /usr/bin/setsid -w /usr/bin/env -i PATH=/usr/bin:/bin /bin/bash "$job" "$@" </dev/null; }
chains() { cronrun status | grep -cE "^ +$1 " || true; }
same() { diff -r --no-dereference -x tmp "/srv/data" "$1" >/dev/null || fail "$1 differs from /srv/data"; }

full_at=$(date +%s)
step "job: full backup"
cronrun || fail "the full backup failed: $(tail -n 20 "${job%/*}/backup.log")"
printf 'more notes\n' >>"/srv/data/home/ünï côde/notes.txt"
step "job: incremental backup"
cronrun || fail "the incremental backup failed"
[ "$(chains Full)/$(chains Incremental)" = 1/1 ] || fail "expected one full and one incremental: $(cronrun status)"
sleep $(( full_at + 62 - $(date +%s) > 0 ? full_at + 62 - $(date +%s) : 0 ))
printf 'listen 8080;\n' >/srv/data/etc/app/site.conf
step "job: a new full backup; retention (keepFull 1) removes the old chain"
cronrun || fail "the second full backup failed"
[ "$(chains Full)/$(chains Incremental)" = 1/0 ] || fail "retention kept more than one chain: $(cronrun status)"

restores() {
  local tag=$1
  step "backup.sh restore ($tag)"
  cronrun restore . "/root/r-script-$tag" || fail "backup.sh restore . failed"
  same "/root/r-script-$tag"
  cronrun restore "home/ünï côde/notes.txt" "/root/r-one-$tag" || fail "backup.sh restore of one file failed"
  cmp -s "/root/r-one-$tag" "/srv/data/home/ünï côde/notes.txt" || fail "the one restored file differs"
  step "dupliswift restore --profile matrix ($tag)"
  dupliswift restore --profile matrix --target "/root/r-profile-$tag" --json >/dev/null || fail "dupliswift restore --profile failed"
  same "/root/r-profile-$tag"
  step "drill ($tag)"
  cronrun drill >/dev/null || fail "the drill failed: $(tail -n 5 "${job%/*}/backup.log")"
  tail -n 3 "${job%/*}/backup.log" | grep -q 'restore drill OK' || fail "the drill did not log OK"
}
restores "$duplicity_version"

step "bare-machine restore: only the exported keys and the passwords"
(
  # shellcheck source=/dev/null
  . /root/matrix-secrets.env
  export GNUPGHOME=/root/bare-machine/gnupg HOME=/root/bare-machine
  mkdir -p "$GNUPGHOME" && chmod 0700 "$GNUPGHOME"
  dupliswift keys import /root/keys/*.asc >/dev/null
  dupliswift restore --config-dir /root/bare-machine/config --container "$container" --target /root/r-bare --json >/dev/null
) || fail "the bare-machine restore failed"
same /root/r-bare

if [ "$variant" = bookworm ]; then
  step "duplicity upgraded under the job: bookworm-backports"
  backports
  upgraded=$(duplicity --version | sed -n 's/^duplicity \([0-9.]*\).*/\1/p')
  [ "$upgraded" != "$duplicity_version" ] || fail "duplicity was not upgraded"
  printf 'after the upgrade\n' >/srv/data/home/after-upgrade.txt
  step "job under duplicity $upgraded, no new setup"
  cronrun || fail "the backup after the upgrade failed: $(tail -n 20 "${job%/*}/backup.log")"
  grep -q "duplicity $upgraded (/usr/bin/duplicity); setup saw $duplicity_version" "${job%/*}/backup.log" || fail "the log does not say which duplicity the job found"
  restores "$upgraded"
fi
step "all done"
