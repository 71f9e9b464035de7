//go:build tools

// Package tools pins the Kubernetes control-plane commands built by scripts/peers.sh
// (`go build k8s.io/kubernetes/cmd/...` resolves them through this module's go.mod).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
