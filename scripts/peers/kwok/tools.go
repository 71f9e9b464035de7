//go:build tools

// Package tools pins KWOK (fake nodes and pod lifecycles for the test cluster). A wrapper
// instead of `go install ...@v0.8.0`, which also reads the module's version list, and that
// list is not always served by the module proxy.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
