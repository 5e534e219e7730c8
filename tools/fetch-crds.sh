#!/usr/bin/env bash
# Fetches the pinned operator CRDs (tools/crds.env) from their Go modules through the
# Go module proxy and copies them into a cache directory outside the repo.
# Prints the absolute path of each CRD file, one per line, on stdout: the CRDs every
# tested Kubernetes version installs (the conformance harness installs them), and with
# --all also those only `npm run import:crds` needs (see tools/crds.env).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=crds.env
. "$here/crds.env"
all=false
if [ "${1:-}" = "--all" ]; then all=true; elif [ $# -gt 0 ]; then echo "usage: $0 [--all]" >&2; exit 2; fi
cache="${CDK8S_MS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-microservices/tools}/crds"
mkdir -p "$cache"

fetch() { # module version files...
  local module=$1 version=$2; shift 2
  # a major-version suffix (.../argo-cd/v3) is not a name: the directory is named by the element before it
  local name; name=$(basename "$module")
  case $name in v[0-9]*) name=$(basename "$(dirname "$module")") ;; esac
  local dest="$cache/$name-$version"
  local missing=false f
  for f in "$@"; do [ -f "$dest/$(basename "$f")" ] || missing=true; done
  if $missing; then
    echo "[crds] downloading $module@$version through the Go module proxy" >&2
    local json dir zip
    # a module whose go.mod asks for a newer Go than this one is downloaded but not
    # extracted (go mod download reports an Error and no Dir): its files are read from the zip
    json=$(cd "$cache" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "$module@$version" || true)
    dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    zip=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p')
    if [ -z "$dir" ] && { [ -z "$zip" ] || [ ! -f "$zip" ]; }; then
      printf '%s\n' "$json" >&2
      echo "[crds] could not download $module@$version: check GOPROXY and the version in tools/crds.env" >&2
      exit 1
    fi
    if [ -z "$dir" ] && ! command -v unzip >/dev/null; then
      echo "[crds] $module@$version needs a newer Go to extract, and unzip is not installed to read its zip ($zip)" >&2
      exit 1
    fi
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    if [ -d "$dest" ]; then cp "$dest"/* "$dest.tmp/"; fi
    for f in "$@"; do
      if [ -n "$dir" ] && [ -f "$dir/$f" ]; then
        cp "$dir/$f" "$dest.tmp/"
      elif [ -z "$dir" ] && unzip -p "$zip" "$module@$version/$f" > "$dest.tmp/$(basename "$f")" 2>/dev/null; then
        :
      else
        echo "[crds] $module@$version has no $f: the layout changed; update tools/crds.env" >&2
        rm -rf "$dest.tmp"
        exit 1
      fi
    done
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
  fi
  for f in "$@"; do echo "$dest/$(basename "$f")"; done
}

# shellcheck disable=SC2086
fetch "$EXTERNAL_SECRETS_MODULE" "$EXTERNAL_SECRETS_VERSION" $EXTERNAL_SECRETS_CRDS
# shellcheck disable=SC2086
fetch "$SEALED_SECRETS_MODULE" "$SEALED_SECRETS_VERSION" $SEALED_SECRETS_CRDS
# shellcheck disable=SC2086
fetch "$GATEWAY_API_MODULE" "$GATEWAY_API_VERSION" $GATEWAY_API_CRDS
if $all; then
  # shellcheck disable=SC2086
  fetch "$GATEWAY_API_MODULE" "$GATEWAY_API_VERSION" $GATEWAY_API_IMPORT_ONLY_CRDS
fi
# shellcheck disable=SC2086
fetch "$ENVOY_GATEWAY_MODULE" "$ENVOY_GATEWAY_VERSION" $ENVOY_GATEWAY_CRDS
# shellcheck disable=SC2086
fetch "$PROMETHEUS_OPERATOR_MODULE" "$PROMETHEUS_OPERATOR_VERSION" $PROMETHEUS_OPERATOR_CRDS
fetch "$ARGO_ROLLOUTS_MODULE" "$ARGO_ROLLOUTS_VERSION" $ARGO_ROLLOUTS_CRDS

# split: one module file that holds many CRDs, split into one file per CRD named in $3
# (metadata.name <plural>.<group>), written as <group>_<plural>.yaml beside it
split_crds() { # module version file names
  local module=$1 version=$2 file=$3 names=$4
  local bundle dest name missing=false
  dest="$cache/$(basename "$module")-$version"
  for name in $names; do [ -f "$dest/${name#*.}_${name%%.*}.yaml" ] || missing=true; done
  if $missing; then
    bundle=$(fetch "$module" "$version" "$file")
    for name in $names; do
      # a document starts at '---'; it is kept when its metadata.name (two spaces in) is $name
      awk -v want="$name" '
        /^---/ { if (keep) printf "%s", doc; doc = ""; keep = 0; next }
        { doc = doc $0 "\n" }
        $0 == "  name: " want { keep = 1 }
        END { if (keep) printf "%s", doc }' "$bundle" > "$dest/${name#*.}_${name%%.*}.yaml.tmp"
      if ! grep -q "^kind: CustomResourceDefinition" "$dest/${name#*.}_${name%%.*}.yaml.tmp"; then
        echo "[crds] $module@$version: $file holds no CRD named $name; update tools/crds.env" >&2
        rm -f "$dest/${name#*.}_${name%%.*}.yaml.tmp"
        exit 1
      fi
      mv "$dest/${name#*.}_${name%%.*}.yaml.tmp" "$dest/${name#*.}_${name%%.*}.yaml"
    done
  fi
  for name in $names; do echo "$dest/${name#*.}_${name%%.*}.yaml"; done
}
split_crds "$ISTIO_API_MODULE" "$ISTIO_API_VERSION" "$ISTIO_API_CRDS_FILE" "$ISTIO_CRD_NAMES"
if $all; then
  # shellcheck disable=SC2086
  fetch "$ARGO_CD_MODULE" "$ARGO_CD_VERSION" $ARGO_CD_CRDS
fi
