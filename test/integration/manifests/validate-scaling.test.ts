/**
 * `tide validate` and `tide up`'s reload must stay linear in the number of documents and files
 * (8,000 documents once took 28 s: an in-file duplicate check scanned every earlier object).
 * Timing tests are flaky on a shared machine, so these count work instead: the array elements
 * visited by the usual scanning methods (find, indexOf, filter, slice, some...) while loading
 * n and 2n documents. A linear loader visits about twice as many; a scan per document, four
 * times. The figures themselves (documents per second, memory) are in bench/validate.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ManifestSource } from '../../../src/local/manifest-source.js';
import {
  checkLocalTargets,
  loadManifestsFromString,
  validateSet,
} from '../../../src/manifests/index.js';

const SCANS = [
  'concat',
  'every',
  'filter',
  'find',
  'findIndex',
  'flatMap',
  'forEach',
  'includes',
  'indexOf',
  'join',
  'lastIndexOf',
  'map',
  'reduce',
  'slice',
  'some',
  'splice',
] as const;

/** Array elements visited by the scanning methods while `fn` runs. */
async function arrayWork(fn: () => unknown): Promise<number> {
  const proto = Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = SCANS.map((m) => [m, proto[m]!] as const);
  let visited = 0;
  for (const [m, original] of saved) {
    proto[m] = function (this: unknown[], ...args: unknown[]) {
      visited += this.length;
      return original.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    for (const [m, original] of saved) proto[m] = original;
  }
  return visited;
}

/** A workload as users write them: Deployment + Secret + TriggerAuthentication + ScaledObject. */
function documents(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: worker-${i} }
spec:
  template:
    spec:
      containers:
        - name: worker
          command: ["node", "worker.js"]
          env:
            - { name: REDIS_HOST, value: "127.0.0.1:6379" }
            - name: REDIS_PASSWORD
              valueFrom: { secretKeyRef: { name: pw-${i}, key: password } }
---
apiVersion: v1
kind: Secret
metadata: { name: pw-${i} }
stringData: { password: "p-${i}" }
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: { name: auth-${i} }
spec:
  secretTargetRef: [{ parameter: password, name: pw-${i}, key: password }]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: so-${i} }
spec:
  scaleTargetRef: { name: worker-${i} }
  triggers:
    - type: redis
      metadata: { addressFromEnv: REDIS_HOST, listName: "q-${i}", listLength: "10" }
      authenticationRef: { name: auth-${i} }
    - type: cron
      metadata: { timezone: Europe/Berlin, start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: "2" }
`;
}

function validateText(text: string): void {
  const r = loadManifestsFromString(text, 'all.yaml');
  assert.deepEqual(r.errors, []);
  const v = validateSet(r.set);
  assert.deepEqual(v.errors, []);
  assert.deepEqual(checkLocalTargets(r.set).errors, []);
}

/** Work for 2n over work for n: ~2 when linear, ~4 when quadratic. */
async function growth(run: (n: number) => unknown, n: number): Promise<number> {
  await run(Math.max(1, n / 10)); // warm caches (cron, schemas) so both runs start alike
  const one = await arrayWork(() => run(n));
  const two = await arrayWork(() => run(2 * n));
  return two / one;
}

const cases = [
  {
    name: 'documents in one file',
    run: (n: number) =>
      validateText(Array.from({ length: n }, (_, i) => documents(i)).join('---\n')),
  },
  {
    name: 'keys in one ConfigMap',
    run: (n: number) =>
      validateText(
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big }\ndata:\n${Array.from(
          { length: n * 10 },
          (_, i) => `  key-${i}: "value ${i}"\n`,
        ).join('')}`,
      ),
  },
  {
    name: 'documents the full parser reads (an alias in each)',
    run: (n: number) =>
      validateText(
        Array.from(
          { length: n },
          (_, i) =>
            `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm-${i}, labels: &l { a: b }, annotations: *l }\ndata: { k: v }\n`,
        ).join('---\n'),
      ),
  },
];
for (const c of cases) {
  test(`loading and validating ${c.name} is linear`, async () => {
    const ratio = await growth(c.run, 400);
    assert.ok(ratio < 2.6, `work for 2n / work for n = ${ratio.toFixed(2)} (linear is about 2)`);
  });
}

let root = '';
after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test('reloading a folder of many files (tide up) is linear in the number of files', async () => {
  root = await mkdtemp(join(tmpdir(), 'tide-scaling-'));
  const folder = async (n: number) => {
    const dir = join(root, String(n));
    await rm(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    for (let i = 0; i < n; i++) await writeFile(join(dir, `m-${i}.yaml`), documents(i));
    // One file with an error, so the rejected-file bookkeeping runs too.
    await writeFile(
      join(dir, 'bad.yaml'),
      documents(n).replace('listLength: "10"', 'listLength: "ten"'),
    );
    return dir;
  };
  const n = 300;
  const dirs = new Map([
    [n, await folder(n)],
    [2 * n, await folder(2 * n)],
    [n / 10, await folder(n / 10)],
  ]);
  const reload = async (k: number) => {
    const out = await new ManifestSource([dirs.get(k)!]).load();
    assert.equal(out.rejected.length, 1);
    assert.equal(out.set.scaledObjects.length, k);
  };
  const ratio = await growth(reload, n);
  assert.ok(ratio < 2.6, `work for 2n files / work for n files = ${ratio.toFixed(2)}`);
});
