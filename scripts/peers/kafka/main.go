// Command kafka-peer runs franz-go's in-process fake Kafka cluster (kfake) as a standalone
// server, so tide's Kafka scaler can be tested against a real Kafka-protocol peer without a
// JVM. It seeds nothing unless asked, prints one "listening" line per broker once the
// listeners are bound, and runs until SIGINT/SIGTERM.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	port := flag.Int("port", 0, "port of the first broker on 127.0.0.1 (0 = pick a free one); further brokers use port+1, port+2, ...")
	brokers := flag.Int("brokers", 1, "number of brokers")
	partitions := flag.Int("partitions", 1, "partitions for auto-created topics and CreateTopics with -1 partitions")
	autoCreate := flag.Bool("auto-create-topics", false, "create topics on metadata requests that ask for it")
	topics := flag.String("topics", "", "comma-separated topics to create at start (with -partitions partitions)")
	dataDir := flag.String("data-dir", "", "persist the log in this directory (default: memory only)")
	logLevel := flag.String("log-level", "warn", "none, error, warn, info or debug")
	sasl := flag.String("sasl", "", "require SASL: comma-separated MECHANISM:user:password superusers, MECHANISM one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
	tlsCert := flag.String("tls-cert", "", "serve TLS with this PEM certificate (needs -tls-key)")
	tlsKey := flag.String("tls-key", "", "PEM private key of -tls-cert")
	flag.Parse()

	opts := []kfake.Opt{
		kfake.DefaultNumPartitions(*partitions),
		kfake.WithLogger(kfake.BasicLogger(os.Stderr, parseLevel(*logLevel))),
	}
	if *port != 0 {
		ports := make([]int, *brokers)
		for i := range ports {
			ports[i] = *port + i
		}
		opts = append(opts, kfake.Ports(ports...))
	} else {
		opts = append(opts, kfake.NumBrokers(*brokers))
	}
	if *autoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	if *topics != "" {
		opts = append(opts, kfake.SeedTopics(int32(*partitions), strings.Split(*topics, ",")...))
	}
	if *dataDir != "" {
		opts = append(opts, kfake.DataDir(*dataDir))
	}

	if *sasl != "" {
		opts = append(opts, kfake.EnableSASL())
		for _, entry := range strings.Split(*sasl, ",") {
			parts := strings.SplitN(entry, ":", 3)
			if len(parts) != 3 {
				fmt.Fprintf(os.Stderr, "kafka-peer: -sasl entry %q is not MECHANISM:user:password\n", entry)
				os.Exit(2)
			}
			opts = append(opts, kfake.Superuser(parts[0], parts[1], parts[2]))
		}
	}
	if *tlsCert != "" || *tlsKey != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kafka-peer: -tls-cert/-tls-key: %v\n", err)
			os.Exit(2)
		}
		opts = append(opts, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}

	c, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kafka-peer: cannot start cluster: %v\n", err)
		os.Exit(1)
	}
	for _, addr := range c.ListenAddrs() {
		// Test harnesses read this line to learn the ports when -port 0 is used.
		fmt.Printf("kafka-peer listening on %s\n", addr)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	c.Close()
}

func parseLevel(s string) kfake.LogLevel {
	switch strings.ToLower(s) {
	case "none":
		return kfake.LogLevelNone
	case "error":
		return kfake.LogLevelError
	case "info":
		return kfake.LogLevelInfo
	case "debug":
		return kfake.LogLevelDebug
	default:
		return kfake.LogLevelWarn
	}
}
