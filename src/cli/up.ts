/**
 * `tide up <paths...>`: runs the manifests on this machine. Deployments and StatefulSets become
 * process pools, ScaledObjects drive them, ScaledJobs start jobs as child processes. State
 * lives in `.tide/` of the working directory; `tide status` talks to the control socket there.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { hurryAll, observeGroups } from '../targets/local/child.js';
import { GroupLedger, stopOrphans } from '../local/orphans.js';
import { startControlServer, stopControlServer } from '../local/control.js';
import { ManifestSource } from '../local/manifest-source.js';
import { LocalRuntime } from '../local/runtime.js';
import { acquireLock, AlreadyRunningError, stateDir } from '../local/state-dir.js';
import type { TideStatus } from '../scheduler/status.js';
import { TerminalView } from '../local/terminal.js';
import { decisionsDir, DecisionLog } from '../observe/decision-log.js';
import { LocalDashboardSource } from '../observe/dashboard/local-source.js';
import type { DashboardServer } from '../observe/dashboard/server.js';
import { startDashboard } from '../observe/dashboard/start.js';
import { startMetricsServer, type MetricsServer } from '../observe/metrics-server.js';
import { TideMetrics } from '../observe/metrics.js';
import type { ObjectRef } from '../observe/types.js';
import { Secret } from '../secret.js';

/** After a second Ctrl-C, how long replicas get to hand their work back before SIGKILL. */
const HURRY_MS = 3_000;

/** Second net behind Secret's own redaction: keys that hold credentials never reach a log. */
const REDACT = ['password', '*.password', 'connectionString', '*.connectionString', 'env', '*.env'];

function makeLogger(level: string, view: TerminalView, file: string): Logger {
  const fileStream = createWriteStream(file, { flags: 'a' });
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined },
    {
      write(line: string) {
        fileStream.write(line);
        try {
          const rec = JSON.parse(line) as { level: number; msg?: string; err?: string };
          const tag = rec.level >= 50 ? 'error: ' : rec.level >= 40 ? 'warning: ' : '';
          view.info(`${tag}${rec.msg ?? ''}${rec.err ? ` (${rec.err})` : ''}`);
        } catch {
          view.info(line.trim());
        }
      },
    },
  );
}

export async function runUp(
  paths: string[],
  opts: {
    plain?: boolean;
    logLevel: string;
    /** Serve Prometheus `/metrics` on this port (off when absent). */
    metricsPort?: number;
    /** @default 127.0.0.1; anything else needs a token. */
    metricsHost?: string;
    /** Bearer token for `/metrics`; TIDE_METRICS_TOKEN when absent. */
    metricsToken?: string;
    /** false (`--no-dashboard`) turns the dashboard off. @default true */
    dashboard?: boolean;
    /** @default 7117; when the default is taken a free port is used instead. */
    dashboardPort?: number;
    /** @default 127.0.0.1; anything else needs a token. */
    dashboardHost?: string;
    /** Token for the dashboard; TIDE_DASHBOARD_TOKEN when absent. */
    dashboardToken?: string;
  },
): Promise<number> {
  const dir = stateDir();
  let release: () => void;
  try {
    release = acquireLock(dir);
  } catch (e) {
    if (e instanceof AlreadyRunningError) {
      console.error(`tide up: ${e.message}`);
      return 1;
    }
    throw e;
  }
  mkdirSync(dir.logs, { recursive: true });
  const view = new TerminalView(process.stdout, { plain: opts.plain ?? false });
  const logger = makeLogger(opts.logLevel, view, join(dir.root, 'tide.log'));
  // Replicas a tide killed without warning left behind go first (their tasks go back to the
  // queue as they stop), then this tide records its own.
  const ledgerFile = join(dir.root, 'groups.json');
  await stopOrphans(ledgerFile, (m) => logger.warn(m));
  const ledger = new GroupLedger(ledgerFile);
  ledger.flush();
  observeGroups({
    started: (pid, name, grace) => ledger.add(pid, name, grace),
    ended: (pid) => ledger.remove(pid),
  });
  const source = new ManifestSource(paths);
  let logFailed = false;
  const decisionLog = new DecisionLog({
    dir: decisionsDir(dir.root),
    onError: (e) => {
      if (!logFailed) logger.warn(`decision log: cannot write: ${errorMessage(e)}`);
      logFailed = true;
    },
  });
  const metrics =
    opts.metricsPort !== undefined
      ? new TideMetrics({ status: () => runtime.status() })
      : undefined;
  const dashboardSource =
    opts.dashboard !== false
      ? new LocalDashboardSource({ status: () => runtime.status(), decisionLog, logDir: dir.logs })
      : undefined;
  const runtime = new LocalRuntime({
    logDir: dir.logs,
    logger,
    onLine: (name, stream, line) => view.replicaLine(name, stream, line),
    onRecord: (round) => {
      decisionLog.record(round);
      metrics?.observeRound(round);
      dashboardSource?.observe(round);
    },
  });
  const startedAt = new Date().toISOString();
  let rejected: TideStatus['rejected'] = [];
  let warnings: string[] = [];
  const status = (): TideStatus => ({
    pid: process.pid,
    startedAt,
    manifests: [...source.paths],
    objects: runtime.status(),
    rejected,
    ...(warnings.length ? { warnings } : {}),
    ...(dashboardServer ? { dashboard: dashboardServer.url } : {}),
  });

  const reload = async (first: boolean) => {
    const outcome = await source.load();
    for (const w of outcome.warnings) logger.warn(w);
    for (const r of outcome.rejected) {
      logger.error(
        `${first ? 'invalid' : 'rejected change to'} ${r.file}${first ? '' : ' (the previous version keeps running)'}:\n  ${r.errors.join('\n  ')}`,
      );
    }
    rejected = outcome.rejected;
    warnings = outcome.warnings;
    await runtime.apply(outcome.set);
    metrics?.setRegistered(outcome.set);
    return outcome;
  };

  /** `/decisions?kind=&namespace=&name=[&at=][&limit=]` for `tide explain`. */
  const decisions = (q: URLSearchParams) => {
    const kind = q.get('kind');
    if (kind !== 'ScaledObject' && kind !== 'ScaledJob')
      throw new Error(`kind must be ScaledObject or ScaledJob, got ${kind ?? 'nothing'}`);
    const ref: ObjectRef = {
      kind,
      namespace: q.get('namespace') ?? 'default',
      name: q.get('name') ?? '',
    };
    const at = q.get('at');
    const limit = Number(q.get('limit') ?? 50);
    return decisionLog.query(ref, {
      ...(at ? { at: /^\d+$/.test(at) ? Number(at) : Date.parse(at) } : {}),
      limit: Number.isInteger(limit) && limit > 0 ? limit : 50,
    });
  };

  let control;
  let metricsServer: MetricsServer | undefined;
  let dashboardServer: DashboardServer | undefined;
  try {
    if (dashboardSource) {
      dashboardServer = await startDashboard(dashboardSource, opts, logger);
      logger.info(`dashboard on ${dashboardServer.url}`);
    }
    if (metrics && opts.metricsPort !== undefined) {
      const token = opts.metricsToken ?? process.env.TIDE_METRICS_TOKEN;
      metricsServer = await startMetricsServer({
        host: opts.metricsHost ?? '127.0.0.1',
        port: opts.metricsPort,
        token: token ? new Secret(token) : undefined,
        render: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }),
      });
      logger.info(`Prometheus metrics on ${metricsServer.url}`);
    }
    const first = await reload(true);
    const s = first.set;
    const runnable = s.deployments.length + s.statefulSets.length + s.scaledJobs.length;
    if (runnable === 0) {
      logger.error(
        `nothing to run in ${paths.join(', ')}: no valid Deployment, StatefulSet or ScaledJob`,
      );
      await runtime.stop();
      release();
      return 1;
    }
    logger.info(
      `running ${s.scaledObjects.length} ScaledObject(s), ${s.scaledJobs.length} ScaledJob(s), ${s.deployments.length + s.statefulSets.length} workload(s); state in ${dir.root}; \`tide status\` in another terminal`,
    );
    control = await startControlServer(dir.controlSocket, (path, query) =>
      path === '/status' ? status() : path === '/decisions' ? decisions(query) : undefined,
    );
  } catch (e) {
    logger.error(errorMessage(e));
    await runtime.stop();
    await metricsServer?.close();
    await dashboardServer?.close();
    decisionLog.close();
    release();
    return 1;
  }

  let reloading = Promise.resolve();
  const unwatch = await source.watch(() => {
    reloading = reloading.then(async () => {
      logger.info('manifests changed, reloading');
      await reload(false).catch((e: unknown) => logger.error(`reload failed: ${errorMessage(e)}`));
    });
  });
  const ticker = setInterval(() => view.status(status()), 1000);
  if (view.live) view.status(status());

  const exitCode = await new Promise<number>((resolveExit) => {
    let stoppingSince = 0;
    let hurrying = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stoppingSince) {
        // A terminal's Ctrl-C often reaches tide twice at once (npm/npx forward the signal
        // they also received): that is still the first request, not "stop now".
        if (Date.now() - stoppingSince < 1000 || hurrying) return;
        // A second Ctrl-C: stop waiting out grace periods, but still give every replica a
        // moment to hand its work back (tide's Celery worker requeues at a second SIGTERM).
        hurrying = true;
        logger.warn(
          `${sig} again: stopping every replica now (${HURRY_MS / 1000} s, then SIGKILL)`,
        );
        void hurryAll(HURRY_MS);
        return;
      }
      stoppingSince = Date.now();
      logger.info(`${sig}: stopping every replica gracefully (Ctrl-C again to stop now)`);
      unwatch();
      clearInterval(ticker);
      void (async () => {
        await reloading;
        await runtime.stop();
        decisionLog.close();
        await metricsServer?.close();
        await dashboardServer?.close();
        await stopControlServer(control, dir.controlSocket);
        view.close();
        logger.info('all replicas and jobs have exited');
        ledger.flush();
        observeGroups(undefined);
        release();
        resolveExit(0);
      })();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return exitCode;
}
