//go:build tools

// Package tools pins FerretDB v1 (and, through go.sum, its dependencies). scripts/peers.sh
// downloads it through this module and builds cmd/ferretdb from a copy of the module with
// build/version/version.txt written. `go install pkg@version` cannot be used: it looks up
// the module's deprecation through the proxy's @v/list, which answers 403 for FerretDB.
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
