/**
 * A container's environment, resolved as Kubernetes builds it for a pod and as KEDA resolves it
 * for `*FromEnv` parameters (`pkg/scaling/resolver/scale_resolvers.go` resolveEnv): `envFrom`
 * first (with `prefix`), then `env` in order, literal values expanded with `$(VAR)` against the
 * variables resolved so far. Values read from Secrets stay `Secret`s.
 */
import { findNamed } from './lookup.js';
import type { ManifestIssue } from '../errors.js';
import { isSecret, reveal, Secret } from '../secret.js';
import type { MaybeSecret } from '../secret.js';
import type { ConfigMap, Container, ManifestSet, SecretObject } from './types.js';

export interface ResolveEnvOptions {
  /** The pod's name, for `fieldRef: metadata.name` (local mode: the replica's name). */
  podName?: string;
  /**
   * KEDA resolving env for a scaler: `fieldRef` and `resourceFieldRef` are skipped, as KEDA
   * does, because there is no pod to read them from.
   */
  forScaler?: boolean;
  /** Prefix for issue paths (e.g. `spec.template.spec.containers[0].`). */
  pathPrefix?: string;
}

export interface ResolvedEnv {
  env: Record<string, MaybeSecret>;
  issues: ManifestIssue[];
}

export function findSecret(
  set: ManifestSet,
  namespace: string,
  name: string,
): SecretObject | undefined {
  return findNamed(set.secrets, namespace, name);
}

export function findConfigMap(
  set: ManifestSet,
  namespace: string,
  name: string,
): ConfigMap | undefined {
  return findNamed(set.configMaps, namespace, name);
}

/** Resolves `container`'s env in `namespace` from the Secrets and ConfigMaps of `set`. */
export function resolveContainerEnv(
  container: Container,
  namespace: string,
  set: ManifestSet,
  opts: ResolveEnvOptions = {},
): ResolvedEnv {
  const env: Record<string, MaybeSecret> = {};
  const issues: ManifestIssue[] = [];
  const p = opts.pathPrefix ?? '';
  const issue = (path: string, message: string) =>
    issues.push({ path: p + path, message, severity: 'error' });

  (container.envFrom ?? []).forEach((src, i) => {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = findConfigMap(set, namespace, src.configMapRef.name);
      if (cm) for (const [k, v] of Object.entries(cm.data)) env[prefix + k] = v;
      else if (!src.configMapRef.optional)
        issue(
          `envFrom[${i}].configMapRef`,
          `ConfigMap ${namespace}/${src.configMapRef.name} not found`,
        );
    }
    if (src.secretRef) {
      const s = findSecret(set, namespace, src.secretRef.name);
      if (s) for (const [k, v] of Object.entries(s.data)) env[prefix + k] = new Secret(v);
      else if (!src.secretRef.optional)
        issue(`envFrom[${i}].secretRef`, `Secret ${namespace}/${src.secretRef.name} not found`);
    }
  });

  (container.env ?? []).forEach((e, i) => {
    const from = e.valueFrom;
    if (e.value !== undefined && e.value !== '') {
      env[e.name] = expandEnvValue(e.value, env);
      return;
    }
    if (!from) {
      env[e.name] = '';
      return;
    }
    if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const at = `env[${i}].valueFrom.secretKeyRef`;
      const s = findSecret(set, namespace, ref.name);
      const v = s?.data[ref.key];
      if (v !== undefined) env[e.name] = new Secret(v);
      else if (!ref.optional) {
        issue(
          at,
          s
            ? `Secret ${namespace}/${ref.name} has no key ${JSON.stringify(ref.key)}`
            : `Secret ${namespace}/${ref.name} not found`,
        );
      }
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const at = `env[${i}].valueFrom.configMapKeyRef`;
      const cm = findConfigMap(set, namespace, ref.name);
      const v = cm?.data[ref.key];
      if (v !== undefined) env[e.name] = v;
      else if (!ref.optional) {
        issue(
          at,
          cm
            ? `ConfigMap ${namespace}/${ref.name} has no key ${JSON.stringify(ref.key)}`
            : `ConfigMap ${namespace}/${ref.name} not found`,
        );
      }
    } else if (from.fieldRef && !opts.forScaler) {
      const v = fieldRefValue(from.fieldRef.fieldPath, namespace, opts.podName);
      if (v !== undefined) env[e.name] = v;
      else
        issue(
          `env[${i}].valueFrom.fieldRef.fieldPath`,
          `is not supported in local mode (supported: metadata.name, metadata.namespace), got ${JSON.stringify(from.fieldRef.fieldPath)}`,
        );
    } else if (from.resourceFieldRef && !opts.forScaler) {
      issues.push({
        path: `${p}env[${i}].valueFrom.resourceFieldRef`,
        message: 'is not supported in local mode; the variable is left unset',
        severity: 'warning',
      });
    }
  });
  return { env, issues };
}

function fieldRefValue(
  fieldPath: string,
  namespace: string,
  podName: string | undefined,
): string | undefined {
  switch (fieldPath) {
    case 'metadata.name':
      return podName ?? '';
    case 'metadata.namespace':
      return namespace;
    default:
      return undefined;
  }
}

/**
 * Kubernetes `$(VAR)` expansion (third_party/forked/golang/expansion): a reference to a defined
 * variable is replaced, an undefined one is left as written, `$$` is an escaped `$`. A value
 * built from a Secret is a Secret.
 */
export function expandEnvValue(
  input: string,
  vars: Readonly<Record<string, MaybeSecret>>,
): MaybeSecret {
  let out = '';
  let tainted = false;
  let checkpoint = 0;
  let cursor = 0;
  while (cursor < input.length) {
    if (input[cursor] === '$' && cursor + 1 < input.length) {
      out += input.slice(checkpoint, cursor);
      const rest = input.slice(cursor + 1);
      const { read, isVar, advance } = readVariableName(rest);
      if (isVar) {
        const v = vars[read];
        if (v === undefined) out += `$(${read})`;
        else {
          tainted ||= isSecret(v);
          out += reveal(v);
        }
      } else out += read;
      cursor += advance;
      checkpoint = cursor + 1;
    }
    cursor++;
  }
  out += input.slice(checkpoint);
  return tainted ? new Secret(out) : out;
}

function readVariableName(input: string): { read: string; isVar: boolean; advance: number } {
  const c = input[0];
  if (c === '$') return { read: '$', isVar: false, advance: 1 };
  if (c === '(') {
    const close = input.indexOf(')', 1);
    if (close >= 0) return { read: input.slice(1, close), isVar: true, advance: close + 1 };
    return { read: '$(', isVar: false, advance: 1 };
  }
  return { read: `$${c ?? ''}`, isVar: false, advance: 1 };
}
