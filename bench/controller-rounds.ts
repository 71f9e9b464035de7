/**
 * The operator's per-round path without a cluster (not a test): N ScaledObject controllers,
 * each with a Redis list trigger at pollingInterval 1 on a private Redis, their decisions going
 * to the operator's observers (decision log, metrics) and status writer, as `tide operator`
 * wires them; the scale target only answers 0 replicas. What is left out is the Kubernetes
 * side (list/watch, the writes, which a steady round does not make), so this isolates what a
 * round costs: reads, engine, records, metrics, status key.
 *
 *   npx tsx bench/controller-rounds.ts [objects=5000] [windowSeconds=20]
 *
 * Prints CPU (mCPU of this process over the window), rounds per second, CPU per round, GC time
 * by kind (perf_hooks), heap used, and KEDA's anchor for the same count.
 * TIDE_BENCH_PROFILE=1 prints where the window's CPU went (a sampling profile by function);
 * (TIDE_BENCH_PROFILE_OUT=file.cpuprofile also writes the profile); TIDE_BENCH_PROFILE=alloc where its bytes were allocated (collected ones included).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { pino } from 'pino';
import { emptySet } from '../src/manifests/load.js';
import type { ScaledObject } from '../src/manifests/types.js';
import { OperatorObservers } from '../src/operator/observe.js';
import { decisionStatus, decisionStatusKey } from '../src/operator/so-status.js';
import { StatusWriter } from '../src/operator/status-writer.js';
import { SharedConnectionPool } from '../src/scalers/core/pool.js';
import { ScaledObjectController } from '../src/scheduler/scaled-object-controller.js';
import type { KubeClient } from '../src/targets/kubernetes/kube-client.js';
import type { ScaleTarget } from '../src/targets/target.js';
import { startRedis } from '../test/support/redis-server.js';

const N = Number(process.argv[2] ?? 5000);
const windowS = Number(process.argv[3] ?? 20);
const profile = process.env.TIDE_BENCH_PROFILE === '1';
const allocations = process.env.TIDE_BENCH_PROFILE === 'alloc';

const redis = await startRedis();
const logger = pino({ level: 'silent' });
const set = emptySet();
const objects: ScaledObject[] = [];
for (let i = 0; i < N; i++) {
  objects.push({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: `so-${i}`,
      namespace: 'bench',
      labels: {},
      annotations: {},
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    source: { file: 'bench' },
    spec: {
      scaleTargetRef: { name: `worker-${i}` },
      pollingInterval: 1,
      triggers: [
        {
          type: 'redis',
          metadata: {
            address: `127.0.0.1:${redis.port}`,
            listName: `bench:${i}`,
            listLength: '1',
          },
        },
      ],
    },
  });
}
set.scaledObjects.push(...objects);

let scaled = 0;
const target = (name: string): ScaleTarget => ({
  name: `Worker bench/${name}`,
  currentReplicas: () => 0,
  readyReplicas: () => 0,
  scaleTo: (n) => {
    if (n !== 0) scaled++;
  },
  status: () => ({ name, desiredReplicas: 0, currentReplicas: 0, readyReplicas: 0, replicas: [] }),
  stop: async () => undefined,
});
// Status writes only when a status changes; none are expected in the window.
let writes = 0;
const client = {
  patch: () => {
    writes++;
    return Promise.resolve({});
  },
} as unknown as KubeClient;
const status = new StatusWriter(client, logger);
const observers = new OperatorObservers({ status: () => [], registered: () => set });
const pool = new SharedConnectionPool();
let rounds = 0;
const gvkr = { group: 'bench.tide.dev', version: 'v1', kind: 'Worker', resource: 'workers' };
const controllers = objects.map((so) => {
  const obj = { kind: 'ScaledObject', metadata: { name: so.metadata.name, namespace: 'bench' } };
  const controller: ScaledObjectController = new ScaledObjectController({
    so,
    set,
    target: target(so.spec.scaleTargetRef.name),
    pool,
    logger,
    initialReplicas: 0,
    decisionRingSize: 0,
    onRecord: (r) => {
      rounds++;
      observers.record(r);
    },
    onDecision: (_so, d) => {
      const metricNames = controller.metricNames();
      status.writeKeyed(obj, decisionStatusKey(d, metricNames), () =>
        decisionStatus({ so, decision: d, gvkr, originalReplicaCount: 0, metricNames }),
      );
    },
  });
  return controller;
});

console.log(`${N} controllers, pollingInterval 1, Redis lists on :${redis.port}; warming up 10 s`);
for (const c of controllers) c.start();
await new Promise((r) => setTimeout(r, 10_000));
await status.flush();

const gc = { minor: 0, major: 0, other: 0, count: 0 };
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    gc.count++;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor += e.duration;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major += e.duration;
    else gc.other += e.duration;
  }
});
obs.observe({ entryTypes: ['gc'] });
const session = profile || allocations ? new Session() : undefined;
if (session) session.connect();
if (session && profile) {
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
if (session && allocations) {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
}
const r0 = rounds;
const w0 = writes;
const c0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, windowS * 1000));
const cpu = process.cpuUsage(c0);
const secs = (performance.now() - t0) / 1000;
const done = rounds - r0;
const cpuS = (cpu.user + cpu.system) / 1e6;
obs.disconnect();
console.log(
  [
    `  CPU ${((cpuS / secs) * 1000).toFixed(0)} mCPU over ${secs.toFixed(1)} s (all threads: GC helpers included)`,
    `  rounds ${(done / secs).toFixed(0)}/s (expected ~${N}), ${((cpuS * 1e6) / done).toFixed(1)} µs CPU per round`,
    `  GC on the main thread: minor ${((gc.minor / 1000 / secs) * 100).toFixed(1)} %, major ${((gc.major / 1000 / secs) * 100).toFixed(1)} %, other ${((gc.other / 1000 / secs) * 100).toFixed(1)} % of the window (${gc.count} pauses)`,
    `  heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; status writes in the window ${writes - w0}; scale-ups ${scaled}`,
    `  KEDA published: ~${((33 * N) / 1000).toFixed(0)} mCPU per ${N} at pollingInterval 30 (30x fewer reads)`,
  ].join('\n'),
);
interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}
if (session && allocations) {
  const { profile: p } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: AllocNode };
  };
  const self = new Map<string, number>();
  let total = 0;
  const walk = (n: AllocNode, stack: string) => {
    const cf = n.callFrame;
    const here = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
    if (n.selfSize) {
      self.set(here, (self.get(here) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c, here);
    void stack;
  };
  walk(p.head, '');
  console.log(
    `  allocated ${(total / 2 ** 20 / secs).toFixed(1)} MiB/s, ${(total / done).toFixed(0)} bytes per round; by function (top 30):`,
  );
  for (const [k, b] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`    ${((100 * b) / total).toFixed(1).padStart(5)} %  ${k}`);
}
if (session && profile) {
  const { profile: p } = (await session.post('Profiler.stop')) as unknown as {
    profile: {
      nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
      samples: number[];
    };
  };
  // TIDE_BENCH_PROFILE_OUT=file.cpuprofile keeps the whole profile (for DevTools).
  if (process.env.TIDE_BENCH_PROFILE_OUT)
    writeFileSync(process.env.TIDE_BENCH_PROFILE_OUT, JSON.stringify(p));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of p.samples) {
    const cf = byId.get(id)!.callFrame;
    const k = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + 1);
  }
  console.log('  self time by function (top 25):');
  for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`    ${((100 * n) / p.samples.length).toFixed(1).padStart(5)} %  ${k}`);
}
await Promise.all(controllers.map((c) => c.stop()));
await redis.stop();
process.exit(0);
