#!/usr/bin/env bash
# Fetches mbedTLS from Debian's source package (2.28.x LTS in bookworm) and unpacks it with Debian's
# patches applied into build/third_party/mbedtls (ignored by git: third-party sources are never
# committed). Idempotent: does nothing when the tree is there. Prints the path of the tree.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/build/third_party"
tree="$dest/mbedtls"
if [ -f "$tree/include/mbedtls/ecdsa.h" ]; then echo "$tree"; exit 0; fi
for tool in apt-get dpkg-source; do
  command -v "$tool" >/dev/null || { echo "get-mbedtls: $tool not found: this needs a Debian system (apt-get install dpkg-dev)" >&2; exit 2; }
done
mkdir -p "$dest/src"
# one fetch at a time: test files that build the bootloader may run in parallel
if command -v flock >/dev/null; then
  exec 9>"$dest/.lock"
  flock 9
  if [ -f "$tree/include/mbedtls/ecdsa.h" ]; then echo "$tree"; exit 0; fi
fi
cd "$dest/src"
if ! ls mbedtls_*.dsc >/dev/null 2>&1; then
  if ! apt-get source --download-only mbedtls >apt-source.log 2>&1; then
    cat apt-source.log >&2
    echo "get-mbedtls: apt-get source failed. apt needs a deb-src entry: copy the 'Types: deb' stanzas of /etc/apt/sources.list.d/debian.sources with 'Types: deb-src' into /etc/apt/sources.list.d/debian-src.sources, then run apt-get update (.ci/run does this)" >&2
    exit 2
  fi
fi
dsc="$(ls mbedtls_*.dsc | head -n1)"
tmp="$(mktemp -d "$dest/unpack.XXXXXX")"
dpkg-source -x "$dsc" "$tmp/mbedtls" >/dev/null
mv -T "$tmp/mbedtls" "$tree" 2>/dev/null || [ -f "$tree/include/mbedtls/ecdsa.h" ]
rm -rf "$tmp"
echo "$tree"
