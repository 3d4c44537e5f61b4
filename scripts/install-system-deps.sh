#!/usr/bin/env bash
# Installs, from Debian's archive, the system packages dupliswift needs.
#   scripts/install-system-deps.sh          what the wizard and the backup job need on a server
#   scripts/install-system-deps.sh --test   plus what the test suite needs: a local Keystone + Swift
#                                           (the try-out stack), tmux, a Secret Service for the keyring,
#                                           PostgreSQL 15, MariaDB and sqlite3 (the tests start their own instances)
# Safe to run again: apt is called only for what is missing.
set -euo pipefail

# curl and ca-certificates: start.sh fetches npm packages (and a Node where the machine has none
# that fits) over https; the job pings health-check URLs with curl.
runtime=(gnupg duplicity python3-swiftclient python3-keystoneclient cron libsecret-1-0 dbus curl ca-certificates)
testing=(
  tmux curl gnome-keyring libsecret-tools util-linux
  keystone python3-keystonemiddleware swift swift-proxy swift-account swift-container swift-object
  uwsgi-core uwsgi-plugin-python3 python3-openstackclient systemd openssl shellcheck strace debootstrap
  prometheus python3-prometheus-client
  postgresql-15 mariadb-server sqlite3
)

pkgs=("${runtime[@]}")
[ "${1:-}" = "--test" ] && pkgs+=("${testing[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present" >&2
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Fix: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

# Package install scripts would start keystone, swift and rsyslog on the ports our stack uses;
# a policy-rc.d that says 101 stops that. An existing one is left as it is.
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
echo "system packages: installing ${missing[*]}" >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed" >&2
