/**
 * KEDA's typed-config lookup (scalersconfig/typed_config.go) for one trigger: per parameter, for
 * each source in its `from` order, for each of its names, the first non-blank trimmed value wins.
 * `env` reads `metadata["<name>FromEnv"]` and looks that variable up in the scale target's
 * container env. The value is then parsed by the field's zod schema (defaults applied there).
 */
import type { ManifestIssue } from '../../errors.js';
import { isSecret, reveal, Secret, type MaybeSecret } from '../../secret.js';
import { GOT } from './params.js';
import type { ParamSource, TriggerInputs } from './types.js';

/** Registry metadata of one field, as given to `field()`. */
export interface ParamMeta {
  doc: string;
  /** Lookup order. @default ['metadata'] */
  from: readonly ParamSource[];
  /** The value is handed over as a Secret and never quoted in a message. @default false */
  secret: boolean;
  /** Other names KEDA accepts for the parameter (`addresses` for `address`). */
  aliases: readonly string[];
  /** A metric target or activation threshold: see {@link ParamRole}. */
  role?: ParamRole;
}

/**
 * What a numeric parameter is to the autoscaler, so one rule applies to every scaler:
 * - `target`: the HPA target. KEDA's metadata parsers mostly accept 0 or a negative number,
 *   but the HPA KEDA then writes is refused by the API server ("must be positive"), so the
 *   ScaledObject never scales; tide refuses it at validate instead. A trigger that only feeds a
 *   scalingModifiers formula has no HPA target of its own and is exempt (KEDA `AsMetricSource`).
 * - `activation`: compared with `>`; KEDA accepts any number, 0 included. A negative one is
 *   accepted with a warning, since it makes the trigger always active.
 */
export type ParamRole = 'target' | 'activation';

/** Where a resolved value came from; decides the issue path. */
export interface Origin {
  source: ParamSource;
  /** The metadata key (`listName`, `listNameFromEnv`) or the auth parameter name. */
  key: string;
  /** The raw value was a Secret (an env var from a Secret, an auth parameter from a Secret). */
  fromSecret: boolean;
}

/** The issue path for a value from `origin`: metadata keys are trigger fields, auth params are not. */
export function originPath(origin: Origin): string {
  return origin.source === 'auth' ? 'authenticationRef' : `metadata.${origin.key}`;
}

/** Message for `origin`; auth parameters are named in the text because the path cannot name them. */
export function originMessage(origin: Origin, message: string): string {
  return origin.source === 'auth' ? `parameter "${origin.key}": ${message}` : message;
}

/** Removes `, got "<value>"` (see params.ts `got`). */
export function withoutValue(message: string): string {
  const at = message.indexOf(GOT);
  return at < 0 ? message : message.slice(0, at);
}

export type Resolved =
  | { kind: 'absent' }
  | { kind: 'value'; value: string | Secret; origin: Origin }
  | { kind: 'error'; issue: ManifestIssue };

function trimmed(v: MaybeSecret | undefined): MaybeSecret | undefined {
  if (v === undefined) return undefined;
  const s = reveal(v).trim();
  if (s === '') return undefined;
  return isSecret(v) ? new Secret(s) : s;
}

/** Resolves one parameter from the trigger inputs; never throws. */
export function resolveParam(name: string, meta: ParamMeta, inputs: TriggerInputs): Resolved {
  const names = [name, ...meta.aliases];
  for (const source of meta.from) {
    for (const key of names) {
      let raw: MaybeSecret | undefined;
      let originKey = key;
      switch (source) {
        case 'metadata':
          raw = inputs.metadata[key];
          break;
        case 'auth':
          raw = inputs.authParams[key];
          break;
        case 'env': {
          originKey = `${key}FromEnv`;
          const varName = inputs.metadata[originKey]?.trim();
          if (!varName) continue;
          if (!Object.hasOwn(inputs.resolvedEnv, varName)) {
            return {
              kind: 'error',
              issue: {
                path: `metadata.${originKey}`,
                message: `environment variable "${varName}" is not set in the scale target's container`,
                severity: 'error',
              },
            };
          }
          raw = inputs.resolvedEnv[varName];
          break;
        }
      }
      const v = trimmed(raw);
      if (v === undefined) continue;
      const origin: Origin = { source, key: originKey, fromSecret: isSecret(v) };
      const value = meta.secret ? (isSecret(v) ? v : new Secret(v)) : reveal(v);
      return { kind: 'value', value, origin };
    }
  }
  return { kind: 'absent' };
}

/** `metadata`, `metadata.<name>FromEnv`, `TriggerAuthentication`: for "missing required parameter". */
export function describeSources(name: string, from: readonly ParamSource[]): string {
  return from
    .map((s) =>
      s === 'metadata' ? 'metadata' : s === 'env' ? `${name}FromEnv` : 'TriggerAuthentication',
    )
    .join(', ');
}

/**
 * Warnings for metadata keys that are no parameter: KEDA accepts unknown keys, so they never
 * fail, but a typo (`listname`) silently falls back to a default otherwise.
 */
export function unknownKeyWarnings(
  type: string,
  params: ReadonlyMap<string, ParamMeta>,
  metadata: Record<string, string>,
): ManifestIssue[] {
  const known = new Set<string>();
  const authOnly = new Set<string>();
  for (const [name, meta] of params) {
    for (const n of [name, ...meta.aliases]) {
      if (meta.from.includes('metadata')) known.add(n);
      else authOnly.add(n);
      if (meta.from.includes('env')) known.add(`${n}FromEnv`);
    }
  }
  const out: ManifestIssue[] = [];
  for (const key of Object.keys(metadata)) {
    if (known.has(key)) continue;
    const message = authOnly.has(key)
      ? `"${key}" is only read from a TriggerAuthentication; this value is ignored`
      : `unknown parameter for the ${type} trigger; ignored`;
    out.push({ path: `metadata.${key}`, message, severity: 'warning' });
  }
  return out;
}
