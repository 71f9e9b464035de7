/**
 * 1,000 triggers across Redis, PostgreSQL and MySQL at pollingInterval 1, in one tide process
 * (not a test). The ScaledObjects are generated YAML, loaded and validated by tide's loader, and
 * each runs in a ScaledObjectController (poll loop, trigger reader with rebuild-and-retry, the
 * shared connection pool, the engine) exactly as `tide up` runs them; only the scale target is
 * an in-memory stand-in, so no worker processes muddy the figures.
 *   npx tsx bench/triggers-1k.ts [--seconds 60] [--objects 1000] [--redis-only]
 *   (--redis-only: every trigger a Redis list, as in bench/operator-scale.ts)
 *   (node --expose-gc --import tsx bench/triggers-1k.ts also reports the live heap after a gc)
 * Servers: a private Redis started here (so its CLIENT LIST is ours), PostgreSQL 127.0.0.1:5432
 * and MariaDB 127.0.0.1:3306 with a bench user each, so their connection counts are ours too.
 * Prints rounds/s, p50/p99 round latency, connections per server (client pool and server side),
 * tide's CPU and RSS, the load average, and KEDA's anchors beside them.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { pino } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifestsFromString } from '../src/manifests/load.js';
import { DecisionLog } from '../src/observe/decision-log.js';
import { SharedConnectionPool } from '../src/scalers/core/pool.js';
import { ScaledObjectController } from '../src/scheduler/scaled-object-controller.js';
import type { ScaleTarget, TargetStatus } from '../src/targets/target.js';
import { startRedis } from '../test/support/redis-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 60);
const OBJECTS = arg('objects', 1000);
const REDIS_ONLY = process.argv.includes('--redis-only');
const WARMUP_S = 5;
const id = randomUUID().slice(0, 8);
const table = `tide_bench_${id}`;
const BENCH_USER = `tide_bench_${id}`;
const MYSQL_PW = `bench-${id}`;

/** A scale target that only remembers the count (the figures are tide's, not the workers'). */
class MemoryTarget implements ScaleTarget {
  #n = 0;
  constructor(readonly name: string) {}
  currentReplicas(): number {
    return this.#n;
  }
  readyReplicas(): number {
    return this.#n;
  }
  scaleTo(n: number): void {
    this.#n = n;
  }
  status(): TargetStatus {
    const n = this.#n;
    return {
      name: this.name,
      desiredReplicas: n,
      currentReplicas: n,
      readyReplicas: n,
      replicas: [],
    };
  }
  async stop(): Promise<void> {}
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

function manifests(redisPort: number): string {
  const docs: string[] = [
    `apiVersion: v1
kind: Secret
metadata: { name: bench-mysql }
stringData: { password: '${MYSQL_PW}' }
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: { name: bench-mysql }
spec:
  secretTargetRef:
    - { parameter: password, name: bench-mysql, key: password }`,
  ];
  for (let i = 0; i < OBJECTS; i++) {
    const kind = REDIS_ONLY ? 0 : i % 3;
    const trigger =
      kind === 0
        ? `- type: redis
      metadata: { address: '127.0.0.1:${redisPort}', listName: 'q${i % 100}', listLength: '5' }`
        : kind === 1
          ? `- type: postgresql
      metadata:
        host: 127.0.0.1
        port: '5432'
        userName: ${BENCH_USER}
        dbName: test
        sslmode: disable
        query: 'SELECT COUNT(*) FROM ${table} WHERE q = ${i % 50}'
        targetQueryValue: '5'`
          : `- type: mysql
      metadata:
        host: 127.0.0.1
        port: '3306'
        username: ${BENCH_USER}
        dbName: test
        query: 'SELECT COUNT(*) FROM ${table} WHERE q = ${i % 50}'
        queryValue: '5'
      authenticationRef: { name: bench-mysql }`;
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: { name: w${i} }
spec:
  replicas: 0
  selector: { matchLabels: { app: w${i} } }
  template:
    metadata: { labels: { app: w${i} } }
    spec:
      containers: [{ name: w, command: ['true'] }]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: so${i} }
spec:
  scaleTargetRef: { name: w${i} }
  pollingInterval: 1
  maxReplicaCount: 20
  triggers:
    ${trigger}`);
  }
  return docs.join('\n---\n');
}

async function main(): Promise<void> {
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.port, '127.0.0.1');
  const pgAdmin = new pg.Client({
    host: '127.0.0.1',
    port: 5432,
    user: 'postgres',
    database: 'test',
  });
  await pgAdmin.connect();
  const my = await mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    database: 'test',
  });
  const cleanup = async () => {
    await pgAdmin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pgAdmin.query(`DROP ROLE IF EXISTS ${BENCH_USER}`).catch(() => undefined);
    await my.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await my.query(`DROP USER IF EXISTS '${BENCH_USER}'@'%'`).catch(() => undefined);
  };
  try {
    // Sources: 100 lists, and a 5,000-row table with an index in each database.
    for (let q = 0; q < 100; q++)
      if (q % 20 > 0) await redis.rpush(`q${q}`, ...Array.from({ length: q % 20 }, () => 'x'));
    await pgAdmin.query(`CREATE ROLE ${BENCH_USER} LOGIN`);
    await pgAdmin.query(`CREATE TABLE ${table} (q int NOT NULL)`);
    await pgAdmin.query(`INSERT INTO ${table} SELECT g % 50 FROM generate_series(1, 5000) g`);
    await pgAdmin.query(`CREATE INDEX ON ${table} (q)`);
    await pgAdmin.query(`GRANT SELECT ON ${table} TO ${BENCH_USER}`);
    await my.query(`CREATE TABLE ${table} (q int NOT NULL, KEY (q))`);
    await my.query(`INSERT INTO ${table} (q) SELECT seq % 50 FROM seq_1_to_5000`);
    await my.query(`CREATE USER '${BENCH_USER}'@'%' IDENTIFIED BY '${MYSQL_PW}'`);
    await my.query(`GRANT SELECT ON test.${table} TO '${BENCH_USER}'@'%'`);

    const loaded = loadManifestsFromString(manifests(redisServer.port), 'bench.yaml');
    if (loaded.errors.length) throw new Error(loaded.errors.map(String).join('\n'));
    const set = loaded.set;
    const pool = new SharedConnectionPool();
    const logger = pino({ level: 'silent' });
    const durations: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let measuring = false;
    // The decision log as `tide up` keeps it: a ring per object under one memory budget, and
    // size-rotated JSONL files (in a temporary folder here).
    const decisionsDir = mkdtempSync(join(tmpdir(), 'tide-bench-decisions-'));
    const decisionLog = new DecisionLog({ dir: decisionsDir });
    const controllers = set.scaledObjects.map(
      (so) =>
        new ScaledObjectController({
          so,
          set,
          target: new MemoryTarget(`Deployment default/${so.spec.scaleTargetRef.name}`),
          pool,
          logger,
          initialReplicas: 0,
          onRecord: (r) => {
            decisionLog.record(r);
            if (!measuring) return;
            durations.push(r.durationMs);
            for (const x of r.readings)
              if (x.error) {
                errors += 1;
                firstError ??= x.error;
              }
          },
        }),
    );
    const rssBefore = process.memoryUsage().rss;
    const startedAt = performance.now();
    for (const c of controllers) c.start();
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));

    measuring = true;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let peakRss = 0;
    const sampler = setInterval(
      () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
      500,
    );
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    measuring = false;
    clearInterval(sampler);
    const load = loadavg();

    // Server-side connections opened by tide (the bench users are only tide's).
    // CLIENT LIST has one line per client, this admin client included.
    const clientList = String(await redis.call('CLIENT', 'LIST'));
    const redisClients = clientList.trim().split('\n').length - 1;
    const pgRows = await pgAdmin.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1`,
      [BENCH_USER],
    );
    const pgConns = Number(pgRows.rows[0]?.n);
    const [myRows] = await my.query(
      `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?`,
      [BENCH_USER],
    );
    const myConns = Number((myRows as { n: number }[])[0]?.n ?? NaN);
    const records = set.scaledObjects.reduce(
      (n, so) =>
        n +
        decisionLog.query(
          {
            kind: 'ScaledObject',
            namespace: so.metadata.namespace ?? 'default',
            name: so.metadata.name,
          },
          { limit: Number.MAX_SAFE_INTEGER },
        ).records.length,
      0,
    );
    (globalThis as { gc?: () => void }).gc?.();
    const heapLive = process.memoryUsage().heapUsed;
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);

    const stopT = performance.now();
    await Promise.all(controllers.map((c) => c.stop()));
    decisionLog.close();
    rmSync(decisionsDir, { recursive: true, force: true });
    const stopS = (performance.now() - stopT) / 1000;

    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
    console.log(
      `tide: ${OBJECTS} ScaledObjects (${REDIS_ONLY ? `Redis ${OBJECTS}` : `Redis ${Math.ceil(OBJECTS / 3)}, PostgreSQL ${Math.ceil((OBJECTS - 1) / 3)}, MySQL ${Math.floor(OBJECTS / 3)}`}), pollingInterval 1, ${wall.toFixed(1)} s measured after ${WARMUP_S} s warm-up`,
    );
    console.log(
      `  rounds/s              ${(durations.length / wall).toFixed(0)} (ideal ${OBJECTS}: one round per object per second)`,
    );
    console.log(
      `  round latency         p50 ${pct(durations, 50).toFixed(1)} ms, p99 ${pct(durations, 99).toFixed(1)} ms, max ${Math.max(...durations).toFixed(0)} ms`,
    );
    console.log(`  read errors           ${errors}${firstError ? ` (first: ${firstError})` : ''}`);
    console.log(`  pool.opened           ${pool.opened} (one pool per server + credentials)`);
    console.log(
      `  server connections    Redis ${redisClients}, PostgreSQL ${pgConns}, MySQL ${myConns}`,
    );
    console.log(
      `  tide CPU              ${cpuPct.toFixed(0)} % of one core (${((cpuPct * 10) / (OBJECTS / 1000)).toFixed(0)} mCPU per 1,000 triggers at 1 s polling)`,
    );
    console.log(
      `  decision records      ${records} held in memory (DecisionLog: 500 per object, 50,000 in all), heap ${mib(heapLive)} MiB${(globalThis as { gc?: unknown }).gc ? ' after gc' : ''}`,
    );
    console.log(
      `  tide RSS              ${mib(rss)} MiB now, ${mib(peakRss)} MiB peak, ${mib(rssBefore)} MiB before the controllers started (node + tsx + loaded manifests)`,
    );
    console.log(
      `  stop                  ${stopS.toFixed(2)} s to stop every controller and release the pools`,
    );
    console.log(
      `  load average          ${load.map((l) => l.toFixed(2)).join(' ')} (2 cores, shared)`,
    );
    console.log(
      `  set-up                ${((t0 - startedAt) / 1000).toFixed(1)} s from start to measuring`,
    );
    console.log('KEDA anchors (reference/landscape.md):');
    console.log(
      '  one goroutine per ScaledObject polling its scaler; each scaler opens its own client,',
    );
    console.log(
      `    so ${OBJECTS} triggers hold about ${OBJECTS} source connections (tide: see pool.opened)`,
    );
    console.log(
      '  healthy scale: ~33 mCPU and ~111 MiB per 1,000 Prometheus ScaledObjects (PR #7676,',
    );
    console.log(
      '    10,000 objects at 333 mCPU / 1,163 MiB; default pollingInterval 30 s, so ~30x fewer reads than here)',
    );
  } finally {
    await cleanup();
    await pgAdmin.end();
    await my.end();
    redis.disconnect();
    await redisServer.stop();
  }
}

await main();
