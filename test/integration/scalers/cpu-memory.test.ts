/**
 * `cpu` and `memory` triggers in local mode, through `tide up`: replicas are real processes and
 * their usage is read from /proc. Thresholds sit far apart so a loaded 2-core machine gives the
 * same answer: a busy loop against a 100m request is hundreds of percent, an idle process ~0 %;
 * a process holding 160 MiB against 64 MiB per replica needs more than one, a bare node process
 * against 1 GiB does not.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ObjectStatus } from '../../../src/scheduler/status.js';
import { startTideUp, type TideUp } from '../../support/tide-process.js';
import { waitFor } from '../../support/wait-for.js';

let dir: string;
let burnFlag: string;
let tide: TideUp | undefined;

/** Spins while the flag file exists (checked every 50 ms), idles otherwise. */
const BURNER = `
const fs = require('fs');
const flag = process.env.BURN_FLAG;
function tick() {
  if (fs.existsSync(flag)) { const end = Date.now() + 50; while (Date.now() < end); setImmediate(tick); }
  else setTimeout(tick, 200);
}
tick();
`;
const HOG = `globalThis.hold = Buffer.alloc(160 * 1024 * 1024, 1); setInterval(() => {}, 1000);`;
const IDLE = `setInterval(() => {}, 1000);`;

function deployment(name: string, script: string, resources: string, env = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: main
          command: ['node', '-e', ${JSON.stringify(script)}]
${env}${resources}
`;
}

function scaledObject(name: string, type: string, metricType: string, value: string): string {
  return `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    name: ${name}
  pollingInterval: 1
  minReplicaCount: 1
  maxReplicaCount: 2
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 0
  triggers:
    - type: ${type}
      metricType: ${metricType}
      metadata:
        value: '${value}'
`;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tide-resource-'));
  burnFlag = join(dir, 'burn');
  const docs = [
    deployment(
      'burner',
      BURNER,
      '          resources:\n            requests: { cpu: 100m }\n',
      `          env:\n            - name: BURN_FLAG\n              value: ${JSON.stringify(burnFlag)}\n`,
    ),
    scaledObject('burner', 'cpu', 'Utilization', '50'),
    // KEDA's webhook wants a request (or limit) for the resource a trigger reads.
    deployment('hog', HOG, '          resources:\n            requests: { memory: 64Mi }\n'),
    scaledObject('hog', 'memory', 'AverageValue', '64Mi'),
    deployment('light', IDLE, '          resources:\n            limits: { memory: 1Gi }\n'),
    scaledObject('light', 'memory', 'AverageValue', '1Gi'),
  ];
  writeFileSync(join(dir, 'resources.yaml'), docs.join('---\n'));
  writeFileSync(
    join(dir, 'no-request.yaml'),
    [
      deployment('no-request', IDLE, ''),
      scaledObject('no-request', 'cpu', 'Utilization', '50'),
    ].join('---\n'),
  );
});

after(async () => {
  await tide?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('cpu and memory triggers under tide up', () => {
  const so = async (name: string): Promise<ObjectStatus | undefined> =>
    tide?.object('ScaledObject', name);
  const trig = async (name: string) => (await so(name))?.triggers[0];
  let finished = false;

  before(async () => {
    tide = await startTideUp(dir, ['resources.yaml', 'no-request.yaml']);
  });
  after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-4000)}`);
  });

  test('a busy replica scales out on cpu Utilization and back in when it idles', async () => {
    // Idle first: a low reading at one replica, so the scale-out below is the busy loop's doing.
    await waitFor(
      async () =>
        ((await trig('burner'))?.value ?? 100) < 25 && (await so('burner'))?.runningReplicas === 1,
      { timeoutMs: 30_000, what: 'an idle burner at one replica' },
    );
    writeFileSync(burnFlag, '');
    await waitFor(async () => (await so('burner'))?.runningReplicas === 2, {
      timeoutMs: 30_000,
      what: `2 burner replicas (last: ${JSON.stringify(await trig('burner'))})`,
    });
    const hot = await trig('burner');
    assert.equal(hot?.metricName, 's0-cpu');
    assert.equal(hot?.targetType, 'Utilization');
    rmSync(burnFlag);
    await waitFor(async () => (await so('burner'))?.runningReplicas === 1, {
      timeoutMs: 30_000,
      what: 'back to minReplicaCount 1 once idle',
    });
    const cold = await trig('burner');
    assert.ok((cold?.value ?? 100) < 25, `idle utilization is low, got ${cold?.value}`);
  });

  test('a replica holding memory scales out on memory AverageValue; a small one does not', async () => {
    await waitFor(async () => (await so('hog'))?.runningReplicas === 2, {
      timeoutMs: 30_000,
      what: `2 hog replicas (last: ${JSON.stringify(await trig('hog'))})`,
    });
    const hog = await trig('hog');
    assert.ok((hog?.value ?? 0) > 2 * 160 * 2 ** 20, `two hogs hold > 320 MiB, got ${hog?.value}`);
    const light = await trig('light');
    assert.ok(
      light?.value !== undefined && light.value > 5 * 2 ** 20,
      `a node process has some RSS: ${light?.value}`,
    );
    assert.ok(light.value < 2 ** 30);
    assert.equal((await so('light'))?.runningReplicas, 1);
  });

  test("a cpu trigger on a container without a cpu request is refused, as KEDA's webhook refuses it", async () => {
    await waitFor(
      () =>
        Promise.resolve(
          /no-request\.yaml[\s\S]*doesn't have the cpu request defined/.test(tide?.output() ?? ''),
        ),
      { timeoutMs: 20_000, what: 'the refused file named in the output' },
    );
    assert.equal(await so('no-request'), undefined);
    finished = true;
  });
});
