/**
 * The fault suite's parts: a private Redis broker that can crash and come back with its data
 * (AOF, fsync on every write, so Redis itself loses nothing), a `tide up` app whose workers run
 * `fault.count` tasks, and the exact count every scenario reports: sent, done, lost, finished
 * twice, started twice, stranded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { Producer } from '../../src/celery/index.js';
import { freePort } from '../support/ports.js';
import { repoRoot } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

export interface Broker {
  port: number;
  url: string;
  /** Retries forever, so a test's reads wait out an outage instead of failing. */
  client: Redis;
  /** Crashes the server (SIGKILL by default) and waits for it to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once it answers. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startBroker(): Promise<Broker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tide-fault-redis-'));
  let proc: ChildProcess | undefined;
  const spawnServer = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    const p = proc;
    await waitFor(
      async () => {
        if (p.exitCode !== null) throw new Error('redis-server exited at start (is it installed?)');
        const c = new Redis({
          port,
          host: '127.0.0.1',
          lazyConnect: true,
          retryStrategy: () => null,
        });
        c.on('error', () => undefined);
        try {
          await c.connect();
          return (await c.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          c.disconnect();
        }
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `redis-server on port ${port}` },
    );
  };
  await spawnServer();
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    await gone;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    client,
    kill,
    start: spawnServer,
    async close() {
      client.disconnect();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AppOptions {
  acksLate: boolean;
  /** Seconds: the replicas' terminationGracePeriodSeconds. */
  graceSeconds: number;
  minReplicas: number;
  maxReplicas: number;
  /** Tasks per replica the trigger aims for. @default 1 */
  tasksPerReplica?: number;
  /** @default 'celery' */
  trigger?: 'celery' | 'redis';
  /** The worker registry TTL, seconds. @default 3 */
  livenessTtl?: number;
  cooldownSeconds?: number;
  /** ScaledObject annotations (tide's wait-time policy). */
  annotations?: Record<string, string>;
  /**
   * The HPA's scale-down stabilization written in `behavior`; `null` writes no `behavior`, so
   * the defaults apply (the wait policy's: one polling interval). @default 0
   */
  scaleDownWindowSeconds?: number | null;
}

/** Writes the app's manifests into `dir/app.yaml` and returns its path. */
export function writeApp(dir: string, broker: Broker, prefix: string, o: AppOptions): string {
  const file = join(dir, 'app.yaml');
  writeFileSync(file, appYaml(broker, prefix, o));
  return file;
}

export function appYaml(broker: Broker, prefix: string, o: AppOptions): string {
  const env = {
    CELERY_BROKER_URL: broker.url,
    CELERY_RESULT_BACKEND: 'none',
    CELERY_ACKS_LATE: o.acksLate ? '1' : '0',
    CELERY_CONCURRENCY: '1',
    CELERY_PREFETCH: '0',
    CELERY_LIVENESS_TTL: String(o.livenessTtl ?? 3),
    CELERY_LOGLEVEL: 'warning',
    FAULT_PREFIX: prefix,
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'fault-worker' },
    spec: {
      replicas: o.minReplicas,
      selector: { matchLabels: { app: 'fault-worker' } },
      template: {
        metadata: { labels: { app: 'fault-worker' } },
        spec: {
          terminationGracePeriodSeconds: o.graceSeconds,
          containers: [
            {
              name: 'worker',
              image: 'unused',
              workingDir: repoRoot,
              command: [
                process.execPath,
                '--import',
                'tsx',
                resolve(repoRoot, 'src/celery/worker-main.ts'),
                resolve(repoRoot, 'test/faults/fixtures/count-tasks.ts'),
              ],
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
            },
          ],
        },
      },
    },
  };
  const trigger =
    (o.trigger ?? 'celery') === 'celery'
      ? {
          type: 'celery',
          metadata: {
            url: broker.url,
            queues: 'celery',
            tasksPerReplica: String(o.tasksPerReplica ?? 1),
          },
        }
      : {
          type: 'redis',
          metadata: {
            address: `127.0.0.1:${broker.port}`,
            listName: 'celery',
            listLength: String(o.tasksPerReplica ?? 1),
          },
        };
  const so = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: 'fault-so',
      namespace: 'default',
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      scaleTargetRef: { name: 'fault-worker' },
      pollingInterval: 1,
      cooldownPeriod: o.cooldownSeconds ?? 5,
      minReplicaCount: o.minReplicas,
      maxReplicaCount: o.maxReplicas,
      ...(o.scaleDownWindowSeconds === null
        ? {}
        : {
            advanced: {
              horizontalPodAutoscalerConfig: {
                behavior: {
                  scaleDown: { stabilizationWindowSeconds: o.scaleDownWindowSeconds ?? 0 },
                },
              },
            },
          }),
      triggers: [trigger],
    },
  };
  return [deployment, so].map((d) => stringify(d)).join('---\n');
}

/** Sends tasks `from..from+n-1`, each working `ms` (or `ms(seq)`). */
export async function sendTasks(
  broker: Broker,
  from: number,
  n: number,
  ms: number | ((seq: number) => number),
): Promise<void> {
  const p = new Producer({ broker: broker.url });
  const work = typeof ms === 'number' ? () => ms : ms;
  try {
    for (let seq = from; seq < from + n; seq++) await p.sendTask('fault.count', [seq, work(seq)]);
  } finally {
    await p.close();
  }
}

export interface Count {
  sent: number;
  done: number;
  lost: number;
  finishedTwice: number;
  startedTwice: number;
  /** Messages in `unacked` (taken, neither acked nor given back). */
  unacked: number;
  waiting: number;
}

/** The exact count for tasks 0..sent-1. */
export async function count(broker: Broker, prefix: string, sent: number): Promise<Count> {
  const [done, started, unacked, waiting] = await Promise.all([
    broker.client.hgetall(`${prefix}:done`),
    broker.client.hgetall(`${prefix}:started`),
    broker.client.hlen('unacked'),
    broker.client.llen('celery'),
  ]);
  const runs = (h: Record<string, string>) => {
    const perSeq = new Map<number, number>();
    for (const field of Object.keys(h)) {
      const seq = Number(field.split(':')[0]);
      perSeq.set(seq, (perSeq.get(seq) ?? 0) + 1);
    }
    return perSeq;
  };
  const doneRuns = runs(done);
  const startedRuns = runs(started);
  let d = 0;
  let twice = 0;
  let started2 = 0;
  for (let seq = 0; seq < sent; seq++) {
    const n = doneRuns.get(seq) ?? 0;
    if (n >= 1) d++;
    if (n >= 2) twice++;
    if ((startedRuns.get(seq) ?? 0) >= 2) started2++;
  }
  return {
    sent,
    done: d,
    lost: sent - d,
    finishedTwice: twice,
    startedTwice: started2,
    unacked,
    waiting,
  };
}

/**
 * Waits until `expectDone` tasks (all by default) finished at least once and nothing is queued
 * or held any more (or the deadline), then returns the count.
 */
export async function settle(
  broker: Broker,
  prefix: string,
  sent: number,
  timeoutMs: number,
  expectDone = sent,
): Promise<Count> {
  await waitFor(
    async () => {
      const c = await count(broker, prefix, sent);
      return c.done >= expectDone && c.unacked === 0 && c.waiting === 0;
    },
    { timeoutMs, intervalMs: 250, what: `${expectDone} of ${sent} tasks done` },
  ).catch(() => undefined);
  return await count(broker, prefix, sent);
}

/** A temp folder for one scenario's manifests and `.tide/`. */
export function scenarioDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tide-fault-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lines of every replica log of the app, joined. */
export function replicaLogs(dir: string): string {
  const logDir = join(dir, '.tide', 'logs', 'default', 'fault-worker');
  try {
    return readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * Prints the scenario's row of the reliability table (README) as a test diagnostic:
 * `fault-row | scenario | sent | done | lost | finished twice | started twice | stranded`.
 */
export function reportRow(t: { diagnostic(msg: string): void }, scenario: string, c: Count): void {
  t.diagnostic(
    `fault-row | ${scenario} | ${c.sent} | ${c.done} | ${c.lost} | ${c.finishedTwice} | ${c.startedTwice} | ${c.unacked}`,
  );
}
