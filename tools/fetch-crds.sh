#!/usr/bin/env bash
# Fetches the pinned operator CRDs (tools/crds.env) from their Go modules through the
# Go module proxy and copies them into a cache directory outside the repo.
# Prints the absolute path of each CRD file, one per line, on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=crds.env
. "$here/crds.env"
cache="${CDK8S_MS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-microservices/tools}/crds"
mkdir -p "$cache"

fetch() { # module version files...
  local module=$1 version=$2; shift 2
  local dest="$cache/$(basename "$module")-$version"
  if [ ! -d "$dest" ]; then
    echo "[crds] downloading $module@$version through the Go module proxy" >&2
    local dir
    if ! dir=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); then
      echo "[crds] could not download $module@$version: check GOPROXY and the version in tools/crds.env" >&2
      exit 1
    fi
    mkdir -p "$dest.tmp"
    for f in "$@"; do
      if [ ! -f "$dir/$f" ]; then
        echo "[crds] $module@$version has no $f: the layout changed; update tools/crds.env" >&2
        exit 1
      fi
      cp "$dir/$f" "$dest.tmp/"
    done
    mv "$dest.tmp" "$dest"
  fi
  for f in "$@"; do echo "$dest/$(basename "$f")"; done
}

# shellcheck disable=SC2086
fetch "$EXTERNAL_SECRETS_MODULE" "$EXTERNAL_SECRETS_VERSION" $EXTERNAL_SECRETS_CRDS
# shellcheck disable=SC2086
fetch "$SEALED_SECRETS_MODULE" "$SEALED_SECRETS_VERSION" $SEALED_SECRETS_CRDS
