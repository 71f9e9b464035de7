/**
 * `tide validate` at scale (not a test). Prints, for 1,000, 10,000 and 50,000 small documents
 * (a Deployment, Secret, TriggerAuthentication and ScaledObject per workload, with redis and
 * cron triggers), in one file and in one file per workload: documents per second of the
 * in-process validation and of the CLI. Then the peak memory (max RSS of a fresh process) of
 * validating a 20 MB file, one ConfigMap of 20 MB and 20 MB of small documents.
 *
 * Peers, in the same run and on the same files: the `yaml` package alone parsing the text
 * without its quadratic duplicate-key check (the floor of any loader built on it) and js-yaml alone (the
 * floor of tide's fast path).
 *   npx tsx bench/validate.ts [sizes=1000,10000,50000]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { validate } from '../src/api.js';

const root = join(import.meta.dirname, '..');
const tideBin = join(root, 'bin', 'tide.js');

/** Four documents: one workload. */
function workload(i: number): string {
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

/** Child mode: validates (or, as a peer, only parses) one file and prints time and max RSS. */
async function child(mode: string, file: string): Promise<void> {
  const t0 = performance.now();
  if (mode === 'tide') {
    const r = await validate([file]);
    if (!r.valid) throw new Error(r.errors[0]?.message);
  } else if (mode === 'yaml') parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: false });
  else loadAll(readFileSync(file, 'utf8'));
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

function inChild(mode: string, file: string): { ms: number; maxRssMB: number } {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'validate.ts'), '--child', mode, file],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { ms: number; maxRssMB: number };
}

const perSecond = (docs: number, ms: number) =>
  `${Math.round((docs / ms) * 1000).toLocaleString('en')}`;

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '1000,10000,50000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'tide-bench-validate-'));
  try {
    console.log(
      'documents  layout         tide validate (in-process)  CLI            yaml parse only   js-yaml parse only',
    );
    for (const docs of sizes) {
      const units = Math.ceil(docs / 4);
      const text = Array.from({ length: units }, (_, i) => workload(i));
      const one = join(dir, `one-${docs}.yaml`);
      writeFileSync(one, text.join('---\n'));
      const many = join(dir, `many-${docs}`);
      mkdirSync(many);
      text.forEach((t, i) => writeFileSync(join(many, `m-${String(i).padStart(6, '0')}.yaml`), t));
      for (const [layout, path] of [
        ['one file', one],
        [`${units} files`, many],
      ] as const) {
        const runs = docs <= 10_000 ? 3 : 1;
        let best = Infinity;
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          const report = await validate([path]);
          best = Math.min(best, performance.now() - t0);
          if (!report.valid)
            throw new Error(`bench manifests should be valid: ${report.errors[0]?.message}`);
        }
        const t0 = performance.now();
        execFileSync(process.execPath, [tideBin, 'validate', path], { stdio: 'ignore' });
        const cli = performance.now() - t0;
        const yamlMs = layout === 'one file' ? inChild('yaml', path).ms : NaN;
        const jsYamlMs = layout === 'one file' ? inChild('js-yaml', path).ms : NaN;
        const peer = (ms: number) =>
          Number.isNaN(ms) ? '-' : `${perSecond(units * 4, ms)} docs/s`;
        console.log(
          `${String(units * 4).padStart(9)}  ${layout.padEnd(13)}  ${`${perSecond(units * 4, best)} docs/s (${best.toFixed(0)} ms)`.padEnd(26)}  ${`${(cli / 1000).toFixed(1)} s`.padEnd(13)}  ${peer(yamlMs).padEnd(16)}  ${peer(jsYamlMs)}`,
        );
      }
    }

    const big = join(dir, 'configmap-20mb.yaml');
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big }\ndata:\n';
    const lines: string[] = [];
    for (let i = 0; cm.length + lines.length * 64 < 20e6; i++)
      lines.push(`  key-${i}: "value number ${i} with some padding to make it longer"`);
    writeFileSync(big, `${cm}${lines.join('\n')}\n`);
    const smalls = join(dir, 'small-docs-20mb.yaml');
    const parts: string[] = [];
    for (let i = 0, size = 0; size < 20e6; i++) {
      parts.push(workload(i));
      size += parts[i]!.length + 4;
    }
    writeFileSync(smalls, parts.join('---\n'));
    console.log(
      '\n20 MB file                         tide validate          yaml parse only        js-yaml parse only',
    );
    for (const [name, file] of [
      ['one ConfigMap', big],
      ['small documents', smalls],
    ] as const) {
      const mb = (statSync(file).size / 1e6).toFixed(1);
      const cell = (r: { ms: number; maxRssMB: number }) =>
        `${(r.ms / 1000).toFixed(1)} s, ${r.maxRssMB.toFixed(0)} MB`.padEnd(21);
      console.log(
        `${`${name} (${mb} MB)`.padEnd(33)}  ${cell(inChild('tide', file))}  ${cell(inChild('yaml', file))}  ${cell(inChild('js-yaml', file))}`,
      );
    }
    console.log('(max RSS of a fresh process, tsx and every module loaded included)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] ?? 'tide', process.argv[4] ?? '');
else await main();
