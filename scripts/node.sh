# Sourced by start.sh and test-all.sh: puts a Node and an npm that can run dupliswift first on PATH.
#
# dupliswift's stack (ink 6, vitest 4, ...) needs Node >= 20, and its lock file needs npm >= 11 (npm 9
# and 10.9 refuse it: "Missing: esbuild@0.28.2 from lock file", vite's optional peer, which npm 11 leaves
# out). Debian 12 and Ubuntu 24.04 ship Node 18, Debian 13 Node 20.19, and all three npm 9 (whose
# Debian package alone pulls ~400 packages). So:
#   - a machine Node >= 20 with an npm >= 11 (NodeSource, nvm, a newer distribution) is used as it is;
#   - otherwise the pinned Node and npm below are fetched from the npm registry (the packages
#     node-linux-<arch> and npm, the same binaries `npx node@22` runs), checked against the sha512
#     pinned here, and unpacked into /usr/local/lib/dupliswift/. Nothing else is installed or changed.
# The backup job never needs any of this: it is bash and duplicity.
NODE_PIN=22.23.5
NPM_PIN=11.19.1
NPM_PIN_INTEGRITY=sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g==
declare -A NODE_PIN_INTEGRITY=(
  [x64]=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==
  [arm64]=sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==
)
NODE_HOME=/usr/local/lib/dupliswift/node-$NODE_PIN-npm-$NPM_PIN
NPM_REGISTRY=${npm_config_registry:-https://registry.npmjs.org}
NPM_REGISTRY=${NPM_REGISTRY%/}

# The major version of a program's --version (v20.19.2 -> 20; 10.9.9 -> 10), or 0.
major_of() { local v; v=$("$@" --version 2>/dev/null) || { echo 0; return; }; v=${v#v}; echo "${v%%.*}"; }

# Downloads one package tarball from the registry and checks it against an npm integrity string.
fetch_package() {
  local name=$1 version=$2 integrity=$3 out=$4 want got
  curl -fsSL --retry 3 -o "$out" "$NPM_REGISTRY/$name/-/${name##*/}-$version.tgz" ||
    { echo "Could not download $name@$version from $NPM_REGISTRY." >&2; return 1; }
  want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  got=$(sha512sum "$out" | cut -d' ' -f1)
  [ "$want" = "$got" ] || { echo "$name@$version from $NPM_REGISTRY does not match the pinned sha512; nothing installed." >&2; return 1; }
}

install_pinned_node() {
  local arch tmp
  case $(uname -m) in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "No pinned Node for $(uname -m); install Node >= 20 with npm >= 11, then run this again." >&2; return 1 ;; esac
  if [ "$(id -u)" != 0 ]; then
    echo "Node >= 20 with npm >= 11 is missing. Fix: sudo bash $0 (it brings Node $NODE_PIN into $NODE_HOME)" >&2
    return 1
  fi
  echo "node: fetching Node $NODE_PIN and npm $NPM_PIN from $NPM_REGISTRY into $NODE_HOME" >&2
  mkdir -p "${NODE_HOME%/*}"
  tmp=$(mktemp -d "${NODE_HOME%/*}/.tmp.XXXXXX")
  if ! { fetch_package "node-linux-$arch" "$NODE_PIN" "${NODE_PIN_INTEGRITY[$arch]}" "$tmp/node.tgz" &&
         fetch_package npm "$NPM_PIN" "$NPM_PIN_INTEGRITY" "$tmp/npm.tgz" &&
         mkdir -p "$tmp/home/npm" &&
         tar -xzf "$tmp/node.tgz" -C "$tmp/home" --strip-components=1 &&
         tar -xzf "$tmp/npm.tgz" -C "$tmp/home/npm" --strip-components=1; }; then
    rm -rf "$tmp"; return 1
  fi
  # npm and npx run on the pinned node, whatever else is on PATH.
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/npm/bin/npm-cli.js" "$@"\n' "$NODE_HOME" "$NODE_HOME" >"$tmp/home/bin/npm"
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/npm/bin/npx-cli.js" "$@"\n' "$NODE_HOME" "$NODE_HOME" >"$tmp/home/bin/npx"
  chmod 0755 "$tmp/home/bin/npm" "$tmp/home/bin/npx"
  rm -rf "$NODE_HOME"
  mv "$tmp/home" "$NODE_HOME"
  rm -rf "$tmp"
}

# Sets PATH so that `node`, `npm` and `npx` are ones that can run dupliswift; NODE is the node's path.
use_node() {
  if [ -x "$NODE_HOME/bin/node" ]; then export PATH="$NODE_HOME/bin:$PATH"
  elif [ "$(major_of node)" -lt 20 ] || [ "$(major_of npm)" -lt 11 ]; then
    install_pinned_node || return 1
    export PATH="$NODE_HOME/bin:$PATH"
  fi
  NODE=$(command -v node)
  echo "node: $NODE $(node --version), npm $(npm --version)" >&2
}

# /usr/local/bin/dupliswift, so the tool starts with this Node whatever `node` is on PATH. Written only
# as root, and only over a launcher of ours (an unrelated file of that name is left alone, with a note).
install_launcher() {
  local launcher=/usr/local/bin/dupliswift marker='# dupliswift launcher, written by scripts/start.sh'
  [ "$(id -u)" = 0 ] || return 0
  if [ -e "$launcher" ] && ! grep -qF "$marker" "$launcher" 2>/dev/null; then
    echo "note: $launcher exists and is not ours; left as it is (run: $NODE $PWD/bin/dupliswift.js)" >&2
    return 0
  fi
  local text
  text=$(printf '#!/bin/sh\n%s\nexec %q %q "$@"\n' "$marker" "$NODE" "$PWD/bin/dupliswift.js")
  if [ "$(cat "$launcher" 2>/dev/null)" != "$text" ]; then
    printf '%s\n' "$text" >"$launcher.tmp.$$" && chmod 0755 "$launcher.tmp.$$" && mv -f "$launcher.tmp.$$" "$launcher"
  fi
}
