/**
 * `tide operator` at scale (not a test): N ScaledObjects with a Redis trigger at
 * pollingInterval 1 on the test cluster (scripts/kube-cluster.sh), each scaling its own
 * custom resource through a `/scale` subresource (a CRD `Worker`: no Pods, so the cluster
 * measures the operator, not the kubelet). For each N it prints the operator's CPU (mCPU)
 * and RSS over a steady window, API requests per second, status writes per minute, the
 * startup time until every controller runs, how long its writes take to drain, and the time from a list going non-empty to its
 * target's replicas changing, beside KEDA's anchor (about 33 mCPU and 111 MiB per 1,000
 * ScaledObjects, scaled linearly).
 *
 *   npx tsx bench/operator-scale.ts [counts=1000,10000] [windowSeconds=60] [qps=200] [pollingInterval=1] [soakMinutes=0]
 *
 * soakMinutes > 0 keeps the operator running that long after the window (nothing changes in
 * the sources) and prints its RSS every minute, then the RSS trend, failed polls, status writes
 * and API requests over the soak. TIDE_BENCH_NODE_FLAGS passes flags to the operator's node
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof --heapsnapshot-signal=SIGUSR2").
 *
 * KEDA's anchor is for its default pollingInterval (30 s); the fourth argument gives the
 * like-for-like figure.
 *
 * The operator runs as `bin/tide.js operator` in its own process (the sources through tsx),
 * or with TIDE_BENCH_DIST=1 as `dist/cli/main.js operator`, what the image ships (run
 * `npm run build` first): tsx keeps each function's name with an own property on every
 * closure (esbuild's keepNames) and the sources' maps, ~3 KB per ScaledObject and ~30 MB the
 * built bundle does not carry. CPU and RSS come from /proc/<pid>. The machine has 2 cores shared with the cluster and Redis (and other work):
 * the load average is printed beside the figures.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { KubeApiError, KubeClient, loadKubeConfig } from '../src/targets/kubernetes/kube-client.js';
import { createNamespace, installCrds } from '../test/integration/operator/support.js';
import { startKubeCluster } from '../test/support/peers.js';
import { freePort } from '../test/support/ports.js';
import { startRedis } from '../test/support/redis-server.js';
import { repoRoot } from '../test/support/tide-process.js';
import { waitFor } from '../test/support/wait-for.js';

const counts = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const windowS = Number(process.argv[3] ?? 60);
const qps = Number(process.argv[4] ?? 200);
const pollingInterval = Number(process.argv[5] ?? 1);
const soakMinutes = Number(process.argv[6] ?? 0);
const NS = 'bench';
const GROUP = 'bench.tide.dev';
const CLK_TCK = 100;

const workerCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `workers.${GROUP}` },
  spec: {
    group: GROUP,
    names: { plural: 'workers', singular: 'worker', kind: 'Worker' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { replicas: { type: 'integer' } } },
              status: {
                type: 'object',
                properties: { replicas: { type: 'integer' }, selector: { type: 'string' } },
              },
            },
          },
        },
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.replicas',
            statusReplicasPath: '.status.replicas',
          },
        },
      },
    ],
  },
};

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function procStats(pid: number): { cpuS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuS: ticks / CLK_TCK, rssMiB: Number(rss) / 1024 };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** The sum of every series of a labelled counter (failed polls over all objects). */
async function metricSum(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm')))
    sum += Number(m[1]);
  return sum;
}

/** The operator's API requests by verb and resource so far, largest first. */
async function requestsByKind(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const rows = [
    ...text.matchAll(/^tide_operator_api_requests_by_kind_total\{request="([^"]*)"\} (\S+)$/gm),
  ]
    .map((m) => [m[1]!, Number(m[2])] as const)
    .sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((a, [, v]) => a + v, 0);
  return `${total} (${rows.map(([k, v]) => `${k} ${v}`).join(', ')})`;
}

/** How long `path` takes to answer (ms); Infinity when it does not within 10 s. */
async function probe(port: number, path: string): Promise<number> {
  const t = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    return performance.now() - t;
  } catch {
    return Infinity;
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** Keeps the operator running with nothing changing; prints RSS each minute and the totals. */
async function soak(pid: number, port: number): Promise<void> {
  const t0 = Date.now();
  const s0 = procStats(pid);
  const req0 = await metric(port, 'tide_operator_api_requests_total');
  const wr0 = await metric(port, 'tide_operator_status_writes_total');
  const err0 = await metricSum(port, 'keda_scaler_detail_errors_total');
  const rss: number[] = [s0.rssMiB];
  for (let m = 1; m <= soakMinutes; m++) {
    await new Promise((r) => setTimeout(r, 60_000));
    rss.push(procStats(pid).rssMiB);
    console.log(`  soak ${m} min: RSS ${rss.at(-1)!.toFixed(0)} MiB`);
  }
  const s1 = procStats(pid);
  const secs = (Date.now() - t0) / 1000;
  const req1 = await metric(port, 'tide_operator_api_requests_total');
  const wr1 = await metric(port, 'tide_operator_status_writes_total');
  const err1 = await metricSum(port, 'keda_scaler_detail_errors_total');
  // Least-squares slope of RSS over the minutes: flat is the goal.
  const xs = rss.map((_, i) => i);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = rss.reduce((a, b) => a + b, 0) / rss.length;
  const slope =
    xs.reduce((a, x, i) => a + (x - mx) * (rss[i]! - my), 0) /
    Math.max(
      1e-9,
      xs.reduce((a, x) => a + (x - mx) ** 2, 0),
    );
  console.log(
    [
      `  soak ${soakMinutes} min: RSS ${rss[0]!.toFixed(0)} -> ${rss.at(-1)!.toFixed(0)} MiB (trend ${slope >= 0 ? '+' : ''}${slope.toFixed(1)} MiB/min), CPU ${(((s1.cpuS - s0.cpuS) / secs) * 1000).toFixed(0)} mCPU`,
      `  soak: failed polls ${err1 - err0}, status writes ${wr1 - wr0}, API requests/s ${((req1 - req0) / secs).toFixed(2)} (nothing changed in the sources; the reaction test's 20 lists still hold their item, so those 20 objects are active and write \`lastActiveTime\` every round, as KEDA does: 20 x the soak's rounds; the others write nothing)`,
    ].join('\n'),
  );
}

async function run(n: number): Promise<void> {
  // Workers are custom resources without Pods: etcd and the API server are all it needs.
  const cluster = await startKubeCluster({ stages: 'fast', apiOnly: true });
  // One push-watch connection per ScaledObject (src/scalers/redis/watch.ts): lift Redis' 10,000.
  const redisServer = await startRedis(['--maxclients', '30000']);
  const redis = new Redis(redisServer.port, '127.0.0.1');
  const admin = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 5000, burst: 5000 });
  let child: ReturnType<typeof spawn> | undefined;
  try {
    await installCrds(admin);
    await admin.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', workerCrd);
    await waitFor(() => admin.get(`/apis/${GROUP}/v1/workers`).then(() => true), {
      timeoutMs: 30_000,
      what: 'the Worker CRD to be served',
    });
    await createNamespace(admin, NS);
    const t0 = Date.now();
    const ids = Array.from({ length: n }, (_, i) => i);
    await pool(ids, 50, async (i) => {
      const create = async (path: string, body: unknown) => {
        try {
          await admin.post(path, body);
        } catch (e) {
          if (!(e instanceof KubeApiError && e.status === 409)) throw e;
        }
      };
      await create(`/apis/${GROUP}/v1/namespaces/${NS}/workers`, {
        apiVersion: `${GROUP}/v1`,
        kind: 'Worker',
        metadata: { name: `w${i}`, namespace: NS },
        spec: { replicas: 0 },
      });
      await create(`/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects`, {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: `so${i}`, namespace: NS },
        spec: {
          scaleTargetRef: { apiVersion: `${GROUP}/v1`, kind: 'Worker', name: `w${i}` },
          pollingInterval,
          cooldownPeriod: 300,
          maxReplicaCount: 10,
          triggers: [
            {
              type: 'redis',
              metadata: {
                address: `127.0.0.1:${redisServer.port}`,
                listName: `bench:${i}`,
                listLength: '1',
              },
            },
          ],
        },
      });
    });
    console.log(
      `  N=${n}: created ${n} Workers + ${n} ScaledObjects in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    const port = await freePort();
    const started = Date.now();
    child = spawn(
      process.execPath,
      [
        // TIDE_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the operator.
        ...(process.env.TIDE_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
        process.env.TIDE_BENCH_DIST === '1' ? 'dist/cli/main.js' : 'bin/tide.js',
        'operator',
        '--kubeconfig',
        cluster.kubeconfig,
        '--namespaces',
        NS,
        '--health-port',
        String(port),
        '--qps',
        String(qps),
        '--burst',
        String(qps * 2),
        '--log-level',
        'error',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const pid = child.pid!;
    // Probes through start-up: /healthz and /metrics must answer within 1 s throughout.
    const probes = { health: [] as number[], metrics: [] as number[] };
    let starting = true;
    const prober = (async () => {
      // From the first answer on (before it the process is still loading its modules).
      let up = false;
      let n10 = 0;
      while (starting) {
        const h = await probe(port, '/healthz');
        if (h !== Infinity) up = true;
        if (up) {
          probes.health.push(h);
          // /metrics as Prometheus scrapes it (every 10 s here): each scrape formats every
          // object's series, so probing it each second would measure the bench, not tide.
          if (++n10 % 10 === 1) probes.metrics.push(await probe(port, '/metrics'));
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    await waitFor(
      async () => (await metric(port, 'tide_operator_scaled_objects').catch(() => 0)) === n,
      {
        timeoutMs: 30 * 60_000,
        intervalMs: 5000,
        what: `${n} ScaledObject controllers running`,
      },
    );
    starting = false;
    await prober;
    const startupS = (Date.now() - started) / 1000;
    const startupRequests = await requestsByKind(port);
    // Let the first rounds' status writes, Events and finalizers drain before measuring (at
    // the client's QPS: three per new object), then a few more seconds.
    // A saturated operator drains slowly: after TIDE_BENCH_DRAIN_MINUTES (5) it measures
    // anyway and says how many were left.
    const drainStart = Date.now();
    const drainDeadline = drainStart + Number(process.env.TIDE_BENCH_DRAIN_MINUTES ?? 5) * 60_000;
    let lastShown = 0;
    let left = Infinity;
    while (left > 0 && Date.now() < drainDeadline) {
      left = await metric(port, 'tide_operator_background_writes_pending');
      if (Date.now() - lastShown >= 14_000) {
        lastShown = Date.now();
        console.log(`  draining start-up writes: ${left} left`);
      }
      // Every 15 s, as Prometheus would: a scrape at 10,000 objects is ~0.3 s of the operator's
      // CPU, at 60,000 ~1 s (one every 5 s was a fifth of the operator's CPU while it drained).
      if (left > 0) await new Promise((r) => setTimeout(r, 15_000));
    }
    const drainS = (Date.now() - drainStart) / 1000;
    const drained =
      left === 0
        ? `drained ${drainS.toFixed(1)} s after that`
        : `NOT drained after ${drainS.toFixed(0)} s: ${left} left`;
    const settle = Date.now() + 5_000;
    await waitFor(() => Date.now() > settle, {
      timeoutMs: 10_000,
      what: 'settle',
      intervalMs: 500,
    });

    const a = procStats(pid);
    const req0 = await metric(port, 'tide_operator_api_requests_total');
    const wr0 = await metric(port, 'tide_operator_status_writes_total');
    const err0 = await metricSum(port, 'keda_scaler_detail_errors_total');
    const w0 = Date.now();
    let rssMax = a.rssMiB;
    const end = w0 + windowS * 1000;
    await waitFor(
      () => {
        rssMax = Math.max(rssMax, procStats(pid).rssMiB);
        return Date.now() > end;
      },
      { timeoutMs: windowS * 1000 + 10_000, intervalMs: 1000, what: 'the measuring window' },
    );
    const b = procStats(pid);
    const elapsedS = (Date.now() - w0) / 1000;
    const req1 = await metric(port, 'tide_operator_api_requests_total');
    const wr1 = await metric(port, 'tide_operator_status_writes_total');
    const err1 = await metricSum(port, 'keda_scaler_detail_errors_total');
    const load = loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    const clients =
      String(await redis.client('LIST'))
        .trim()
        .split('\n').length - 1;

    const mcpu = ((b.cpuS - a.cpuS) / elapsedS) * 1000;
    const k = n / 1000;
    const worst = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
    console.log(
      [
        `N=${n} ScaledObjects (pollingInterval ${pollingInterval}, Redis), operator --qps ${qps} (${process.env.TIDE_BENCH_DIST === '1' ? 'dist' : 'tsx'}); load average ${load}`,
        `  startup until every controller runs: ${startupS.toFixed(1)} s   slowest answer meanwhile: /healthz ${worst(probes.health).toFixed(0)} ms, /metrics ${worst(probes.metrics).toFixed(0)} ms`,
        `  API requests during start-up: ${startupRequests}`,
        `  start-up writes (status, Events, finalizers) ${drained} (QPS ${qps})`,
        `  CPU ${mcpu.toFixed(0)} mCPU   RSS ${b.rssMiB.toFixed(0)} MiB (max ${rssMax.toFixed(0)})   over ${elapsedS.toFixed(0)} s`,
        `  API requests/s ${((req1 - req0) / elapsedS).toFixed(2)}   status writes/min ${(((wr1 - wr0) / elapsedS) * 60).toFixed(1)}   failed polls ${err1 - err0}   Redis connections of the operator ${clients}`,
        `  KEDA published: ~${(33 * k).toFixed(0)} mCPU, ~${(111 * k).toFixed(0)} MiB (33 mCPU / 111 MiB per 1,000 at pollingInterval 30, linear)`,
        `  KEDA 2.20.2 measured (issue 16, same cluster and bench, 1,000 SOs): 367-411 mCPU, 368-370 MiB at pollingInterval 1; 61 mCPU, 361 MiB at 30; 0 steady API requests/s at 1 s, 3 at 30 s`,
      ].join('\n'),
    );
    // Reaction: one item into an idle list -> its Worker's replicas 0 -> 1.
    const reactions: number[] = [];
    for (let k = 0; k < 20; k++) {
      const i = Math.floor((k * n) / 20);
      const path = `/apis/${GROUP}/v1/namespaces/${NS}/workers/w${i}`;
      const pushed = performance.now();
      await redis.rpush(`bench:${i}`, 'x');
      try {
        await waitFor(
          async () =>
            ((await admin.get<{ spec: { replicas?: number } }>(path)).spec.replicas ?? 0) > 0,
          { timeoutMs: 60_000, intervalMs: 20, what: `w${i} to scale` },
        );
        reactions.push(performance.now() - pushed);
      } catch {
        reactions.push(Infinity);
      }
    }

    console.log(
      `  list non-empty -> replicas changed: p50 ${pct(reactions, 50).toFixed(0)} ms, p99 ${pct(reactions, 99).toFixed(0)} ms, max ${Math.max(...reactions).toFixed(0)} ms (20 samples; KEDA 2.20.2 at 1,000 / 1 s: p50 533 ms, max 1.2 s)`,
    );
    if (soakMinutes > 0) await soak(pid, port);
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    redis.disconnect();
    await redisServer.stop();
    await cluster.stop();
  }
}

for (const n of counts) await run(n);
