/**
 * The warning rule end to end: a manifest KEDA's admission accepts, whose trigger can only fail
 * (a Redis address without a port), is not refused. `tide validate` exits 0 and prints the
 * warning, `tide up` runs it and logs it, `tide status` shows it, and the trigger reports the
 * reason as its error, while the target keeps its replicas.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { renderStatusTable } from '../../../src/local/status-table.js';
import { startTideUp, tideBin, type TideUp } from '../../support/tide-process.js';
import { waitFor } from '../../support/wait-for.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: worker }
spec:
  replicas: 1
  template:
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          command: ['node', '-e', 'setInterval(() => {}, 1000)']
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: worker }
spec:
  scaleTargetRef: { name: worker }
  pollingInterval: 1
  minReplicaCount: 0
  triggers:
    - type: redis
      metadata:
        address: redis-without-port
        listName: jobs
`;

const WARNING =
  'spec.triggers[0].metadata.address: address "redis-without-port" cannot be dialed (missing port in address); write host:port. KEDA accepts this manifest, but the trigger fails there too';

let dir: string;
let tide: TideUp | undefined;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tide-keda-accepts-'));
  writeFileSync(join(dir, 'app.yaml'), MANIFEST);
});
after(async () => {
  await tide?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('tide validate exits 0 and prints the warning naming the field', () => {
  const r = spawnSync(process.execPath, [tideBin, 'validate', 'app.yaml'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(r.stdout.includes(`warning: app.yaml:`), r.stdout);
  assert.ok(r.stdout.includes(WARNING), r.stdout);
  assert.match(r.stdout, /^valid: 1 file\(s\), 2 object\(s\), 0 error\(s\), 1 warning\(s\)$/m);
});

test('tide up runs it, logs the warning, shows it in tide status, and the trigger fails with the reason', async () => {
  tide = await startTideUp(dir, ['app.yaml']);
  const status = await tide.status();
  assert.equal(status.warnings?.length, 1);
  assert.ok(status.warnings?.[0]?.includes(WARNING), status.warnings?.[0]);
  assert.ok(renderStatusTable(status).includes(`warnings:\n  ${status.warnings?.[0] ?? ''}`));
  assert.ok(tide.output().includes(WARNING));
  const so = await waitFor(
    async () => {
      const o = await tide?.object('ScaledObject', 'worker');
      return o?.triggers[0]?.error ? o : undefined;
    },
    { timeoutMs: 15_000, what: 'the trigger to report its error' },
  );
  assert.match(so.triggers[0]?.error ?? '', /address "redis-without-port" cannot be dialed/);
  // A failing trigger never scales its target down.
  assert.equal(so.runningReplicas, 1);
});
