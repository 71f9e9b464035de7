/**
 * What a user gets from `npm install tide-autoscaler`: the packed tarball installed with
 * `--omit=dev` into an empty prefix (test/support/installed-package.ts), then used from there
 * with nothing of this clone on hand: no tsx, no TypeScript, no sources. `tide validate`,
 * `tide operator --help`, `tide up` scaling a Celery worker Deployment whose command is
 * `[tide, celery, worker, ...]` from 0 to 1 and back to 0 while a plain .mjs producer imports
 * `tide-autoscaler/celery` and gets its result.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { installedPackage, type InstalledPackage } from '../../support/installed-package.js';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { repoRoot, startTideUp, type TideUp } from '../../support/tide-process.js';
import { waitFor } from '../../support/wait-for.js';

const run = promisify(execFile);
let pkg: InstalledPackage;
let app: string;
/** Only what a shell gives a user: PATH (for node) and HOME; nothing from this test run. */
let userEnv: NodeJS.ProcessEnv;

before(async () => {
  pkg = await installedPackage((l) => console.log(`[package] ${l}`));
  if (pkg.builtInSeconds) console.log(`[package] packed and installed in ${pkg.builtInSeconds} s`);
  app = mkdtempSync(join(pkg.prefix, 'app-'));
  userEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? app };
});
after(() => app && rmSync(app, { recursive: true, force: true }));

const tide = (args: string[], cwd = app) =>
  run(pkg.tide, args, { cwd, env: userEnv, encoding: 'utf8' });

test('the tarball holds compiled JavaScript, types and the dashboard, no sources or tests', () => {
  const files = pkg.files;
  assert.ok(files.includes('dist/cli/main.js'), 'the tide executable');
  for (const entry of ['dist/index', 'dist/celery/index'])
    for (const ext of ['.js', '.d.ts']) assert.ok(files.includes(entry + ext), entry + ext);
  for (const f of ['index.html', 'app.js', 'app.css', 'chart.js'])
    assert.ok(files.includes(`dist/observe/dashboard/static/${f}`), `dashboard ${f}`);
  const stray = files.filter(
    (f) =>
      !/^(package\.json|README\.md|CHANGELOG\.md|dist\/THIRD-PARTY-LICENSES\.md)$/.test(f) &&
      !(f.startsWith('dist/') && /\.(js|d\.ts|html|css)$/.test(f)),
  );
  assert.deepEqual(stray, [], 'only dist/ and the package documents');
  const tests = files.filter((f) => /(\.test\.|\/test-|-fixtures\.)/.test(f));
  assert.deepEqual(tests, [], 'no tests or test fixtures');
  assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources');
});

test('the install has production dependencies only: no tsx, TypeScript or test tools', () => {
  const installed = readdirSync(join(pkg.prefix, 'node_modules'));
  for (const dev of ['tsx', 'typescript', 'eslint', 'prettier', 'playwright-core', 'nats'])
    assert.ok(!installed.includes(dev), `${dev} is not installed`);
  const manifest = JSON.parse(readFileSync(join(pkg.packageDir, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  assert.deepEqual(manifest.bin, { tide: './dist/cli/main.js' });
});

test('tide --version, validate and operator --help run from the install', async () => {
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal((await tide(['--version'])).stdout.trim(), version.version);
  const valid = await tide(['validate', join(repoRoot, 'examples/celery-redis')]);
  assert.match(valid.stdout, /^valid: 3 file\(s\), 3 object\(s\), 0 error\(s\)/);
  const help = await tide(['operator', '--help']);
  assert.match(help.stdout, /--leader-elect/);
});

test('tide validate and tide --version load no client library', async () => {
  // A module-loading hook lists every package the process loads (ESM imports and requires
  // made through them both pass the resolve hook).
  writeFileSync(
    join(app, 'packages-hook.mjs'),
    `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) process.stderr.write('package ' + m[1] + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(app, 'packages.mjs'),
    "import { register } from 'node:module';\nregister('./packages-hook.mjs', import.meta.url);\n",
  );
  const loaded = async (args: string[]) => {
    const r = await run(
      process.execPath,
      ['--import', join(app, 'packages.mjs'), join(pkg.packageDir, 'dist/cli/main.js'), ...args],
      { cwd: app, env: userEnv, encoding: 'utf8' },
    );
    const names = [...r.stderr.matchAll(/^package (\S+)$/gm)].map((m) => m[1]!);
    return new Set(names.filter((n) => n !== 'tide-autoscaler'));
  };
  const drivers = ['ioredis', 'pg', 'mysql2', 'mongodb', 'kafkajs', 'amqplib', 'cron-parser'];
  const heavy = [...drivers, '@kubernetes/client-node', 'prom-client', 'pino', 'bson'];
  const validate = await loaded(['validate', join(repoRoot, 'examples/celery-redis')]);
  assert.ok(validate.has('yaml'), `the hook sees packages (${[...validate].join(', ')})`);
  assert.deepEqual(
    heavy.filter((p) => validate.has(p)),
    [],
    'tide validate loads none of these',
  );
  const version = await loaded(['--version']);
  assert.deepEqual([...version], ['commander'], 'tide --version loads commander only');
});

test("tide simulate --html inlines the dashboard's chart and uPlot from the package", async () => {
  const html = join(app, 'sim.html');
  await tide([
    'simulate',
    join(repoRoot, 'examples/celery-redis'),
    '--trace',
    join(repoRoot, 'examples/traces/celery-redis.csv'),
    '--html',
    html,
  ]);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /uPlot/, 'uPlot is inlined');
  assert.ok(page.length > 50_000, `a self-contained page (${page.length} bytes)`);
});

test('tide celery worker names a bad flag, and says how to load a TypeScript tasks file', async () => {
  const bad = await tide(['celery', 'worker', '--app', 'x.js', '--concurrency', 'lots']).then(
    () => assert.fail('a bad --concurrency must fail'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--concurrency must be a non-negative integer/);
  writeFileSync(join(app, 'tasks.ts'), 'export const tasks = {};\n');
  const ts = await tide(['celery', 'worker', '--app', 'tasks.ts']).then(
    () => assert.fail('a .ts module without a loader must fail'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(ts.code, 2);
  assert.match(ts.stderr, /tasks\.ts is TypeScript and no loader is installed/);
});

let redis: RedisServer | undefined;
let up: TideUp | undefined;
after(async () => {
  await up?.stop();
  await redis?.stop();
});

test('tide up scales a [tide, celery, worker] Deployment 0 -> 1 -> 0 for a task a plain .mjs sends', async () => {
  redis = await startRedis();
  const broker = `redis://127.0.0.1:${redis.port}/0`;
  const queue = 'package-test';
  writeFileSync(
    join(app, 'tasks.mjs'),
    `export function register(worker) {\n  worker.register('tasks.add', async ([x, y]) => x + y);\n}\n`,
  );
  writeFileSync(
    join(app, 'app.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 0
  selector:
    matchLabels: { app: worker }
  template:
    metadata:
      labels: { app: worker }
    spec:
      terminationGracePeriodSeconds: 10
      containers:
        - name: worker
          command: [tide, celery, worker, --app, tasks.mjs, --queues, ${queue}, --concurrency, '1']
          env:
            - { name: CELERY_BROKER_URL, value: '${broker}' }
            - { name: CELERY_RESULT_BACKEND, value: '${broker}' }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
  pollingInterval: 1
  cooldownPeriod: 2
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${redis.port}
        listName: ${queue}
        listLength: '1'
`,
  );
  // A plain ES module, run by plain node: the package resolves from the install's node_modules.
  writeFileSync(
    join(app, 'send.mjs'),
    `import { AsyncResult, Producer, Worker } from 'tide-autoscaler/celery';
import { validate } from 'tide-autoscaler';
if (typeof Worker !== 'function' || typeof AsyncResult !== 'function') throw new Error('exports');
const report = await validate(['app.yaml']);
if (!report.valid) throw new Error(report.errors.map(String).join('\\n'));
const producer = new Producer({ broker: '${broker}', resultBackend: '${broker}' });
const result = await producer.sendTask('tasks.add', [2, 3], {}, { queue: '${queue}' });
console.log('result', await result.get({ timeout: 60 }));
await producer.close();
`,
  );
  up = await startTideUp(app, ['--plain', '--no-dashboard', 'app.yaml'], userEnv, {
    tide: pkg.tide,
  });
  const replicas = async () => (await up!.object('ScaledObject', 'worker'))?.runningReplicas;
  await waitFor(async () => (await replicas()) === 0, { timeoutMs: 30_000, what: '0 replicas' });

  const sending = run(process.execPath, ['send.mjs'], { cwd: app, env: userEnv });
  await waitFor(async () => (await replicas()) === 1, {
    timeoutMs: 60_000,
    what: 'one worker for the task on the list',
  });
  const sent = await sending;
  assert.match(sent.stdout, /^result 5$/m, 'the worker tide up started ran the task');
  await waitFor(async () => (await replicas()) === 0, {
    timeoutMs: 60_000,
    what: 'back to 0 replicas after the cooldown',
  });
  const log = readFileSync(join(app, '.tide', 'decisions', 'decisions.jsonl'), 'utf8');
  assert.match(log, /"current":0,"decided":1/, 'a round scaled the worker out from 0');
  const replicaLogs = join(app, '.tide', 'logs', 'default', 'worker');
  assert.ok(existsSync(replicaLogs), 'a replica ran');
  const output = readdirSync(replicaLogs)
    .map((f) => readFileSync(join(replicaLogs, f), 'utf8'))
    .join('');
  assert.match(output, / ready: queues=package-test concurrency=1/, 'the packaged worker ran');
});
