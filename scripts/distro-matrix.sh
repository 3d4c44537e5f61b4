#!/usr/bin/env bash
# The distro matrix: each variant in a fresh chroot made with debootstrap from Debian's archive (nothing
# but apt inside), all in parallel, against this machine's loopback Keystone + Swift (a chroot shares
# the network). Inside, scripts/distro-matrix/in-chroot.sh does what a new user does.
#   sudo bash scripts/distro-matrix.sh [VARIANT...]
#     bookworm             Debian 12: duplicity 0.8.22, GnuPG 2.2, Python 3.11, no Node >= 20; then duplicity
#                          is upgraded to 2.1.4 (bookworm-backports) under the job, with no new setup
#     bookworm-backports   Debian 12 with duplicity 2.1.4 from bookworm-backports, standing in for
#                          Ubuntu 24.04 (same duplicity; its archive is not reachable here)
#     trixie               Debian 13: duplicity 3.0.4, GnuPG 2.4, Python 3.13
# Needs the OS_* variables of the stack (as test-all.sh has them) or a running stack.
# Speed-ups only, never required (delete them at will): $DUPLISWIFT_MATRIX_CACHE (default
# /var/cache/dupliswift-matrix) keeps each suite's debootstrap result as a tarball, and apt's and npm's
# download caches. Each chroot is unmounted and deleted at the end, also on failure.
# shellcheck disable=SC2317 # teardown and cleanup run from the EXIT trap
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$(date +%s)
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(bookworm bookworm-backports trixie)
cache=${DUPLISWIFT_MATRIX_CACHE:-/var/cache/dupliswift-matrix}
mirror=http://deb.debian.org/debian

[ "$(id -u)" = 0 ] || { echo "distro matrix: needs root (chroot, mount). Fix: sudo bash $0" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "distro matrix: debootstrap is missing. Fix: apt-get install debootstrap" >&2; exit 1; }
if [ -z "${OS_AUTH_URL:-}" ] || [ -z "${OS_PASSWORD:-}" ]; then eval "$(bash scripts/stack/up.sh)"; fi
mkdir -p "$cache"
work=$(mktemp -d /var/tmp/dupliswift-matrix.XXXXXX)

# Everything mounted under a root, deepest first.
mounts_under() { findmnt -rn -o TARGET | awk -v r="$1" 'index($0, r "/") == 1' | sort -r; }

# Ids of the processes running inside a root (a gpg-agent, a dirmngr: started by this run).
pids_in() { local p; for p in /proc/[0-9]*; do [ "$(readlink "$p/root" 2>/dev/null)" != "$1" ] || echo "${p#/proc/}"; done; }

teardown() {
  local root=$1 pid m
  for pid in $(pids_in "$root"); do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in $(pids_in "$root"); do kill -9 "$pid" 2>/dev/null || true; done
  for m in $(mounts_under "$root"); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  # Never delete through a mount that is still bound.
  if [ -n "$(mounts_under "$root")" ]; then echo "distro matrix: $root still has mounts; left in place" >&2; return 1; fi
  rm -rf --one-file-system "$root"
}

cleanup() {
  local rc=$? d
  set +e
  for d in "$work"/*/root; do if [ -d "$d" ]; then teardown "$d"; fi; done
  if [ -z "$(mounts_under "$work")" ]; then rm -rf --one-file-system "$work"; else echo "distro matrix: mounts left under $work" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh minbase root of SUITE in DIR: from the cached tarball when there is one (a speed-up), else
# debootstrap from Debian's archive (and the tarball is kept for next time).
base_root() {
  local suite=$1 dir=$2
  local tarball="$cache/$suite-minbase.tar"
  mkdir -p "$dir"
  # One debootstrap per suite at a time: a second variant of the same suite waits and unpacks its result.
  exec {lock}>>"$cache/$suite.lock"
  flock "$lock"
  if [ -s "$tarball" ] && tar -xpf "$tarball" -C "$dir" 2>/dev/null; then
    flock -u "$lock"
    echo "base: $suite from the cached tarball"
    return
  fi
  rm -rf --one-file-system "$dir" && mkdir -p "$dir"
  debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 ||
    { flock -u "$lock"; tail -n 20 "$dir.debootstrap.log"; return 1; }
  if tar -cpf "$tarball.$BASHPID" -C "$dir" .; then mv -f "$tarball.$BASHPID" "$tarball"; else rm -f "$tarball.$BASHPID"; fi
  flock -u "$lock"
  echo "base: $suite from debootstrap"
}

run_variant() {
  local variant=$1 suite root container
  case $variant in bookworm|bookworm-backports) suite=bookworm ;; trixie) suite=trixie ;; *) echo "unknown variant $variant" >&2; return 2 ;; esac
  root="$work/$variant/root"
  base_root "$suite" "$root"
  # As a fresh server: no service starts on install; this machine's CA certificates (the registries are
  # reached through them) go where update-ca-certificates takes them when ca-certificates is installed.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount --bind /dev/pts "$root/dev/pts"
  mkdir -p "$cache/apt-$variant" "$cache/npm" "$root/root/.npm/_cacache"
  mount --bind "$cache/apt-$variant" "$root/var/cache/apt/archives"
  mount --bind "$cache/npm" "$root/root/.npm/_cacache"
  # The user's step: a clone of this repository (its committed HEAD).
  git clone -q "$repo" "$root/root/dupliswift"
  container="dsw-matrix-$variant-$BASHPID-$(date +%s)"
  ( umask 077
    for v in OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_USER_DOMAIN_NAME OS_PROJECT_NAME OS_PROJECT_DOMAIN_NAME OS_REGION_NAME OS_IDENTITY_API_VERSION OS_INTERFACE; do
      printf 'export %s=%q\n' "$v" "${!v:-}"
    done
    printf 'export DUPLISWIFT_ENCRYPT_PASSPHRASE=%q DUPLISWIFT_SIGN_PASSPHRASE=%q MATRIX_CONTAINER=%q\n' \
      "matrix-enc-$RANDOM$RANDOM$RANDOM" "matrix-sign-$RANDOM$RANDOM$RANDOM" "$container"
  ) >"$root/root/matrix-secrets.env"
  local rc=0
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt ${npm_config_registry:+npm_config_registry=$npm_config_registry} \
    /bin/bash /root/dupliswift/scripts/distro-matrix/in-chroot.sh "$variant" || rc=$?
  # The container is ours; delete it with the host's client whatever happened.
  swift --auth-version 3 delete "$container" >/dev/null 2>&1 || true
  return "$rc"
}

declare -A pids
for variant in "${variants[@]}"; do
  mkdir -p "$work/$variant"
  # Each variant also unmounts and deletes its own chroot when done (in parallel); the EXIT trap is the
  # fallback for whatever is left, also on failure or Ctrl-C.
  ( started_v=$(date +%s); rc=0; run_variant "$variant" || rc=$?
    echo "== $variant: exit $rc after $(( $(date +%s) - started_v )) s"
    teardown "$work/$variant/root" || true
    exit "$rc" ) >"$work/$variant.log" 2>&1 &
  pids[$variant]=$!
done

status=0
summary=()
for variant in "${variants[@]}"; do
  rc=0; wait "${pids[$variant]}" || rc=$?
  sed "s/^/[$variant] /" "$work/$variant.log" >&2
  summary+=("$variant $([ "$rc" = 0 ] && echo ok || echo "FAILED ($rc)")")
  [ "$rc" = 0 ] || status=1
done
joined=$(printf '%s, ' "${summary[@]}")
echo "distros: ${joined%, } in $(( $(date +%s) - started )) s" >&2
exit "$status"
