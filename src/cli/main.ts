#!/usr/bin/env node
/**
 * @module
 * The `tide` command (the package's `bin`). Each subcommand lives in its own file and is
 * imported only when used, so `tide validate` does not load Redis or Kubernetes clients.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { TideError } from '../errors.js';
import { packageRoot } from '../package-root.js';

const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
  version: string;
};

const program = new Command()
  .name('tide')
  .description(
    'Event-driven autoscaling from KEDA manifests: local processes or a Kubernetes operator',
  )
  .version(version)
  .showHelpAfterError();

program
  .command('validate')
  .description(
    'check KEDA and Kubernetes manifests as KEDA and the API server would; exit 1 on any error',
  )
  .argument('<paths...>', 'YAML files or directories')
  .option('--json', 'machine-readable output')
  .option(
    '--resolved',
    "print each trigger's resolved metadata after defaults and auth (secrets redacted)",
  )
  .action(async (paths: string[], opts: { json?: boolean; resolved?: boolean }) => {
    const { runValidate } = await import('./validate.js');
    process.exitCode = await runValidate(paths, opts);
  });

program
  .command('simulate')
  .description(
    'replay a metric trace through the engine with a simulated clock (no servers needed)',
  )
  .argument('<paths...>', 'YAML files or directories with the ScaledObjects / ScaledJobs')
  .requiredOption('--trace <file>', 'trace file (.json or .csv), see examples/traces/')
  .option('--json', 'machine-readable output')
  .option('--svg <file>', 'draw metric, target and replicas over time into an SVG file')
  .option(
    '--html <file>',
    'write a self-contained HTML page with the chart (and --compare figures)',
  )
  .option(
    '--compare <manifests>',
    'also run these manifests on the trace (repeatable); report replica-seconds and queue waits for each, ranked',
    (v: string, prev: string[] = []) => [...prev, v],
  )
  .option('--consume-rate <n>', 'queue model: items per second one replica consumes', (v) =>
    Number(v),
  )
  .action(async (paths: string[], opts: import('./simulate.js').SimulateCliOptions) => {
    const { runSimulate } = await import('./simulate.js');
    process.exitCode = await runSimulate(paths, opts);
  });

program
  .command('up')
  .description(
    'run the manifests on this machine: Deployments as process pools, ScaledJobs as jobs',
  )
  .argument('<paths...>', 'YAML files or directories')
  .addOption(new Option('--plain', 'plain log lines even on a terminal (no live table)'))
  .option('--log-level <level>', 'tide log level (debug, info, warn, error)', 'info')
  .option('--metrics-port <port>', 'serve Prometheus /metrics on this port (off by default)', (v) =>
    Number(v),
  )
  .option('--metrics-host <host>', 'address for /metrics; not loopback needs a token', '127.0.0.1')
  .option('--metrics-token <token>', 'bearer token for /metrics (or env TIDE_METRICS_TOKEN)')
  .option(
    '--dashboard-port <port>',
    'port of the web dashboard (default 7117, or a free one if taken)',
    (v) => Number(v),
  )
  .option(
    '--dashboard-host <host>',
    'address of the dashboard; not loopback needs a token',
    '127.0.0.1',
  )
  .option('--dashboard-token <token>', 'token for the dashboard (or env TIDE_DASHBOARD_TOKEN)')
  .option('--no-dashboard', 'do not serve the web dashboard')
  .action(
    async (
      paths: string[],
      opts: {
        plain?: boolean;
        logLevel: string;
        metricsPort?: number;
        metricsHost?: string;
        metricsToken?: string;
        dashboard?: boolean;
        dashboardPort?: number;
        dashboardHost?: string;
        dashboardToken?: string;
      },
    ) => {
      // Replicas whose command is `tide ...` run this same tide (see tide-on-path.ts).
      const { putTideOnPath } = await import('./tide-on-path.js');
      putTideOnPath();
      const { runUp } = await import('./up.js');
      process.exitCode = await runUp(paths, opts);
    },
  );

program
  .command('status')
  .description('show the objects of the `tide up` running in this folder')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const { runStatus } = await import('./status.js');
    process.exitCode = await runStatus(opts);
  });

program
  .command('operator')
  .description('run as a Kubernetes operator: watch keda.sh objects and scale through /scale')
  .option(
    '--kubeconfig <file>',
    'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
  )
  .option(
    '--namespaces <list>',
    'comma-separated namespaces to watch (default: all, or $WATCH_NAMESPACE)',
  )
  .option('--qps <n>', 'Kubernetes API requests per second', '20')
  .option('--burst <n>', 'Kubernetes API burst above --qps', '30')
  .option('--health-port <port>', 'port of /healthz, /readyz and /metrics', '8081')
  .option('--cluster-object-namespace <ns>', 'where ClusterTriggerAuthentication secrets live')
  .option('--leader-elect', 'elect one active replica with a coordination.k8s.io Lease')
  .option('--leader-election-namespace <ns>', 'namespace of the Lease (default: $POD_NAMESPACE)')
  .option('--log-level <level>', 'log level (debug, info, warn, error)', 'info')
  .option(
    '--dashboard-port <port>',
    'port of the web dashboard (default 7117, or a free one if taken)',
  )
  .option('--dashboard-host <host>', 'address of the dashboard; not loopback needs a token')
  .option('--dashboard-token <token>', 'token for the dashboard (or env TIDE_DASHBOARD_TOKEN)')
  .option('--no-dashboard', 'do not serve the web dashboard')
  .option(
    '--webhook-port <port>',
    'serve the validating admission webhook over HTTPS on this port (KEDA uses 9443); off when unset',
  )
  .option('--webhook-host <addr>', 'address the webhook listens on', '0.0.0.0')
  .option(
    '--webhook-cert-dir <dir>',
    "serve tls.crt/tls.key from this folder (e.g. a cert-manager Secret) instead of tide's own",
  )
  .option(
    '--webhook-cert-secret <name>',
    'Secret where tide keeps the webhook CA and certificate it issues and rotates',
    'tide-webhook-certs',
  )
  .option(
    '--webhook-namespace <ns>',
    'namespace of that Secret and of the webhook Service (default: $POD_NAMESPACE)',
  )
  .option(
    '--webhook-service <name>',
    'Service the API server calls the webhook through (its DNS names go in the certificate)',
    'tide-webhook',
  )
  .option('--webhook-hosts <list>', 'more DNS names or IPs for the certificate, comma-separated')
  .option(
    '--webhook-config <name>',
    "ValidatingWebhookConfiguration whose caBundle tide keeps in sync ('' for none)",
    'tide-admission',
  )
  .action(async (opts: import('./operator.js').OperatorCliOptions) => {
    const { runOperator } = await import('./operator.js');
    const code = await runOperator(opts);
    // Shutdown is complete (controllers stopped, Lease released, servers closed): exit now
    // rather than wait on the event loop, as a Kubernetes controller's main does. A stray
    // keep-alive socket or a watch caught mid-restart must not hold a terminating Pod (seen
    // once on CI: a leader that released its Lease but never exited).
    process.exit(code);
  });

program
  .command('explain')
  .description('say in one paragraph why a ScaledObject has its replicas (or a ScaledJob its jobs)')
  .argument('<object>', 'so/<name>, sj/<name>, ScaledObject/<name> or ScaledJob/<name>')
  .option('-n, --namespace <namespace>', 'namespace of the object', 'default')
  .option(
    '--at <time>',
    'explain the decision in force then: 12:04:10, 2026-11-23T12:04:10Z, 5m ago',
  )
  .option('--json', 'machine-readable output')
  .option('--operator <url>', "ask a tide operator's health port instead (http://host:8081)")
  .action(
    async (
      object: string,
      opts: { namespace: string; at?: string; json?: boolean; operator?: string },
    ) => {
      const { runExplain } = await import('./explain.js');
      process.exitCode = await runExplain(object, opts);
    },
  );

const celery = program
  .command('celery')
  .description("tide's Celery library as commands (Python Celery 5 compatible, Redis broker)");

celery
  .command('worker')
  .description(
    'run a Celery worker with the tasks of a JavaScript module; every flag can also be set by its environment variable',
  )
  .option(
    '-A, --app <module>',
    'tasks module exporting register(worker) or a tasks object (.js/.mjs; .ts with tsx installed) [CELERY_TASKS]',
  )
  .option(
    '-b, --broker <url>',
    'redis://[:password@]host:port/db [CELERY_BROKER_URL; default from REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB]',
  )
  .option(
    '--result-backend <url>',
    'Redis URL to store results; none = not stored [CELERY_RESULT_BACKEND]',
  )
  .option(
    '-Q, --queues <list>',
    'comma-separated queues to consume (default celery) [CELERY_QUEUES]',
  )
  .option(
    '-c, --concurrency <n>',
    'tasks running at once (default 10) [CELERY_CONCURRENCY]',
    nonNegativeInt('--concurrency'),
  )
  .option(
    '--prefetch <n>',
    'messages reserved ahead of free slots (default = concurrency) [CELERY_PREFETCH]',
    nonNegativeInt('--prefetch'),
  )
  .option('--acks-late', 'acknowledge after the task instead of before it [CELERY_ACKS_LATE=1]')
  .option(
    '--visibility-timeout <seconds>',
    'unacknowledged messages return to the queue after this long (default 3600) [CELERY_VISIBILITY_TIMEOUT]',
    nonNegativeInt('--visibility-timeout'),
  )
  .option('-n, --hostname <name>', 'node name (default celery-ts-<pid>@<host>) [CELERY_HOSTNAME]')
  .option('-l, --loglevel <level>', 'info or warning (default info) [CELERY_LOGLEVEL]')
  .option(
    '--shutdown-grace <seconds>',
    'on SIGTERM, how long running tasks may finish (default 30) [CELERY_SHUTDOWN_GRACE]',
    nonNegativeInt('--shutdown-grace'),
  )
  .option(
    '--liveness-ttl <seconds>',
    "how long this worker's registry entry outlives its last heartbeat; 0 = no registry (default 30) [CELERY_LIVENESS_TTL]",
    nonNegativeInt('--liveness-ttl'),
  )
  .action(async (opts: import('./celery-worker.js').CeleryWorkerCliOptions) => {
    const { runCeleryWorker } = await import('./celery-worker.js');
    const code = await runCeleryWorker(opts);
    // A worker that failed to start may hold a reconnecting client: exit rather than linger.
    if (code !== 0) process.exit(code);
  });

/** Parses a flag's non-negative integer, naming the flag when it is not one. */
function nonNegativeInt(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
    return n;
  };
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Expected failures print one clear line; anything else keeps its stack for a bug report.
  if (e instanceof TideError) console.error(`tide: ${e.message}`);
  else console.error(e);
  process.exitCode = process.exitCode || 1;
}
