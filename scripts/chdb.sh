#!/usr/bin/env bash
# Fetches libchdb.so, the in-process ClickHouse engine behind Spoor's
# embedded store, from the npm package @chdb/lib-linux-x64-gnu into
# .cache/chdb/<version>/package/ (git-ignored: the library is ~560 MB
# unpacked and must never be committed) and prints its path. Idempotent:
# an already unpacked library is reused without touching the network.
#
#   export CHDB_LIB_PATH="$(bash scripts/chdb.sh)"
#
# The store's tests find the library at that default path without the
# variable. CHDB_NPM_VERSION overrides the package version.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${CHDB_NPM_VERSION:-26.5.3}"
pkg="@chdb/lib-linux-x64-gnu"
dir="$PWD/.cache/chdb/$version"
lib="$dir/package/libchdb.so"

if [ ! -s "$lib" ]; then
  command -v npm >/dev/null || { echo "chdb: npm is not installed (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$PWD/.cache"
  tmp="$(mktemp -d "$PWD/.cache/chdb-fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "chdb: fetching $pkg@$version (~166 MB download) ..." >&2
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  mkdir "$tmp/unpacked"
  tar -xzf "$tmp"/*.tgz -C "$tmp/unpacked"
  found="$(find "$tmp/unpacked" -name libchdb.so -type f | head -n 1)"
  [ -n "$found" ] || { echo "chdb: libchdb.so not found in $pkg@$version" >&2; exit 1; }
  # Only the library is kept, at a fixed place in the version's directory,
  # moved in whole so an interrupted run leaves nothing half-written.
  mkdir -p "$tmp/final/package"
  mv "$found" "$tmp/final/package/libchdb.so"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp/final" "$dir"
fi
echo "$lib"
