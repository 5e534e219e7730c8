#!/usr/bin/env bash
# Generates lib/imports/k8s.ts, the typed Kubernetes API classes of the newest release the
# conformance harness tests (the first of KUBERNETES_VERSIONS in tools/versions.env, or $1):
# `cdk8s import k8s@<version>` fed with that release's own OpenAPI spec, which the
# k8s.io/kubernetes Go module carries (api/openapi-spec/swagger.json) and the Go module
# proxy serves. The pod templates use it for fields newer than cdk8s-plus-27's API level
# (1.27): the native preStop sleep, native sidecars. Generated: never edit it by hand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=versions.env
. "$here/versions.env"
version=${1:-${KUBERNETES_VERSIONS%% *}}
cache="${CDK8S_MS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-microservices/tools}"
mkdir -p "$cache"
echo "[import-k8s] k8s.io/kubernetes@v$version through the Go module proxy" >&2
dir=$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
swagger="$dir/api/openapi-spec/swagger.json"
if [ ! -f "$swagger" ]; then
  echo "[import-k8s] k8s.io/kubernetes@v$version has no api/openapi-spec/swagger.json" >&2
  exit 1
fi
cd "$repo"
CDK8S_MS_K8S_SWAGGER="$swagger" node -r "$here/k8s-schema-from-file.cjs" node_modules/cdk8s-cli/bin/cdk8s \
  import "k8s@$version" --check-upgrade false --save false --output lib/imports
