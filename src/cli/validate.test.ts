import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { runValidate } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'tide-cli-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function manifest(name: string, listLength: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
  triggers:
    - type: redis
      metadata:
        address: localhost:6379
        listName: jobs
        listLength: "${listLength}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: { app: worker }
  template:
    metadata:
      labels: { app: worker }
    spec:
      containers:
        - name: worker
          image: worker
          command: [sleep, "60"]
`,
  );
  return file;
}

/** Runs `tide validate` with console.log captured. */
async function run(t: TestContext, paths: string[], opts: { json?: boolean } = {}) {
  const lines: string[] = [];
  t.mock.method(console, 'log', (...args: unknown[]) => lines.push(args.join(' ')));
  const code = await runValidate(paths, opts);
  return { code, out: lines.join('\n') };
}

test('a valid manifest exits 0 and says so with the counts', async (t) => {
  const { code, out } = await run(t, [manifest('ok.yaml', '5')]);
  assert.equal(code, 0);
  assert.match(out, /^valid: 1 file\(s\), 2 object\(s\), 0 error\(s\)/m);
});

test('an invalid field exits 1 and names the file, the object and the field path', async (t) => {
  const file = manifest('bad.yaml', 'ten');
  const { code, out } = await run(t, [file]);
  assert.equal(code, 1);
  const error = out.split('\n').find((l) => l.startsWith('error: '));
  assert.ok(error, out);
  assert.ok(error.includes(file), error);
  assert.match(error, /ScaledObject default\/worker/);
  assert.match(error, /spec\.triggers\[0\]\.metadata\.listLength/);
  assert.match(out, /^invalid: /m);
});

test('--json gives one document with every issue as data', async (t) => {
  const { code, out } = await run(t, [manifest('bad-json.yaml', 'ten')], { json: true });
  assert.equal(code, 1);
  const doc = JSON.parse(out) as {
    valid: boolean;
    objects: number;
    errors: { path: string; severity: string; line?: number }[];
  };
  assert.equal(doc.valid, false);
  assert.equal(doc.objects, 2);
  assert.equal(doc.errors[0]?.path, 'spec.triggers[0].metadata.listLength');
  assert.equal(doc.errors[0]?.severity, 'error');
  assert.equal(typeof doc.errors[0]?.line, 'number');
});
