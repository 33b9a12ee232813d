#!/usr/bin/env bash
# Builds the OpenTofu CLI pinned in terraform/tools/go.mod into a git-ignored
# directory and prints its path. Idempotent: a binary already built from the
# same go.mod/go.sum is reused. The first build takes minutes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out_dir=${SPOOR_TOFU_DIR:-$root/.cache/tofu}

# A release build: without this, tofu calls itself 1.12.6-dev.
ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
# The stamp ties the binary to the pinned versions and flags, so bumping the
# pin rebuilds.
stamp=$( (cat "$here/go.mod" "$here/go.sum"; echo "$ldflags") | sha256sum | cut -c1-16)
bin=$out_dir/tofu-$stamp

if [[ ! -x $bin ]]; then
	mkdir -p "$out_dir"
	echo "build-tofu: building OpenTofu into $bin (first build takes minutes)" >&2
	(cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin.tmp" github.com/opentofu/opentofu/cmd/tofu)
	mv "$bin.tmp" "$bin"
fi
# Older builds are kept out of the way, not deleted: another run may use one.
ln -sfn "$(basename "$bin")" "$out_dir/tofu"
echo "$out_dir/tofu"
