/**
 * Starts the Go-built test peers (built by `scripts/peers.sh build` into ~/.cache/tide/bin/) on free
 * ports with private temporary data, for integration tests that need a MongoDB-wire server
 * (FerretDB v1 on SQLite) or a Kafka-protocol cluster (franz-go's kfake in our small program).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Peers that scripts/peers.sh builds, by the name the script uses. */
export type PeerName =
  | 'ferretdb'
  | 'kafka'
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kwok'
  | 'helm'
  | 'metrics-server';

/** Where scripts/peers.sh builds: outside the clone, shared by every clone on this machine. */
export function peerCache(): string {
  return (
    process.env.TIDE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tide')
  );
}

/** Absolute path of a built peer; throws, naming the build command, when it is missing. */
export function peerBinary(name: PeerName): string {
  const file = join(peerCache(), 'bin', name === 'kafka' ? 'kafka-peer' : name);
  if (!existsSync(file)) {
    const group = name === 'ferretdb' || name === 'kafka' ? '' : ' kube';
    throw new Error(
      `test peer '${name}' is not built (${file} is missing): run \`scripts/peers.sh build${group}\` first`,
    );
  }
  return file;
}

/** A started MongoDB-wire server. */
export interface FerretServer {
  port: number;
  /** mongodb:// URL without a database. */
  url: string;
  stop(): Promise<void>;
}

/** A started Kafka-protocol cluster. */
export interface KafkaCluster {
  /** host:port of every broker. */
  brokers: string[];
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: () => boolean;
  output: () => string;
  kill: () => Promise<void>;
}

// Keeps the last few KiB of the peer's output so a failed start says why.
function run(file: string, args: string[]): Running {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => (exited = true));
  child.on('error', (e) => {
    exited = true;
    out += String(e);
  });
  return {
    child,
    exited: () => exited,
    output: () => out,
    async kill() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await done;
    },
  };
}

async function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts FerretDB v1 with its SQLite backend in a fresh temporary directory and waits until
 * it accepts connections. Change streams are not implemented by FerretDB v1 (the server
 * answers `NotImplemented`, code 238).
 */
export async function startFerret(): Promise<FerretServer> {
  const file = peerBinary('ferretdb');
  // A free port can be taken between probing and binding; a lost race makes the server exit
  // at once, so try a few ports.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tide-ferret-'));
    const p = run(file, [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ]);
    try {
      // waitFor retries a throwing condition until its deadline, so an exit ends the wait
      // as a truthy result and is reported right after.
      await waitFor(async () => p.exited() || acceptsTcp(port), {
        timeoutMs: 20_000,
        intervalMs: 50,
        what: `ferretdb on 127.0.0.1:${port}`,
      });
      if (p.exited()) throw new Error(`ferretdb exited at start: ${p.output().trim()}`);
    } catch (e) {
      await p.kill();
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3 && p.exited()) continue;
      throw e;
    }
    return {
      port,
      url: `mongodb://127.0.0.1:${port}/`,
      async stop() {
        await p.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** Options of {@link startKafka}. */
export interface KafkaOptions {
  /** Number of brokers (default 1). */
  brokers?: number;
  /** Partitions of auto-created topics and of CreateTopics asking for -1 (default 1). */
  partitions?: number;
  /** Let metadata requests create topics (default false, as a locked-down cluster). */
  autoCreateTopics?: boolean;
  /** Require SASL and accept these superusers (kfake supports these three mechanisms). */
  sasl?: {
    mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
    username: string;
    password: string;
  }[];
  /** Serve TLS with these PEM files. */
  tls?: { certFile: string; keyFile: string };
}

/**
 * Starts a kfake Kafka-protocol cluster on free ports (the program picks them and prints
 * them, so there is no port race) and waits until every broker accepts connections.
 */
export async function startKafka(opts: KafkaOptions = {}): Promise<KafkaCluster> {
  const args = ['-port=0', `-brokers=${opts.brokers ?? 1}`, `-partitions=${opts.partitions ?? 1}`];
  if (opts.autoCreateTopics) args.push('-auto-create-topics');
  if (opts.sasl?.length) {
    args.push(
      `-sasl=${opts.sasl.map((u) => `${u.mechanism}:${u.username}:${u.password}`).join(',')}`,
    );
  }
  if (opts.tls) args.push(`-tls-cert=${opts.tls.certFile}`, `-tls-key=${opts.tls.keyFile}`);
  const p = run(peerBinary('kafka'), args);
  const want = opts.brokers ?? 1;
  try {
    const brokers = await waitFor(
      () => {
        if (p.exited()) return [];
        const found = [...p.output().matchAll(/kafka-peer listening on (\S+)/g)].map(
          (m) => m[1] ?? '',
        );
        return found.length === want ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'kafka-peer to print its listening addresses' },
    );
    if (p.exited()) throw new Error(`kafka-peer exited at start: ${p.output().trim()}`);
    for (const b of brokers) {
      const port = Number(b.split(':').pop());
      await waitFor(() => acceptsTcp(port), {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: `kafka broker ${b}`,
      });
    }
    return { brokers, stop: () => p.kill() };
  } catch (e) {
    await p.kill();
    throw e;
  }
}

/** A started test Kubernetes cluster (etcd, kube-apiserver, controller-manager, scheduler, KWOK). */
export interface KubeCluster {
  /** Path of an admin (system:masters) kubeconfig. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> of the API server. */
  server: string;
  stop(): Promise<void>;
}

function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'scripts', 'kube-cluster.sh'), args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`scripts/kube-cluster.sh ${args.join(' ')} failed:\n${out}`)),
    );
  });
}

/**
 * Starts a private test cluster with scripts/kube-cluster.sh in its own run directory (so
 * several can run at once) and resolves once /readyz answers, a KWOK node is Ready and the
 * default ServiceAccount exists. `stages: 'fast'` makes Pods Running (and Job Pods
 * Succeeded) at once; the default 'general' stages take ~1-6 s per step, tunable per Pod.
 * `metricsServer: true` also serves metrics.k8s.io (metrics-server scraping KWOK's usage,
 * set per Pod with the kwok.x-k8s.io/usage-cpu and /usage-memory annotations; a new Pod has
 * PodMetrics after 2-4 scrapes of 10 s). `apiOnly: true` starts etcd and the API server only
 * (custom resources, no Pods), for benchmarks.
 */
export async function startKubeCluster(
  opts: { stages?: 'general' | 'fast'; metricsServer?: boolean; apiOnly?: boolean } = {},
): Promise<KubeCluster> {
  for (const name of opts.apiOnly
    ? (['etcd', 'kube-apiserver'] as const)
    : ([
        'etcd',
        'kube-apiserver',
        'kube-controller-manager',
        'kube-scheduler',
        'kwok',
        ...(opts.metricsServer ? (['metrics-server'] as const) : []),
      ] as const)) {
    peerBinary(name);
  }
  const runDir = mkdtempSync(join(tmpdir(), 'tide-kube-run-'));
  const env = {
    KUBE_RUN_DIR: runDir,
    KUBE_STAGES: opts.stages ?? 'general',
    KUBE_METRICS_SERVER: opts.metricsServer ? '1' : '0',
    KUBE_API_ONLY: opts.apiOnly ? '1' : '0',
  };
  try {
    await runScript(['start'], env);
  } catch (e) {
    rmSync(runDir, { recursive: true, force: true });
    throw e;
  }
  const port = readFileSync(join(runDir, 'api-port'), 'utf8').trim();
  return {
    kubeconfig: join(runDir, 'kubeconfig'),
    server: `https://127.0.0.1:${port}`,
    async stop() {
      await runScript(['stop'], env);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
