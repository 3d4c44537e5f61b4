#!/usr/bin/env bash
# Installs, from Debian's archive, every system package dupliswift's tests and its local OpenStack
# try-out need. Safe to run again: apt skips what is already there.
set -euo pipefail

pkgs=(
  gnupg duplicity python3-swiftclient python3-keystoneclient cron tmux curl
  dbus gnome-keyring libsecret-1-0 libsecret-tools
  keystone python3-keystonemiddleware swift swift-proxy swift-account swift-container swift-object
  uwsgi-core uwsgi-plugin-python3 util-linux python3-openstackclient
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }

if [ "$(id -u)" != 0 ]; then
  echo "Missing packages: ${missing[*]}" >&2
  echo "Run as root, or: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

# Package install scripts would start keystone, swift and rsyslog on the ports our stack uses;
# a policy-rc.d that says 101 stops that. Keep an existing one untouched.
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
