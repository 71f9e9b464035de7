/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never a
 * downloaded browser). `tide up` runs the redis-list example against a private Redis; the
 * page must list the object, chart every round, follow the backlog when items are pushed
 * (metric and replicas), show a replica's output, and explain a decision on hover. The token
 * rule: a non-loopback host without a token refuses to start, a wrong token gets 401, the
 * right one (once, in the URL) becomes an HttpOnly cookie the live page then works with.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { editManifests, firstContainer, setEnv } from '../support/manifest-edit.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { repoRoot, startTideUp, tideBin, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import { startDashboardServer } from '../../src/observe/dashboard/server.js';
import type { DashboardSource, DecisionRecord } from '../../src/observe/dashboard/source.js';
import { reason, TIDE } from '../../src/engine/reasons.js';
import { HttpConfigError } from '../../src/observe/http-auth.js';
import { Secret } from '../../src/secret.js';

const CHROMIUM = '/usr/bin/chromium';
const CANARY = 'dashboard-canary-7f3a9c';

let redisServer: RedisServer;
let redis: Redis;
let dir: string;
let tide: TideUp | undefined;
let browser: Browser;

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`,
  );
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  redisServer = await startRedis();
  redis = new Redis(redisServer.port, '127.0.0.1');
  dir = mkdtempSync(join(tmpdir(), 'tide-e2e-dashboard-'));
  editManifests(
    join(repoRoot, 'examples/redis-list/worker.yaml'),
    join(dir, 'worker.yaml'),
    (doc) => {
      if (doc.kind === 'Deployment') {
        const c = firstContainer(doc);
        setEnv(c, 'REDIS_HOST', `127.0.0.1:${redisServer.port}`);
        // Slow enough that the backlog needs more than one replica for a while.
        setEnv(c, 'WORK_MS', '400');
        // An env value must never reach the page (the dashboard sends no env, no metadata).
        setEnv(c, 'DASHBOARD_CANARY', CANARY);
        c.workingDir = join(repoRoot, 'examples/redis-list');
      }
    },
  );
});

after(async () => {
  await tide?.stop();
  await browser?.close();
  redis?.disconnect();
  await redisServer?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the page lists the objects, charts every round, follows the backlog and shows replica output', async (t) => {
  tide = await startTideUp(dir, ['--plain', '--dashboard-port', '0', 'worker.yaml']);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-4000)}`);
  });
  const url = (await tide.status()).dashboard;
  assert.ok(
    url !== undefined && url.startsWith('http://127.0.0.1:'),
    `dashboard URL in status: ${url}`,
  );
  const statusText = spawnSync(process.execPath, [tideBin, 'status'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(statusText.status, 0, statusText.stderr);
  assert.ok(
    statusText.stdout.includes(`dashboard: ${url}`),
    `tide status prints the URL:\n${statusText.stdout}`,
  );

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  const key = 'ScaledObject/default/list-worker';
  const row = page.locator(`#objects tbody tr[data-key="${key}"]`);
  await row.waitFor({ timeout: 15_000 });
  assert.match(await row.innerText(), /default\/list-worker/);
  await waitFor(
    async () => (await page.locator('#connection').getAttribute('data-state')) === 'live',
    {
      timeoutMs: 10_000,
      what: 'the page to be connected to /events',
    },
  );

  const chart = page.locator(`article.card[data-key="${key}"] .tide-chart`);
  const num = async (attr: string) => Number(await chart.getAttribute(attr));
  // pollingInterval is 1 s: new rounds arrive as events, without reloading the page.
  const before = await waitFor(
    async () => ((await num('data-points')) >= 2 ? num('data-points') : undefined),
    {
      timeoutMs: 15_000,
      what: 'the chart to hold at least two rounds',
    },
  );
  await waitFor(async () => (await num('data-points')) >= before + 2, {
    timeoutMs: 15_000,
    what: 'the chart to grow with live rounds',
  });
  assert.equal(await num('data-peak-value'), 0, 'the list is empty before the push');

  await redis.lpush('jobs', ...Array.from({ length: 40 }, (_, i) => `item-${i}`));
  await waitFor(async () => (await num('data-peak-value')) >= 10, {
    timeoutMs: 15_000,
    what: 'the chart to show the backlog',
  });
  await waitFor(async () => (await num('data-peak-count')) > 1, {
    timeoutMs: 30_000,
    what: 'the chart to show more than one replica',
  });
  await waitFor(async () => /[2-5] running/.test(await row.innerText()), {
    timeoutMs: 30_000,
    what: 'the objects table to show the replicas running',
  });

  const logs = page.locator(`article.card[data-key="${key}"] .logs pre`);
  await waitFor(
    async () => (await logs.allInnerTexts()).some((l) => /processed item-\d+/.test(l)),
    {
      timeoutMs: 30_000,
      what: "a replica's output in the logs panel",
    },
  );

  // Hovering the chart names the decision and its reasons.
  const box = await page.locator(`article.card[data-key="${key}"] .u-over`).boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
  const reasons = page.locator(`article.card[data-key="${key}"] .tide-reasons li`);
  await waitFor(async () => (await reasons.count()) > 0, {
    timeoutMs: 5_000,
    what: 'reasons on hover',
  });
  assert.match((await reasons.allInnerTexts()).join('\n'), /target 5/);

  const html = await page.content();
  const snapshot = await (await fetch(new URL('api/snapshot', url))).text();
  assert.ok(!html.includes(CANARY) && !snapshot.includes(CANARY), 'no env value on the page');
  assert.deepEqual(pageErrors, []);
  await page.close();
  finished = true;
});

test('a non-loopback host without a token refuses to start tide up', async () => {
  const other = mkdtempSync(join(tmpdir(), 'tide-e2e-dashboard-host-'));
  try {
    editManifests(join(dir, 'worker.yaml'), join(other, 'worker.yaml'), () => undefined);
    const child = spawn(
      process.execPath,
      [tideBin, 'up', '--plain', '--dashboard-host', '0.0.0.0', 'worker.yaml'],
      {
        cwd: other,
        env: { ...process.env, TIDE_DASHBOARD_TOKEN: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 1, out);
    assert.match(out, /--dashboard-host 0\.0\.0\.0 is reachable from other machines/);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('off loopback a wrong token gets 401 and the right one, once in the URL, opens the live page', async () => {
  const source: DashboardSource = {
    objects: () => [
      {
        key: 'ScaledObject/default/demo',
        kind: 'ScaledObject',
        namespace: 'default',
        name: 'demo',
        conditions: { ready: true, active: false, paused: false, fallback: false },
        triggers: [],
        hasLogs: false,
      },
    ],
    records: () => [],
    subscribe: () => () => undefined,
  };
  await assert.rejects(
    startDashboardServer({ host: '0.0.0.0', port: 0, source }),
    (e: unknown) =>
      e instanceof HttpConfigError && /--dashboard-token or TIDE_DASHBOARD_TOKEN/.test(e.message),
  );
  const token = 'right-token-4c1d';
  const server = await startDashboardServer({
    host: '0.0.0.0',
    port: 0,
    token: new Secret(token),
    source,
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    for (const [what, init, path] of [
      ['no token', {}, '/'],
      ['a wrong bearer token', { headers: { authorization: 'Bearer wrong' } }, '/api/snapshot'],
      ['a wrong token in the URL', {}, '/?token=wrong'],
      ['the event stream without a token', {}, '/events'],
    ] as const) {
      const res = await fetch(base + path, { ...init, redirect: 'manual' });
      assert.equal(res.status, 401, what);
      assert.ok(!(await res.text()).includes(token));
    }
    const ok = await fetch(`${base}/api/snapshot`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ok.status, 200);

    const redirect = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('location'), '/');
    assert.match(redirect.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);

    const page = await browser.newPage();
    await page.goto(`${base}/?token=${token}`);
    await page
      .locator('#objects tbody tr[data-key="ScaledObject/default/demo"]')
      .waitFor({ timeout: 10_000 });
    await waitFor(
      async () => (await page.locator('#connection').getAttribute('data-state')) === 'live',
      {
        timeoutMs: 10_000,
        what: 'the event stream to open with the cookie',
      },
    );
    assert.ok(!page.url().includes(token), `the token left the address bar: ${page.url()}`);
    assert.equal(await page.evaluate('document.cookie'), '', 'the cookie is HttpOnly');
    await page.close();
  } finally {
    await server.close();
  }
});

/** An in-memory source: one ScaledJob with jobs, records that the test publishes. */
function fakeJobSource() {
  const ref = { kind: 'ScaledJob' as const, namespace: 'media', name: 'transcode' };
  const records: DecisionRecord[] = [];
  const listeners = new Set<(r: typeof ref, rec: DecisionRecord) => void>();
  const now = Date.now();
  const source: DashboardSource = {
    objects: () => [
      {
        key: 'ScaledJob/media/transcode',
        kind: 'ScaledJob',
        namespace: 'media',
        name: 'transcode',
        conditions: { ready: true, active: true, paused: false, fallback: false },
        jobsRunning: 1,
        triggers: [
          { index: 0, type: 'mongodb', value: records.at(-1)?.triggers[0]?.value ?? 0, target: 1 },
        ],
        jobs: [
          {
            name: 'transcode-a1',
            state: 'Succeeded',
            attempts: 1,
            startTime: new Date(now - 9000).toISOString(),
            completionTime: new Date(now - 4000).toISOString(),
            exitCode: 0,
          },
          {
            name: 'transcode-b2',
            state: 'Running',
            attempts: 1,
            startTime: new Date(now - 2000).toISOString(),
          },
        ],
        hasLogs: false,
      },
    ],
    records: () => records,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const publish = (value: number, created: number) => {
    const rec: DecisionRecord = {
      at: new Date(Date.now() + records.length * 1000).toISOString(),
      current: 1,
      decided: created,
      isActive: value > 0,
      triggers: [{ index: 0, type: 'mongodb', value, target: 1, targetType: 'AverageValue' }],
      reasons: [reason(TIDE.JobQueue, `queue ${value}, ${created} job(s) to create`)],
    };
    records.push(rec);
    for (const l of listeners) l(ref, rec);
  };
  return { source, publish };
}

test('a ScaledJob shows its jobs and job chart, and a dropped event stream reconnects to a fresh snapshot', async () => {
  const { source, publish } = fakeJobSource();
  publish(3, 2);
  const server = await startDashboardServer({ host: '127.0.0.1', port: 0, source });
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    const card = page.locator('article.card[data-key="ScaledJob/media/transcode"]');
    await card.waitFor({ timeout: 10_000 });
    const rows = card.locator('.jobs tbody tr');
    await waitFor(async () => (await rows.count()) === 2, {
      timeoutMs: 5_000,
      what: 'two job rows',
    });
    assert.match(await rows.nth(0).innerText(), /transcode-b2\s+Running/);
    assert.match(await rows.nth(1).innerText(), /transcode-a1\s+Succeeded \(exit 0\)\s+\S+.*\s5s/);
    const chart = card.locator('.tide-chart');
    assert.equal(await chart.getAttribute('data-points'), '1');

    publish(5, 3);
    await waitFor(async () => (await chart.getAttribute('data-points')) === '2', {
      timeoutMs: 5_000,
      what: 'a live record on the chart',
    });
    // Drop every connection: the page reconnects by itself and a record published while it
    // was away arrives in the fresh snapshot.
    server.server.closeAllConnections();
    publish(7, 1);
    await waitFor(async () => (await chart.getAttribute('data-points')) === '3', {
      timeoutMs: 15_000,
      what: 'the snapshot after the reconnect to hold the missed record',
    });
    assert.equal(await page.locator('#connection').getAttribute('data-state'), 'live');
    assert.equal(await chart.getAttribute('data-peak-value'), '7');
  } finally {
    await page.close();
    await server.close();
  }
});

test('tide simulate --html writes a page that draws the chart offline', async () => {
  const out = mkdtempSync(join(tmpdir(), 'tide-e2e-sim-html-'));
  try {
    const file = join(out, 'sim.html');
    const child = spawn(
      process.execPath,
      [
        tideBin,
        'simulate',
        'examples/celery-redis',
        '--trace',
        'examples/traces/celery-redis.csv',
        '--html',
        file,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    assert.equal(await new Promise((r) => child.once('exit', r)), 0, text);
    const steps = text.split('\n').filter((l) => l.startsWith('t=')).length;
    const page = await browser.newPage();
    // Offline: any request the page makes besides the file itself fails the test.
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(`file://${file}`);
    const chart = page.locator('.tide-chart');
    await chart.waitFor({ timeout: 10_000 });
    assert.equal(Number(await chart.getAttribute('data-points')), steps);
    assert.ok(steps > 10);
    assert.deepEqual(requests, []);
    await page.close();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
