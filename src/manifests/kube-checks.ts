/**
 * Checks the API server (or KEDA) applies beyond a kind's schema, for the fields tide reads:
 * pod spec rules, Secret decoding, unknown spec keys and `//` remarks inside values.
 */
import { runSchema } from './run-schema.js';
import type { RawIssue } from './run-schema.js';
import { specKeys } from './schemas/keda.js';
import { secretSchema } from './schemas/kube.js';
import type { PodSpec } from './types.js';
import type { PathSegment } from './yaml-source.js';

export function warnUnknownSpecKeys(kind: string, rawSpec: unknown, issues: RawIssue[]): void {
  if (rawSpec === null || typeof rawSpec !== 'object' || Array.isArray(rawSpec)) return;
  const known: readonly string[] = specKeys[kind as keyof typeof specKeys];
  for (const key of Object.keys(rawSpec)) {
    if (!known.includes(key)) {
      issues.push({
        path: ['spec', key],
        message: `unknown field "${key}" in ${kind} spec: Kubernetes would drop it (known fields: ${known.join(', ')})`,
        severity: 'warning',
      });
    }
  }
}

/**
 * Rules the API server applies to a pod spec, for the fields tide reads: container names are
 * unique; an env entry has either `value` or `valueFrom`, and `valueFrom` exactly one source.
 */
export function checkPod(pod: PodSpec, at: PathSegment[], issues: RawIssue[]): void {
  const seen = new Set<string>();
  pod.containers.forEach((c, i) => {
    if (seen.has(c.name))
      issues.push({
        path: [...at, 'containers', i, 'name'],
        message: `duplicate container name "${c.name}"`,
        severity: 'error',
      });
    seen.add(c.name);
    (c.env ?? []).forEach((e, j) => {
      const envAt = [...at, 'containers', i, 'env', j];
      if (!e.valueFrom) return;
      if (e.value)
        issues.push({
          path: [...envAt, 'valueFrom'],
          message: 'may not be specified when value is not empty',
          severity: 'error',
        });
      const sources = Object.entries(e.valueFrom)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k);
      if (sources.length !== 1) {
        issues.push({
          path: [...envAt, 'valueFrom'],
          message: `must specify exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef, got ${sources.length ? sources.join(' and ') : 'none'}`,
          severity: 'error',
        });
      }
    });
  });
}

/**
 * Copied examples often end lines with `// remark`. After a plain scalar YAML keeps it as part
 * of the value (`dbName: test  // the database` reads "test  // the database"), so warn.
 */
export function warnSlashComments(
  spec: { triggers: { metadata: Record<string, string> }[] },
  issues: RawIssue[],
): void {
  spec.triggers.forEach((t, i) => {
    for (const [k, v] of Object.entries(t.metadata)) {
      if (/\s\/\//.test(v)) {
        issues.push({
          path: ['spec', 'triggers', i, 'metadata', k],
          message:
            'the value contains " //": if that is a comment, YAML comments start with "#" (as written it is part of the value)',
          severity: 'warning',
        });
      }
    }
  });
}

/** A Job's pod may only restart OnFailure or Never (empty: KEDA sets OnFailure). */
export function checkJobPod(pod: PodSpec, at: PathSegment[], issues: RawIssue[]): void {
  checkPod(pod, at, issues);
  if (pod.restartPolicy === 'Always') {
    issues.push({
      path: [...at, 'restartPolicy'],
      message: 'must be OnFailure or Never for a Job, got "Always"',
      severity: 'error',
    });
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Secret `data` is base64 (decoded here), `stringData` is plain and wins on the same key. */
export function parseSecret(
  doc: Record<string, unknown>,
  issues: RawIssue[],
): Record<string, unknown> | undefined {
  const body = runSchema(
    secretSchema,
    { type: doc['type'], data: doc['data'], stringData: doc['stringData'] },
    [],
    issues,
  );
  if (!body) return undefined;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(body.data ?? {})) {
    // Never echo the value: it is a secret even when malformed.
    const compact = v.replace(/\s+/g, '');
    if (!BASE64.test(compact)) {
      issues.push({
        path: ['data', k],
        message:
          'must be base64-encoded (use stringData for plain text), got a value that is not valid base64',
        severity: 'error',
      });
      continue;
    }
    data[k] = Buffer.from(compact, 'base64').toString('utf8');
  }
  for (const [k, v] of Object.entries(body.stringData ?? {})) data[k] = v;
  return { data };
}
