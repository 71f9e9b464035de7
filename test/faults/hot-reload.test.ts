/**
 * Hot reload under a real `tide up <folder>`: every way an editor or a script saves a manifest
 * must reload it, checked through the control socket (the new value is live, not just "a
 * reload happened"). Reported: after a save by rename, later saves were missed, so a fix to a
 * rejected edit never applied; and MaxListenersExceededWarning appeared after some reloads.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

let redis: RedisServer;
let dir: string;
let tide: TideUp | undefined;

const IDLE = ['node', '-e', 'setInterval(() => {}, 1000)'];

function workload(name: string, listLength: string, port: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 0
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: worker
          command: ${JSON.stringify(IDLE)}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    name: ${name}
  pollingInterval: 1
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${port}
        listName: hot-reload-${name}
        listLength: "${listLength}"
`;
}

before(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'tide-hot-reload-'));
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, 'manifests', 'worker.yaml'), workload('worker', '1', redis.port));
});

after(async () => {
  await tide?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The live target of an object's first trigger, as `tide status` reports it. */
async function liveTarget(name: string): Promise<number | undefined> {
  return (await tide!.object('ScaledObject', name))?.triggers[0]?.target;
}

async function expectLive(name: string, listLength: number, how: string): Promise<void> {
  await waitFor(async () => (await liveTarget(name)) === listLength, {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: `listLength ${listLength} live after a save by ${how} (now ${await liveTarget(name)})`,
  });
}

test('every way of saving a manifest reloads it, a fix clears a rejection, and no listener leaks', async (t) => {
  tide = await startTideUp(dir, ['manifests']);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-4000)}`);
  });
  const file = join(dir, 'manifests', 'worker.yaml');
  const port = redis.port;
  await expectLive('worker', 1, 'nothing (the first load)');

  // Editors that save atomically: a temp file renamed over the original. This is the save
  // after which later saves used to be missed, so it comes first.
  writeFileSync(join(dir, 'manifests', '.worker.yaml.tmp'), workload('worker', '2', port));
  renameSync(join(dir, 'manifests', '.worker.yaml.tmp'), file);
  await expectLive('worker', 2, 'temp file + rename');

  writeFileSync(file, workload('worker', '3', port)); // in place: truncate and write
  await expectLive('worker', 3, 'in-place write');

  execFileSync('sed', ['-i', 's/listLength: "3"/listLength: "4"/', file]);
  await expectLive('worker', 4, 'sed -i');

  // vim's default: the original renamed to a backup, a new file written, the backup removed.
  renameSync(file, `${file}~`);
  writeFileSync(file, workload('worker', '5', port));
  unlinkSync(`${file}~`);
  await expectLive('worker', 5, 'rename away + new file');

  unlinkSync(file);
  writeFileSync(file, workload('worker', '6', port));
  await expectLive('worker', 6, 'delete + recreate');

  // Append (>>): a second workload added at the end of the same file.
  appendFileSync(file, `---\n${workload('appended', '7', port)}`);
  await expectLive('appended', 7, 'append');

  const extra = join(dir, 'manifests', 'extra.yaml');
  writeFileSync(extra, workload('extra', '8', port));
  await expectLive('extra', 8, 'a new file in the folder');

  // A new sub-folder, then a file saved into it.
  mkdirSync(join(dir, 'manifests', 'more'));
  writeFileSync(join(dir, 'manifests', 'more', 'nested.yaml'), workload('nested', '9', port));
  await expectLive('nested', 9, 'a new file in a new sub-folder');

  // The sub-folder removed and made again: its new inode is watched, so later saves count.
  const more = join(dir, 'manifests', 'more');
  rmSync(more, { recursive: true });
  mkdirSync(more);
  writeFileSync(join(more, 'nested.yaml'), workload('nested', '10', port));
  await expectLive('nested', 10, 'a sub-folder removed and made again');
  writeFileSync(join(more, 'nested.yaml'), workload('nested', '15', port));
  await expectLive('nested', 15, 'an in-place write in the new sub-folder');

  unlinkSync(extra);
  await waitFor(async () => (await tide!.object('ScaledObject', 'extra')) === undefined, {
    timeoutMs: 15_000,
    what: 'the objects of a removed file to go',
  });

  // A rejected edit keeps the previous version running and says so; the fix clears it.
  writeFileSync(file, workload('worker', 'ten', port));
  const rejected = await waitFor(
    async () => (await tide!.status()).rejected.find((r) => r.file === file),
    { timeoutMs: 15_000, what: 'the invalid edit to be rejected' },
  );
  assert.match(rejected.errors.join('\n'), /listLength/);
  assert.equal(await liveTarget('worker'), 6, 'the previous version keeps running');
  writeFileSync(join(dir, 'manifests', '.worker.yaml.tmp'), workload('worker', '11', port));
  renameSync(join(dir, 'manifests', '.worker.yaml.tmp'), file);
  await expectLive('worker', 11, 'temp file + rename (the fix)');
  assert.deepEqual((await tide.status()).rejected, [], 'the rejection is cleared by the fix');

  // A few more quick in-place saves after all that renaming.
  for (const n of [12, 13, 14]) {
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/listLength: "\d+"/, `listLength: "${n}"`),
    );
    await expectLive('worker', n, `in-place write #${n}`);
  }

  const out = tide.output();
  const reloads = out.match(/manifests changed, reloading/g)?.length ?? 0;
  assert.ok(reloads >= 10, `at least 10 reloads happened, saw ${reloads}`);
  assert.doesNotMatch(out, /MaxListenersExceededWarning/);
  assert.equal(await tide.stop(), 0);
  finished = true;
});
