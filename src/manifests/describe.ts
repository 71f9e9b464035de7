/**
 * `tide validate --resolved`: each trigger's metadata as its scaler will see it, after `*FromEnv`
 * and TriggerAuthentication resolution and defaults. Secrets stay `Secret`s, which print
 * `[redacted]` through `String()`, `JSON.stringify` and `util.inspect`.
 */
import type { ManifestIssue } from '../errors.js';
import { getScalerDefinition, unknownTypeWarning } from '../scalers/registry.js';
import { resolveTriggerInputs } from './resolve-auth.js';
import type { ResolveAuthOptions } from './resolve-auth.js';
import { objectName } from './types.js';
import type { ManifestSet } from './types.js';

export interface ResolvedTrigger {
  /** `ScaledObject default/redis-scaledobject` */
  object: string;
  file: string;
  index: number;
  type: string;
  name?: string;
  /** The parsed metadata (definition.parse), when it parsed. */
  metadata?: unknown;
  /** Resolution and parse issues (errors and warnings), paths prefixed `spec.triggers[i].`. */
  issues: ManifestIssue[];
}

/** Resolves and parses every trigger of every ScaledObject and ScaledJob in `set`. */
export function describeResolvedTriggers(
  set: ManifestSet,
  opts: ResolveAuthOptions = {},
): ResolvedTrigger[] {
  const out: ResolvedTrigger[] = [];
  for (const o of [...set.scaledObjects, ...set.scaledJobs]) {
    o.spec.triggers.forEach((t, i) => {
      const entry: ResolvedTrigger = {
        object: objectName(o),
        file: o.source.file,
        index: i,
        type: t.type,
        issues: [],
      };
      if (t.name) entry.name = t.name;
      const def = getScalerDefinition(t.type);
      if (!def) {
        entry.issues.push({
          path: `spec.triggers[${i}].type`,
          message: unknownTypeWarning(t.type),
          severity: 'warning',
        });
        out.push(entry);
        return;
      }
      const { inputs, issues } = resolveTriggerInputs(o, i, set, opts);
      entry.issues.push(...issues);
      const parsed = def.parse(inputs);
      const prefix = (p: string) => (p ? `spec.triggers[${i}].${p}` : `spec.triggers[${i}]`);
      if (parsed.ok) {
        entry.metadata = parsed.meta;
        entry.issues.push(...parsed.warnings.map((w) => ({ ...w, path: prefix(w.path) })));
      } else {
        entry.issues.push(...parsed.issues.map((w) => ({ ...w, path: prefix(w.path) })));
      }
      out.push(entry);
    });
  }
  return out;
}
