#!/usr/bin/env bash
# Builds the conformance tools (issue 3) from the Go module proxy into a cache
# outside the repository, one directory per tool and version:
#
#   ${CDK8S_MS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-microservices/tools}/<tool>-<version>/<binary>
#
# A binary that is already there and answers its version command is reused, so a
# second run takes about a second. Versions are pinned in tools/versions.env.
#
# usage: tools/build-tools.sh [--manifest FILE] [--only NAME[,NAME...]]
#   --manifest FILE   also write one line per tool: name<TAB>version<TAB>ok|unavailable<TAB>path-or-reason
#   --only NAMES      build only these (kubernetes, etcd, kube-score, kube-linter, polaris)
#   --kubernetes-versions "1.37.2 ..."  instead of KUBERNETES_VERSIONS from versions.env
# env:
#   CDK8S_MS_TOOLS_DIR              cache directory (see above)
#   CONFORMANCE_REQUIRE_ALL_TOOLS=1 exit non-zero when an optional linter cannot be had
#
# Kubernetes and etcd are required: the script exits non-zero when they cannot be
# built. kube-linter and Polaris are reported as unavailable (and the harness says
# so in its table) when the module proxy does not serve them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

manifest=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest) manifest="$2"; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    --kubernetes-versions) KUBERNETES_VERSIONS="$2"; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "[tools] unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

TOOLS_DIR="${CDK8S_MS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-microservices/tools}"
mkdir -p "$TOOLS_DIR"
[ -n "$manifest" ] && : > "$manifest"

# One build at a time: two go builds of kube-apiserver on 2 cores take longer than one
# after the other, and both would write the same binary.
exec 9> "$TOOLS_DIR/.build-tools.lock"
if ! flock -n 9; then
  echo "[tools] another tools/build-tools.sh is running; waiting for it (it may be a cold build) ..." >&2
  flock 9
fi

command -v go >/dev/null || { echo "[tools] 'go' is not on PATH; install Go (>= 1.26) and run again" >&2; exit 1; }
# Build with the Go on this machine unless the caller chose otherwise.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# The wrapper modules' go.sum files are committed and complete: never rewrite them.
export GOFLAGS="-mod=readonly -buildvcs=false"

log() { echo "[tools] $*" >&2; }
want() { [ -z "$only" ] || [[ "$only" == *",$1,"* ]]; }
record() { [ -n "$manifest" ] && printf '%s\t%s\t%s\t%s\n' "$@" >> "$manifest"; return 0; }
now() { date +%s; }
failures=0

# usable BINARY EXPECTED VERSIONCMD...: the binary exists, runs, and prints EXPECTED
usable() {
  local bin="$1" expect="$2" out; shift 2
  [ -x "$bin" ] || return 1
  out="$("$bin" "$@" 2>&1)" || return 1   # not piped into grep -q: SIGPIPE + pipefail
  [[ "$out" == *"$expect"* ]]
}

# finish TOOL VERSION BIN START: record timing and manifest line
finish() {
  local tool="$1" version="$2" bin="$3" start="$4" secs
  secs=$(( $(now) - start ))
  echo "$secs" > "$(dirname "$bin")/.build-seconds"
  log "built $tool $version in ${secs}s -> $bin"
  record "$tool" "$version" ok "$bin"
}

# ---------------------------------------------------------------- Kubernetes
build_kubernetes() {
  local v="$1" minor="${1%.*}" mod="$here/kubernetes-${1%.*}" dir bin start out ldflags
  [ -f "$mod/go.mod" ] || { log "no wrapper module $mod; run tools/new-kubernetes-module.sh $v"; return 1; }
  grep -q "k8s.io/kubernetes v$v\$" "$mod/go.mod" || { log "$mod/go.mod does not require k8s.io/kubernetes v$v; run tools/new-kubernetes-module.sh $v"; return 1; }
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$v -X $pkg.gitMajor=${minor%%.*} -X $pkg.gitMinor=${minor#*.}"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in kube-apiserver kubectl; do
    dir="$TOOLS_DIR/$cmd-v$v"; bin="$dir/$cmd"
    if [ "$cmd" = kubectl ]; then set -- version --client; else set -- --version; fi
    if usable "$bin" "v$v" "$@"; then log "$cmd v$v: cached ($bin)"; record "$cmd" "v$v" ok "$bin"; continue; fi
    # measured cold on 2 cores (tools/BUILD-TIMES.md): kube-apiserver 7-10 min; kubectl ~1 min after it
    local est="~10 min"; [ "$cmd" = kubectl ] && est="~1 min after kube-apiserver, ~5 min alone"
    log "building $cmd v$v (cold build, $est on 2 cores) ..."
    mkdir -p "$dir"; start=$(now)
    if ! out=$(cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$bin.tmp" "k8s.io/kubernetes/cmd/$cmd" 2>&1); then
      echo "$out" | tail -40 >&2
      log "FAILED to build $cmd v$v with $(go version | cut -d' ' -f3). Next: read the error above;"
      log "  try another Go with GOTOOLCHAIN=go1.NN.P tools/build-tools.sh --only kubernetes,"
      log "  or drop $v from KUBERNETES_VERSIONS in tools/versions.env"
      rm -f "$bin.tmp"; return 1
    fi
    mv "$bin.tmp" "$bin"
    usable "$bin" "v$v" "$@" || { log "$bin built but does not report v$v"; return 1; }
    finish "$cmd" "v$v" "$bin" "$start"
  done
}

# ---------------------------------------------------------------- etcd
build_etcd() {
  local v="$ETCD_VERSION" dir="$TOOLS_DIR/etcd-$ETCD_VERSION" bin start out
  bin="$dir/etcd"
  grep -q "go.etcd.io/etcd/server/v3 $v\$" "$here/etcd/go.mod" || { log "tools/etcd/go.mod does not pin etcd $v (ETCD_VERSION in versions.env); cd tools/etcd && go get go.etcd.io/etcd/server/v3@$v && go mod tidy"; return 1; }
  if usable "$bin" "${v#v}" --version; then log "etcd $v: cached ($bin)"; record etcd "$v" ok "$bin"; return 0; fi
  log "building etcd $v (cold build, ~3 min) ..."
  mkdir -p "$dir"; start=$(now)
  if ! out=$(cd "$here/etcd" && go build -trimpath -ldflags="-s -w" -o "$bin.tmp" go.etcd.io/etcd/server/v3 2>&1); then
    echo "$out" | tail -40 >&2
    log "FAILED to build etcd $v. Next: read the error above; pick another release in tools/etcd/go.mod and versions.env"
    rm -f "$bin.tmp"; return 1
  fi
  mv "$bin.tmp" "$bin"
  finish etcd "$v" "$bin" "$start"
}

# ---------------------------------------------------------------- go install tools
# go_install NAME BINARY PACKAGE VERSION REQUIRED VERSIONCMD...
go_install() {
  local name="$1" binary="$2" pkg="$3" v="$4" required="$5"; shift 5
  local dir="$TOOLS_DIR/$name-$v" bin start out
  bin="$dir/$binary"
  # The directory is keyed by the pinned version; the binary only has to run.
  # (go install builds report "development" unless main.version is stamped, as below.)
  local expect=""
  if usable "$bin" "$expect" "$@"; then log "$name $v: cached ($bin)"; record "$name" "$v" ok "$bin"; return 0; fi
  log "building $name $v (cold build, ~1 min) ..."
  mkdir -p "$dir"; start=$(now)
  # go install pkg@version ignores the current module; -mod must not be set for it.
  if ! out=$(cd "$dir" && GOFLAGS=-buildvcs=false GOBIN="$dir" go install -trimpath -ldflags="-s -w -X main.version=${v#v}" "$pkg@$v" 2>&1); then
    echo "$out" | tail -20 >&2
    local reason; reason="$(echo "$out" | grep -m1 -E 'go: |error' | cut -c1-300)"
    rmdir "$dir" 2>/dev/null || true
    local onpath; onpath="$(command -v "$binary" || true)"
    if [ "$required" != yes ] && [ -n "$onpath" ]; then
      log "$name $v cannot be installed here; using '$onpath' from PATH instead (unpinned version)"
      record "$name" "PATH" ok "$onpath"
      return 0
    fi
    if [ "$required" = yes ] || [ "${CONFORMANCE_REQUIRE_ALL_TOOLS:-}" = 1 ]; then
      log "FAILED to install $name $v. Next: read the error above; pin another version in tools/versions.env"
      return 1
    fi
    log "$name $v is UNAVAILABLE here ($reason); see the harness report's notes for what ran instead."
    log "  Next: when the module proxy serves it, run tools/build-tools.sh again, or put a '$binary' on PATH"
    record "$name" "$v" unavailable "${reason//$'\t'/ }"
    return 0
  fi
  finish "$name" "$v" "$bin" "$start"
}

step() { # step NAME FUNCTION ARGS...: time it and count failures
  local name="$1" t0; shift; t0=$(now)
  if ! "$@"; then failures=$((failures + 1)); record "$name" "?" failed "see build log"; fi
  log "$name: done in $(( $(now) - t0 ))s"
}

log "tool cache: $TOOLS_DIR ($(go version | cut -d' ' -f3), GOTOOLCHAIN=$GOTOOLCHAIN)"
total0=$(now)
if want etcd; then step etcd build_etcd; fi
if want kube-score; then step kube-score go_install kube-score kube-score "$KUBE_SCORE_PACKAGE" "$KUBE_SCORE_VERSION" yes version; fi
if want kube-linter; then step kube-linter go_install kube-linter kube-linter "$KUBE_LINTER_PACKAGE" "$KUBE_LINTER_VERSION" no version; fi
if want polaris; then step polaris go_install polaris polaris "$POLARIS_PACKAGE" "$POLARIS_VERSION" no version; fi
if want kubernetes; then
  for v in $KUBERNETES_VERSIONS; do step "kubernetes-$v" build_kubernetes "$v"; done
fi
log "all tools: $(( $(now) - total0 ))s, $failures failed"
[ "$failures" -eq 0 ] || { log "some tools failed to build; see the messages above"; exit 1; }
