#!/usr/bin/env bash
# Generates lib/imports/<group>.ts from several CRDs of one API group (cdk8s import
# takes one file, and writes one module per group): joins the pinned CRD files of
# tools/fetch-crds.sh --all whose names are <group>_<plural>.yaml for the plurals
# given, and imports the joined file. Usage: import-crd-group.sh GROUP 'plural|plural'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
group=$1 plurals=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t files < <(bash "$here/fetch-crds.sh" --all | grep -E "/${group//./\\.}_($plurals)\.yaml$")
if [ "${#files[@]}" -eq 0 ]; then
  echo "[import] no CRD of $group matches '$plurals' in tools/fetch-crds.sh --all" >&2
  exit 1
fi
awk 'FNR == 1 && NR != 1 { print "---" } { print }' "${files[@]}" > "$tmp/$group.yaml"
npx cdk8s import --check-upgrade false --save false --language typescript --output "$here/../lib/imports" "$tmp/$group.yaml"
