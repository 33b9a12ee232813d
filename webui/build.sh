#!/usr/bin/env bash
# Builds the web console into webui/dist (npm ci + esbuild). Idempotent:
# does nothing when the sources and the lock file are unchanged since the
# last build. The Go build embeds whatever dist/ holds; without a build the
# console answers 503.
set -euo pipefail
cd "$(dirname "$0")"

stamp_of() {
  { sha256sum package.json package-lock.json build.mjs; find src -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1
}

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.spoor-lock || "$(cat node_modules/.spoor-lock)" != "$lock_hash" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.spoor-lock
fi

stamp=$(stamp_of)
if [[ -f dist/index.html && -f dist/.stamp && "$(cat dist/.stamp)" == "$stamp" ]]; then
  echo "webui: up to date"
  exit 0
fi
node build.mjs
echo "$stamp" > dist/.stamp
echo "webui: built into $(pwd)/dist"
