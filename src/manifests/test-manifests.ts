/**
 * Builders for unit tests of the manifests layer: small valid objects as YAML, with a patch.
 * Kept out of `*.test.ts` so several test files share them.
 */
import { stringify } from 'yaml';
import { loadManifestsFromString } from './load.js';
import type { LoadResult } from './load.js';

type Doc = Record<string, unknown>;

export function scaledObjectDoc(spec: Doc = {}, metadata: Doc = {}): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'so', ...metadata },
    spec: {
      scaleTargetRef: { name: 'worker' },
      triggers: [{ type: 'redis', metadata: { address: 'localhost:6379', listName: 'jobs' } }],
      ...spec,
    },
  };
}

export function scaledJobDoc(spec: Doc = {}, metadata: Doc = {}): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'sj', ...metadata },
    spec: {
      jobTargetRef: {
        template: { spec: { containers: [{ name: 'job', image: 'busybox', command: ['true'] }] } },
      },
      triggers: [{ type: 'redis', metadata: { address: 'localhost:6379', listName: 'jobs' } }],
      ...spec,
    },
  };
}

export function deploymentDoc(name = 'worker', container: Doc = {}, extra: Doc = {}): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      template: {
        spec: { containers: [{ name: 'main', command: ['node', 'worker.js'], ...container }] },
      },
      ...extra,
    },
  };
}

export function secretDoc(
  name: string,
  stringData: Record<string, string>,
  data: Record<string, string> = {},
): Doc {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data, stringData };
}

/** A TriggerAuthentication giving `parameter` from key `key` of Secret `secret`. */
export function secretAuthDoc(name: string, parameter: string, secret: string, key: string): Doc {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name },
    spec: { secretTargetRef: [{ parameter, name: secret, key }] },
  };
}

export function configMapDoc(name: string, data: Record<string, string>): Doc {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

export function toYaml(...docs: Doc[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

/** Loads documents as one file `test.yaml`. */
export function load(...docs: Doc[]): LoadResult {
  return loadManifestsFromString(toYaml(...docs), 'test.yaml');
}

/** `path: message` of every issue of every error (or warning) in `list`. */
export function issuesOf(
  list: readonly { issues: readonly { path: string; message: string }[] }[],
): string[] {
  return list.flatMap((e) => e.issues.map((i) => `${i.path}: ${i.message}`));
}
