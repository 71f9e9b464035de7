/**
 * Screenshots of the dashboard during the first source document's story (examples/celery-redis
 * with its producer), saved as docs/images/dashboard-overview.png and dashboard-object.png.
 *
 *   npx tsx scripts/screenshots.ts
 *
 * Runs the example's manifests from a temp copy against a private Redis, with the story's
 * clock compressed (pollingInterval 2 s instead of 15, cooldownPeriod 15 s instead of 200,
 * tasks of 1-3 s instead of 1-9) so it takes about a minute and a half. Needs Debian's
 * chromium at /usr/bin/chromium (driven by playwright-core; no browser is downloaded).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { startRedis } from '../test/support/redis-server.js';
import { repoRoot, startTideUp } from '../test/support/tide-process.js';
import { waitFor } from '../test/support/wait-for.js';

const example = join(repoRoot, 'examples', 'celery-redis');
const out = join(repoRoot, 'docs', 'images');
const KEY = 'ScaledObject/default/redis-scaledobject';

function edit(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`the example changed: ${String(from)} not found`);
  return next;
}

const redisServer = await startRedis();
const redis = new Redis(redisServer.port, '127.0.0.1');
const dir = mkdtempSync(join(tmpdir(), 'tide-screenshots-'));
let tide: Awaited<ReturnType<typeof startTideUp>> | undefined;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  for (const f of readdirSync(example).filter((n) => n.endsWith('.yaml'))) {
    let text = readFileSync(join(example, f), 'utf8');
    if (f === 'consumer.yaml') {
      text = edit(text, 'value: 127.0.0.1:6379', `value: 127.0.0.1:${redisServer.port}`);
      text = edit(text, /( +)command: /, `$1workingDir: ${JSON.stringify(example)}\n$1command: `);
      text = edit(
        text,
        /( +)- name: REDIS_LIST\n/,
        `$1- name: SLEEP_MIN_S\n$1  value: '1'\n$1- name: SLEEP_MAX_S\n$1  value: '3'\n$&`,
      );
    }
    if (f === 'scaledobject.yaml') {
      text = edit(text, 'pollingInterval: 15', 'pollingInterval: 2');
      text = edit(text, 'cooldownPeriod: 200', 'cooldownPeriod: 15');
    }
    writeFileSync(join(dir, f), text);
  }
  tide = await startTideUp(dir, ['--plain', '--dashboard-port', '0', '.']);
  const url = (await tide.status()).dashboard;
  if (!url) throw new Error('tide up reported no dashboard URL');
  console.log(`dashboard ${url}`);

  const producer = spawn(process.execPath, ['--import', 'tsx', join(example, 'producer.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      REDIS_HOST: `127.0.0.1:${redisServer.port}`,
      COUNT: '150',
      INTERVAL_MS: '200',
    },
    stdio: 'ignore',
  });
  const produced = new Promise<void>((r) => producer.once('exit', () => r()));

  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(url);
  await page.locator(`article.card[data-key="${KEY}"]`).waitFor({ timeout: 20_000 });
  const chart = page.locator(`article.card[data-key="${KEY}"] .tide-chart`);
  const so = () => tide!.object('ScaledObject', 'redis-scaledobject');

  // Overview: mid-story, several workers running and the backlog high.
  await waitFor(async () => ((await so())?.runningReplicas ?? 0) >= 4, {
    timeoutMs: 90_000,
    what: 'four or more workers',
  });
  await waitFor(
    async () => /saved hash info/.test((await page.locator('.logs').innerText()) ?? ''),
    {
      timeoutMs: 30_000,
      what: 'worker output in the logs panel',
    },
  );
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'dashboard-overview.png') });
  console.log('saved dashboard-overview.png');

  // The object: the whole rise and fall, hovering the peak to show its reasons.
  await produced;
  await waitFor(async () => (await redis.llen('celery')) === 0, {
    timeoutMs: 120_000,
    what: 'the list to drain',
  });
  await waitFor(async () => (await so())?.runningReplicas === 0, {
    timeoutMs: 120_000,
    what: 'zero workers after the cooldown',
  });
  await waitFor(async () => Number(await chart.getAttribute('data-count')) === 0, {
    timeoutMs: 10_000,
    what: 'the chart to show zero replicas',
  });
  const meta = page.locator(`article.card[data-key="${KEY}"] .meta`);
  await waitFor(async () => /\b0 running/.test(await meta.innerText()), {
    timeoutMs: 10_000,
    what: 'the card to show zero running replicas',
  });
  const points = await chart.getAttribute('data-points');
  const box = await page.locator(`article.card[data-key="${KEY}"] .u-over`).boundingBox();
  if (!box) throw new Error('no chart on the page');
  // Hover the rise, where a scale-out decision explains itself.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.locator(`article.card[data-key="${KEY}"] .tide-reasons li`).first().waitFor();
  await page
    .locator(`article.card[data-key="${KEY}"]`)
    .screenshot({ path: join(out, 'dashboard-object.png') });
  console.log(`saved dashboard-object.png (${points} points)`);
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await browser.close();
  await tide?.stop();
  redis.disconnect();
  await redisServer.stop();
  rmSync(dir, { recursive: true, force: true });
}
