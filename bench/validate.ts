/**
 * `tide validate` on 1,000 manifests (not a test): writes 1,000 files, each a Deployment,
 * Secret, ScaledObject (redis trigger with *FromEnv) and TriggerAuthentication, then times
 * loading + validation in-process (median of 5) and the whole CLI once.
 *   npx tsx bench/validate.ts [files]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validate } from '../src/api.js';

const N = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'tide-bench-validate-'));

function manifest(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: worker-${i} }
spec:
  replicas: 0
  selector: { matchLabels: { app: worker-${i} } }
  template:
    metadata: { labels: { app: worker-${i} } }
    spec:
      containers:
        - name: worker
          command: ["node", "worker.js"]
          env:
            - { name: REDIS_HOST, value: "127.0.0.1:6379" }
            - name: REDIS_PASSWORD
              valueFrom: { secretKeyRef: { name: pw-${i}, key: credentials } }
---
apiVersion: v1
kind: Secret
metadata: { name: pw-${i} }
stringData: { credentials: "s3cret-${i}" }
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: { name: auth-${i} }
spec:
  secretTargetRef:
    - { parameter: password, name: pw-${i}, key: credentials }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: so-${i} }
spec:
  scaleTargetRef: { name: worker-${i} }
  pollingInterval: 5
  cooldownPeriod: 60
  maxReplicaCount: 10
  triggers:
    - type: redis
      metadata: { addressFromEnv: REDIS_HOST, listName: "queue-${i}", listLength: "10" }
      authenticationRef: { name: auth-${i} }
    - type: cron
      metadata: { timezone: Europe/Berlin, start: "0 8 * * *", end: "0 18 * * *", desiredReplicas: "2" }
`;
}

for (let i = 0; i < N; i++)
  writeFileSync(join(dir, `m-${String(i).padStart(4, '0')}.yaml`), manifest(i));
const objects = N * 4;
console.log(`wrote ${N} files (${objects} objects, ${N * 2} triggers) in ${dir}`);

const times: number[] = [];
for (let run = 0; run < 5; run++) {
  const t0 = performance.now();
  const r = await validate([dir]);
  times.push(performance.now() - t0);
  if (!r.valid) throw new Error(`bench manifests should be valid: ${r.errors[0]?.message}`);
}
times.sort((a, b) => a - b);
const median = times[2] ?? 0;
console.log(
  `in-process validate: median ${median.toFixed(0)} ms (min ${times[0]?.toFixed(0)}, max ${times[4]?.toFixed(0)}) = ${((median / N) * 1000).toFixed(0)} µs per file, ${((median / objects) * 1000).toFixed(0)} µs per object`,
);

const t0 = performance.now();
execFileSync(
  process.execPath,
  [join(import.meta.dirname, '..', 'bin', 'tide.js'), 'validate', dir],
  { stdio: 'ignore' },
);
console.log(
  `CLI \`tide validate\` (one run, process start included): ${(performance.now() - t0).toFixed(0)} ms`,
);
rmSync(dir, { recursive: true, force: true });
