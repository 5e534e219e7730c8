#!/usr/bin/env bash
# Builds the conformance and simulation tools from the Go module proxy (or, for a linter the proxy
# refuses, from its release source archive in $CDK8S_MS_TOOL_SOURCES) into a cache
# outside the repository, one directory per tool and version:
#
#   ${CDK8S_MS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-microservices/tools}/<tool>-<version>/<binary>
#
# A binary that is already there and answers its version command is reused, so a
# second run takes about a second. Versions are pinned in tools/versions.env.
#
# usage: tools/build-tools.sh [--manifest FILE] [--only NAME[,NAME...]]
#   --manifest FILE   also write one line per tool: name<TAB>version<TAB>ok|failed<TAB>path-or-note
#   --only NAMES      build only these (kubernetes, etcd, kube-score, kube-linter, polaris, promtool, helm,
#                     simulation = kube-apiserver, kubectl, kube-controller-manager and
#                     kube-scheduler of the newest version in versions.env, and kwok)
#   --kubernetes-versions "1.37.2 ..."  instead of KUBERNETES_VERSIONS from versions.env
#                     (kube-apiserver and kubectl; the simulation keeps the newest of versions.env)
# env:
#   CDK8S_MS_TOOLS_DIR              cache directory (see above)
#   CDK8S_MS_TOOL_SOURCES           directory of release source archives (kube-linter, Polaris):
#                                   used when `go install` is refused; checksums pinned in versions.env
#
# Every tool is required: the script exits non-zero, saying what to do next, when one
# cannot be built.
# The whole script is one compound command, so bash reads all of it before running any:
# editing this file while a (long) build runs cannot change what that build executes.
{
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# the simulation (npm run simulate) runs on the newest version of versions.env, whatever
# --kubernetes-versions says
SIMULATION_VERSION="${KUBERNETES_VERSIONS%% *}"

manifest=""
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest) manifest="$2"; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    --kubernetes-versions) KUBERNETES_VERSIONS="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
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
# build_kubernetes VERSION COMMAND...: the commands of k8s.io/kubernetes/cmd/ to build
build_kubernetes() {
  local v="$1" minor="${1%.*}" mod="$here/kubernetes-${1%.*}" dir bin start out ldflags cmd; shift
  [ -f "$mod/go.mod" ] || { log "no wrapper module $mod; run tools/new-kubernetes-module.sh $v"; return 1; }
  grep -q "k8s.io/kubernetes v$v\$" "$mod/go.mod" || { log "$mod/go.mod does not require k8s.io/kubernetes v$v; run tools/new-kubernetes-module.sh $v"; return 1; }
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$v -X $pkg.gitMajor=${minor%%.*} -X $pkg.gitMinor=${minor#*.}"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for cmd in "$@"; do
    dir="$TOOLS_DIR/$cmd-v$v"; bin="$dir/$cmd"
    local vcmd=(--version); [ "$cmd" = kubectl ] && vcmd=(version --client)
    if usable "$bin" "v$v" "${vcmd[@]}"; then log "$cmd v$v: cached ($bin)"; record "$cmd" "v$v" ok "$bin"; continue; fi
    grep -q "k8s.io/kubernetes/cmd/$cmd\"" "$mod/tools.go" || {
      log "$mod/tools.go does not pin k8s.io/kubernetes/cmd/$cmd; run tools/new-kubernetes-module.sh $v"; return 1; }
    # measured cold on 2 cores (tools/BUILD-TIMES.md): kube-apiserver 5-10 min; the others
    # 1-3 min after it (they share most packages), several minutes alone
    local est
    case "$cmd" in
      kube-apiserver) est="~10 min" ;;
      kubectl) est="~1 min after kube-apiserver, ~5 min alone" ;;
      *) est="~2-4 min after kube-apiserver, ~8 min alone" ;;
    esac
    log "building $cmd v$v (cold build, $est on 2 cores) ..."
    mkdir -p "$dir"; start=$(now)
    if ! out=$(cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$bin.tmp" "k8s.io/kubernetes/cmd/$cmd" 2>&1); then
      echo "$out" | tail -40 >&2
      log "FAILED to build $cmd v$v with $(go version | cut -d' ' -f3). Next: read the error above;"
      case "$cmd" in
        kube-controller-manager|kube-scheduler)
          log "  try another Go with GOTOOLCHAIN=go1.NN.P tools/build-tools.sh --only simulation;"
          log "  the conformance gates still run without the simulation: npm run conformance -- --no-simulate" ;;
        *)
          log "  try another Go with GOTOOLCHAIN=go1.NN.P tools/build-tools.sh --only kubernetes,"
          log "  or drop $v from KUBERNETES_VERSIONS in tools/versions.env" ;;
      esac
      rm -f "$bin.tmp"; return 1
    fi
    mv "$bin.tmp" "$bin"
    usable "$bin" "v$v" "${vcmd[@]}" || { log "$bin built but does not report v$v"; return 1; }
    finish "$cmd" "v$v" "$bin" "$start"
  done
}

# ---------------------------------------------------------------- kwok
# kwok (sigs.k8s.io/kwok) simulates nodes and pod lifecycles for `npm run simulate`.
# Beside the binary go the Stage definitions of the same release (KWOK_STAGES, copied
# from the module through the module proxy): the standalone kwok binary has no
# built-in stages, kwokctl normally hands them over.
build_kwok() {
  local v="$KWOK_VERSION" dir="$TOOLS_DIR/kwok-$KWOK_VERSION" src f missing=0
  for f in $KWOK_STAGES; do [ -f "$dir/stages/$(basename "$f")" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    log "kwok $v: copying its stage definitions ($KWOK_STAGES) from the module"
    if ! src=$(cd "$TOOLS_DIR" && GOFLAGS=-mod=mod go mod download -json "$KWOK_MODULE@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || [ -z "$src" ]; then
      log "FAILED to download $KWOK_MODULE@$v through the module proxy. Next: check GOPROXY (go env GOPROXY)"
      log "  and KWOK_VERSION in tools/versions.env (go list -m -versions $KWOK_MODULE)"
      return 1
    fi
    mkdir -p "$dir/stages.tmp"
    for f in $KWOK_STAGES; do
      [ -f "$src/$f" ] || { log "$KWOK_MODULE@$v has no $f: its layout changed; update KWOK_STAGES in tools/versions.env"; rm -rf "$dir/stages.tmp"; return 1; }
      cp "$src/$f" "$dir/stages.tmp/" && chmod 644 "$dir/stages.tmp/$(basename "$f")"
    done
    rm -rf "$dir/stages"; mv "$dir/stages.tmp" "$dir/stages"
  fi
  go_tool kwok kwok "$KWOK_PACKAGE" "$v" "$KWOK_VERSION_LDFLAG" "" "" --version
}

# ---------------------------------------------------------------- promtool
# promtool (issue 22) checks and unit-tests the rendered PrometheusRules. go install at the
# pinned version with PROMTOOL_BUILD_TAGS (remove_all_sd: no service discovery plugins).
build_promtool() {
  local v="$PROMTOOL_VERSION" dir="$TOOLS_DIR/promtool-$PROMTOOL_VERSION" bin start out
  bin="$dir/promtool"
  if usable "$bin" "${v#v}" --version; then log "promtool $v: cached ($bin)"; record promtool "$v" ok "$bin"; return 0; fi
  log "building promtool $v (go install -tags $PROMTOOL_BUILD_TAGS; cold: see tools/BUILD-TIMES.md) ..."
  mkdir -p "$dir"; start=$(now)
  if ! out=$(cd "$dir" && GOFLAGS=-buildvcs=false GOBIN="$dir" go install -trimpath -tags "$PROMTOOL_BUILD_TAGS" \
      -ldflags="-s -w -X $PROMTOOL_VERSION_LDFLAG=${v#v}" "$PROMTOOL_PACKAGE@$v" 2>&1); then
    echo "$out" | tail -20 >&2
    log "FAILED to build promtool $v. Next: read the error above; check PROMTOOL_VERSION in tools/versions.env"
    log "  (go list -m -versions github.com/prometheus/prometheus) and that this Go meets its go.mod"
    return 1
  fi
  usable "$bin" "${v#v}" --version || { log "$bin was built but 'promtool --version' does not report ${v#v}"; return 1; }
  finish promtool "$v" "$bin" "$start"
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

# ---------------------------------------------------------------- linters
# from_archive NAME BINARY PACKAGE VERSION LDFLAG ARCHIVE SHA256 DIR: builds the release from
# its source archive in $CDK8S_MS_TOOL_SOURCES, after checking the archive's checksum.
from_archive() {
  local name="$1" binary="$2" pkg="$3" v="$4" ldflag="$5" archive="$6" sha="$7" dir="$8"
  local src="${CDK8S_MS_TOOL_SOURCES:-}" tmp out top sub got
  if [ -z "$archive" ]; then log "$name $v: no source archive is pinned in tools/versions.env"; return 1; fi
  if [ -z "$src" ] || [ ! -f "$src/$archive" ]; then
    log "$name $v: the module proxy refused it and no source archive was found."
    log "  Next: set CDK8S_MS_TOOL_SOURCES to a directory holding $archive (the upstream release"
    log "  tag as 'git archive', sha256 $sha) and run again; .ci/run uses ../shared/third_party"
    return 1
  fi
  got="$(sha256sum "$src/$archive" | cut -d' ' -f1)"
  if [ "$got" != "$sha" ]; then
    log "$name $v: $src/$archive has sha256 $got, tools/versions.env pins $sha: refusing to build it."
    log "  Next: replace the archive with the release's, or pin the new checksum after checking its origin"
    return 1
  fi
  log "building $name $v from $src/$archive (checksum ok; ~2 min cold, most of it module downloads) ..."
  tmp="$(mktemp -d)"
  tar xzf "$src/$archive" -C "$tmp"
  top="$(ls "$tmp")"
  # the package path inside the module: what follows the module path in PACKAGE
  sub="$(cd "$tmp/$top" && go list -m)"; sub="${pkg#"$sub"}"
  if ! out=$(cd "$tmp/$top" && GOFLAGS=-mod=readonly go build -trimpath -ldflags="-s -w -X $ldflag=${v#v}" -o "$dir/$binary.tmp" ".$sub" 2>&1); then
    echo "$out" | tail -20 >&2
    log "FAILED to build $name $v from $archive. Next: read the error above (a dependency the module proxy does not serve?)"
    rm -rf "$tmp" "$dir/$binary.tmp"; return 1
  fi
  rm -rf "$tmp"
  mv "$dir/$binary.tmp" "$dir/$binary"
}

# go_tool NAME BINARY PACKAGE VERSION LDFLAG ARCHIVE SHA256 VERSIONCMD...: go install at the
# pinned version (what works where the module proxy serves it), else build from the archive.
go_tool() {
  local name="$1" binary="$2" pkg="$3" v="$4" ldflag="$5" archive="$6" sha="$7"; shift 7
  local dir="$TOOLS_DIR/$name-$v" bin start out
  bin="$dir/$binary"
  if usable "$bin" "${v#v}" "$@"; then log "$name $v: cached ($bin)"; record "$name" "$v" ok "$bin"; return 0; fi
  log "building $name $v (go install, ~1 min cold) ..."
  mkdir -p "$dir"; start=$(now)
  # go install pkg@version ignores the current module; -mod must not be set for it.
  if ! out=$(cd "$dir" && GOFLAGS=-buildvcs=false GOBIN="$dir" go install -trimpath -ldflags="-s -w -X ${ldflag:-main.version}=${v#v}" "$pkg@$v" 2>&1); then
    log "$name $v: go install failed: $(echo "$out" | grep -m1 -E 'go: |error' | cut -c1-200)"
    from_archive "$name" "$binary" "$pkg" "$v" "$ldflag" "$archive" "$sha" "$dir" || return 1
  fi
  usable "$bin" "${v#v}" "$@" || { log "$bin was built but '$binary $*' does not report ${v#v}"; return 1; }
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
if want kube-score; then step kube-score go_tool kube-score kube-score "$KUBE_SCORE_PACKAGE" "$KUBE_SCORE_VERSION" main.version "" "" version; fi
if want kube-linter; then
  step kube-linter go_tool kube-linter kube-linter "$KUBE_LINTER_PACKAGE" "$KUBE_LINTER_VERSION" "$KUBE_LINTER_VERSION_LDFLAG" \
    "$KUBE_LINTER_ARCHIVE" "$KUBE_LINTER_SHA256" version
fi
if want polaris; then
  step polaris go_tool polaris polaris "$POLARIS_PACKAGE" "$POLARIS_VERSION" "$POLARIS_VERSION_LDFLAG" \
    "$POLARIS_ARCHIVE" "$POLARIS_SHA256" version
fi
if want promtool; then step promtool build_promtool; fi
# helm (issue 26): `helm version --template` prints the stamped version alone
if want helm; then step helm go_tool helm helm "$HELM_PACKAGE" "$HELM_VERSION" "$HELM_VERSION_LDFLAG" "" "" version --template '{{.Version}}'; fi
if want kubernetes; then
  for v in $KUBERNETES_VERSIONS; do step "kubernetes-$v" build_kubernetes "$v" kube-apiserver kubectl; done
fi
if want simulation; then
  # the simulation (npm run simulate) runs on the newest version only; kube-apiserver and
  # kubectl are usually there already (cached by the loop above)
  step "simulation-$SIMULATION_VERSION" build_kubernetes "$SIMULATION_VERSION" kube-apiserver kubectl kube-controller-manager kube-scheduler
  step kwok build_kwok
fi
log "all tools: $(( $(now) - total0 ))s, $failures failed"
[ "$failures" -eq 0 ] || { log "some tools failed to build; see the messages above"; exit 1; }
exit 0
}
