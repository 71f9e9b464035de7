//go:build tools

// Package tools pins etcd's server module: `go build go.etcd.io/etcd/server/v3` builds the
// etcd binary. A wrapper is needed because server/v3's go.mod replaces its sibling modules
// with relative paths, which `go install pkg@version` refuses; a dependency's replaces are
// ignored, and the siblings are published at the same tag. (etcd 3.4 by commit, which needs
// no wrapper, is not served by this machine's module proxy.)
package tools

import _ "go.etcd.io/etcd/server/v3"
