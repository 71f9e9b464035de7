/**
 * How fast `tide operator` turns a backlog into `batch/v1` Jobs (not a test).
 *   npx tsx bench/operator-jobs.ts [items=1000] [qps list=20,200,1000]
 * Starts etcd and the API server only (no kubelet: Jobs are created, their Pods never run),
 * a private Redis, and for each QPS the operator in this process with a KubeClient at that
 * `--qps` (burst as `tide operator` sets it), one ScaledJob (redis list, listLength 1,
 * pollingInterval 1, maxReplicaCount = items, no per-round cap) in a fresh namespace. Pushes
 * `items` entries and times, from the push, the first Job and the last Job the API server
 * holds (counted with a `limit=1` list's remainingItemCount every 100 ms).
 *
 * KEDA's anchor (computed): KEDA creates each Job with its own request through client-go's
 * token bucket, QPS 20 and burst 30 by default (--kube-api-qps / --kube-api-burst), so n
 * creates take max(0, n − 30) / QPS seconds after the poll that sees the backlog.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Operator } from '../src/operator/operator.js';
import { KubeClient, loadKubeConfig } from '../src/targets/kubernetes/kube-client.js';
import { startKubeCluster } from '../test/support/peers.js';
import { startRedis } from '../test/support/redis-server.js';
import { createNamespace, installCrds } from '../test/integration/operator/support.js';

const N = Number(process.argv[2] ?? 1000);
const qpsList = (process.argv[3] ?? '20,200,1000').split(',').map(Number);
const KEDA_BURST = 30;

const say = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
say('starting etcd and the API server, and a private Redis');
const cluster = await startKubeCluster({ apiOnly: true });
const redisServer = await startRedis();
const redis = new Redis({ port: redisServer.port, host: '127.0.0.1' });
const admin = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 1000, burst: 2000 });
const rows: string[] = [];
try {
  await installCrds(admin);
  for (const qps of qpsList) {
    const ns = `jobs-qps-${qps}`;
    const list = `bench-jobs-${qps}`;
    await createNamespace(admin, ns);
    await admin.post(`/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledjobs`, {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledJob',
      metadata: { name: 'bench', namespace: ns },
      spec: {
        jobTargetRef: {
          template: {
            spec: {
              containers: [{ name: 'noop', image: 'busybox', command: ['true'] }],
              restartPolicy: 'Never',
            },
          },
        },
        pollingInterval: 1,
        maxReplicaCount: N,
        successfulJobsHistoryLimit: N,
        triggers: [
          {
            type: 'redis',
            metadata: { address: `127.0.0.1:${redisServer.port}`, listName: list, listLength: '1' },
          },
        ],
      },
    });
    const client = new KubeClient(loadKubeConfig(cluster.kubeconfig), {
      qps,
      burst: Math.max(30, qps),
    });
    const operator = new Operator({
      client,
      logger: pino({ level: 'warn' }),
      namespaces: [ns],
      clusterObjectNamespace: ns,
    });
    await operator.start();
    // Let the ScaledJob's loop run (an empty list) before the backlog arrives.
    await new Promise((r) => setTimeout(r, 3_000));
    const jobsNow = async () => {
      const l = await admin.get<{ items: unknown[]; metadata: { remainingItemCount?: number } }>(
        `/apis/batch/v1/namespaces/${ns}/jobs?limit=1`,
      );
      return l.items.length + (l.metadata.remainingItemCount ?? 0);
    };
    say(`--qps ${qps}: pushing ${N} items`);
    const t0 = performance.now();
    await redis.rpush(list, ...Array.from({ length: N }, (_, i) => `item-${i}`));
    let first = NaN;
    let count = 0;
    let lastSay = t0;
    while (count < N && performance.now() - t0 < 600_000) {
      await new Promise((r) => setTimeout(r, 100));
      count = await jobsNow();
      if (count > 0 && Number.isNaN(first)) first = performance.now() - t0;
      if (performance.now() - lastSay > 10_000) {
        say(`  ${count} Jobs so far`);
        lastSay = performance.now();
      }
    }
    const all = performance.now() - t0;
    await operator.stop();
    const keda = (Math.max(0, N - KEDA_BURST) / qps) * 1000;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    rows.push(
      `--qps ${String(qps).padEnd(5)}  ${s(first).padEnd(12)}  ${(count >= N ? s(all) : `${count} after ${s(all)}`).padEnd(16)}  ${Math.round(
        (count / (all - first)) * 1000,
      )
        .toString()
        .padEnd(
          10,
        )}  KEDA's token bucket at the same QPS: poll + ${s(keda)} (${Math.round((N / keda) * 1000)} Jobs/s)`,
    );
  }
  console.log(`\n${N} items, one ScaledJob, pollingInterval 1, Jobs created (Pods not run)`);
  console.log(`QPS         first Job     all ${N} Jobs    Jobs/s`);
  for (const r of rows) console.log(r);
  console.log(
    `KEDA default (QPS 20, burst 30): poll + ${((N - KEDA_BURST) / 20).toFixed(1)} s for ${N} Jobs`,
  );
} finally {
  redis.disconnect();
  await redisServer.stop();
  await cluster.stop();
}
