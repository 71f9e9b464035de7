//go:build tools

// Package tools pins metrics-server, which serves metrics.k8s.io (PodMetrics) to the operator
// tests' cpu/memory triggers by scraping KWOK's simulated kubelet endpoints. The k8s.io
// modules are held at the versions scripts/peers/kube builds, so the packages both use are
// compiled once.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
