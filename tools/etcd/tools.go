//go:build tools

// Package tools pins etcd's main package (go.etcd.io/etcd/server/v3), which
// tools/build-tools.sh builds. etcd's own go.mod has replace directives, so
// `go install ...@version` refuses it; this wrapper module builds it instead.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
