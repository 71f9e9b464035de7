//go:build tools

// Package tools pins Helm 3 (its CLI installs deploy/helm/tide on the test cluster). A
// wrapper module, like the other peers, so go.sum pins every dependency.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
