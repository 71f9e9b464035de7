/**
 * `tide operator`: runs tide as a Kubernetes operator against the cluster of a kubeconfig
 * (or in-cluster), watching keda.sh/v1alpha1 objects in all namespaces or the given ones.
 * Stops gracefully on SIGTERM/SIGINT: controllers stop, pending status writes are flushed,
 * workloads keep their replicas.
 */
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { pino } from 'pino';
import { errorMessage } from '../errors.js';
import { startHealthServer } from '../operator/health.js';
import { KubeClient, loadKubeConfig } from '../targets/kubernetes/kube-client.js';
import { LeaderElector } from '../operator/leader.js';
import { OperatorObservers } from '../operator/observe.js';
import { Operator } from '../operator/operator.js';
import { LocalDashboardSource } from '../observe/dashboard/local-source.js';
import type { DashboardServer } from '../observe/dashboard/server.js';
import { startDashboard } from '../observe/dashboard/start.js';
import { closeServer } from '../observe/http-listen.js';
import { startWebhook } from './operator-webhook.js';
import type { WebhookServer } from '../operator/webhook/server.js';

export interface OperatorCliOptions {
  kubeconfig?: string;
  namespaces?: string;
  qps: string;
  burst?: string;
  healthPort: string;
  clusterObjectNamespace?: string;
  logLevel: string;
  leaderElect?: boolean;
  leaderElectionNamespace?: string;
  /** false (`--no-dashboard`) turns the dashboard off. */
  dashboard?: boolean;
  dashboardPort?: string;
  dashboardHost?: string;
  dashboardToken?: string;
  webhookPort?: string;
  webhookHost?: string;
  webhookCertDir?: string;
  webhookCertSecret?: string;
  webhookNamespace?: string;
  webhookService?: string;
  webhookHosts?: string;
  webhookConfig?: string;
}

/** The old generation may grow this much (%) past what the last full GC kept. */
export const HEAP_GROWING_PERCENT = 20;

/**
 * V8 flags for an operator's heap, each unless given to node (flags or NODE_OPTIONS):
 *
 * - `--heap-growing-percent=20` bounds how far V8 lets the heap grow between full
 *   collections. V8 sizes the next limit from GC speed, up to 4x the live heap for large
 *   heaps: at 10,000 ScaledObjects ~300 MB live grew to 1.2 GB before a collection (RSS
 *   followed). Most of an operator's heap is long-lived per-object state and each round's
 *   short-lived garbage, so a fixed 20 % keeps RSS near 1.2-1.4x the live heap for a few more
 *   full collections (incremental, off the event loop mostly).
 * - `--no-allocation-site-pretenuring`: V8 allocates objects of a site whose objects mostly
 *   survive their first scavenge straight into the old generation. Rounds of thousands of
 *   objects are in flight together (one Redis pipeline per 25 ms slot), so a round's objects
 *   survive one scavenge often enough to be pretenured, and then die in the old generation a
 *   few milliseconds later: at 5,000 objects polled every second that doubled the full
 *   collections (bench/controller-rounds.ts: 610 mCPU with pretenuring, 449 without).
 */
export function tuneHeap(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const has = (re: RegExp) => given.some((a) => re.test(a));
  if (!has(/^--heap[-_]growing[-_]percent/))
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!has(/^--(no-)?allocation[-_]site[-_]pretenuring/))
    setFlagsFromString('--no-allocation-site-pretenuring');
}

/** API requests by verb and resource, as a labelled counter (what start-up spends QPS on). */
function requestsByKind(client: KubeClient): string {
  const name = 'tide_operator_api_requests_by_kind_total';
  let out = `# HELP ${name} Requests sent to the Kubernetes API server, by verb and resource.\n# TYPE ${name} counter\n`;
  for (const [k, v] of [...client.requestsBy].sort()) out += `${name}{request="${k}"} ${v}\n`;
  return out;
}

export async function runOperator(opts: OperatorCliOptions): Promise<number> {
  tuneHeap();
  const logger = pino({ level: opts.logLevel, base: undefined });
  const qps = Number(opts.qps);
  const burst = opts.burst !== undefined ? Number(opts.burst) : undefined;
  const port = Number(opts.healthPort);
  if (!(qps > 0) || (burst !== undefined && !(burst > 0)) || !Number.isInteger(port)) {
    console.error(
      'tide operator: --qps and --burst must be positive numbers, --health-port an integer',
    );
    return 2;
  }
  let client: KubeClient;
  try {
    client = new KubeClient(loadKubeConfig(opts.kubeconfig), {
      qps,
      ...(burst !== undefined ? { burst } : {}),
    });
  } catch (e) {
    console.error(`tide operator: cannot load the kubeconfig: ${errorMessage(e)}`);
    return 1;
  }
  const namespaces = (opts.namespaces ?? process.env.WATCH_NAMESPACE ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Every controller's status, built once per scrape: two collectors ask for it, and at
  // 10,000 ScaledObjects each build is a noticeable part of a scrape.
  let statusMemo: { at: number; list: ReturnType<Operator['statuses']> } | undefined;
  const scrapeStatuses = () => {
    if (!statusMemo || Date.now() - statusMemo.at > 1_000)
      statusMemo = { at: Date.now(), list: operator.statuses() };
    return statusMemo.list;
  };
  const observers: OperatorObservers = new OperatorObservers({
    // Read at scrape time, once the operator exists.
    status: scrapeStatuses,
    registered: () => operator.registered(),
  });
  const dashboardSource =
    opts.dashboard !== false
      ? new LocalDashboardSource({
          status: () => operator.statuses(),
          decisionLog: observers.decisionLog,
        })
      : undefined;
  const operator: Operator = new Operator({
    client,
    logger,
    namespaces,
    onRecord: (round) => {
      observers.record(round);
      dashboardSource?.observe(round);
    },
    clusterObjectNamespace:
      opts.clusterObjectNamespace ?? process.env.KEDA_CLUSTER_OBJECT_NAMESPACE ?? 'keda',
  });
  let started = false;
  const elector = opts.leaderElect
    ? new LeaderElector({
        client,
        logger,
        namespace: opts.leaderElectionNamespace ?? process.env.POD_NAMESPACE ?? 'default',
        identity: `${process.env.HOSTNAME ?? hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
        onStartedLeading: () => {
          started = true;
          operator.start().catch((e: unknown) => {
            logger.error({ err: errorMessage(e) }, 'operator failed to start');
          });
        },
        // As client-go: a replica that lost the lease exits, and its pod restarts as a follower.
        onStoppedLeading: () => lost(),
      })
    : undefined;
  let lost: () => void = () => undefined;
  let webhook: WebhookServer | undefined;
  const health = await startHealthServer(
    {
      // A follower is healthy and ready: it is waiting for the lease by design.
      get ready() {
        return elector && !elector.leading ? true : operator.ready;
      },
      metrics: () => ({
        tide_operator_api_requests_total: {
          help: 'Requests sent to the Kubernetes API server.',
          type: 'counter',
          value: client.requests,
        },
        tide_operator_status_writes_total: {
          help: 'Status subresource writes.',
          type: 'counter',
          value: operator.statusWrites,
        },
        tide_operator_background_writes_pending: {
          help: 'Status writes, Events and finalizer patches queued or in flight (they wait behind the requests that scale).',
          type: 'gauge',
          value: operator.backgroundPending,
        },
        tide_operator_leader: {
          help: '1 while this replica runs the controllers (always 1 without --leader-elect).',
          type: 'gauge',
          value: !elector || elector.leading ? 1 : 0,
        },
        tide_operator_scaled_objects: {
          help: 'ScaledObjects with a running controller.',
          type: 'gauge',
          value: operator.running.length,
        },
        tide_operator_scaled_jobs: {
          help: 'ScaledJobs with a running controller.',
          type: 'gauge',
          value: operator.runningJobs.length,
        },
        ...(webhook
          ? {
              tide_operator_admission_allowed_total: {
                help: 'Admission reviews the webhook allowed.',
                type: 'counter' as const,
                value: webhook.counts.allowed,
              },
              tide_operator_admission_denied_total: {
                help: 'Admission reviews the webhook refused.',
                type: 'counter' as const,
                value: webhook.counts.denied,
              },
            }
          : {}),
      }),
      moreMetrics: async () => requestsByKind(client) + (await observers.metricsText()),
      decisions: (q) => observers.decisions(q),
    },
    port,
  );
  let dashboard: DashboardServer | undefined;
  if (dashboardSource) {
    const dashboardPort = opts.dashboardPort !== undefined ? Number(opts.dashboardPort) : undefined;
    if (dashboardPort !== undefined && !(Number.isInteger(dashboardPort) && dashboardPort >= 0)) {
      console.error(
        `tide operator: --dashboard-port must be a port number, got "${opts.dashboardPort}"`,
      );
      await closeServer(health.server);
      return 2;
    }
    try {
      dashboard = await startDashboard(
        dashboardSource,
        {
          ...(dashboardPort !== undefined ? { dashboardPort } : {}),
          ...(opts.dashboardHost !== undefined ? { dashboardHost: opts.dashboardHost } : {}),
          ...(opts.dashboardToken !== undefined ? { dashboardToken: opts.dashboardToken } : {}),
        },
        logger,
      );
    } catch (e) {
      console.error(`tide operator: ${errorMessage(e)}`);
      await closeServer(health.server);
      return 2;
    }
  }
  if (opts.webhookPort !== undefined) {
    try {
      webhook = await startWebhook(opts, client, logger);
    } catch (e) {
      console.error(`tide operator: ${errorMessage(e)}`);
      await dashboard?.close();
      await closeServer(health.server);
      return 2;
    }
  }
  logger.info(
    {
      server: client.server,
      namespaces: namespaces.length ? namespaces : 'all',
      healthPort: health.port,
      ...(dashboard ? { dashboard: dashboard.url } : {}),
      ...(webhook ? { webhookPort: webhook.port } : {}),
    },
    'tide operator starting',
  );
  const code = new Promise<number>((resolve) => {
    process.once('SIGTERM', () => resolve(0));
    process.once('SIGINT', () => resolve(0));
    lost = () => resolve(1);
  });
  if (elector) elector.start();
  else {
    started = true;
    await operator.start();
  }
  const exitCode = await code;
  logger.info('tide operator stopping');
  if (started) await operator.stop();
  await elector?.stop();
  await webhook?.close();
  await dashboard?.close();
  await closeServer(health.server);
  return exitCode;
}
