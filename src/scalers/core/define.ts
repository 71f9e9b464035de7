/**
 * `defineScaler` and `field`: a scaler's metadata is declared once, as a zod object whose fields
 * carry {@link ParamMeta} in {@link paramRegistry}. From that one declaration come parsing (KEDA's
 * typed-config lookup, see resolve.ts), unknown-key warnings and docs/scalers.md.
 */
import { z } from 'zod';
import { errorMessage, ScalerError, type ManifestIssue } from '../../errors.js';
import { got, typeLabels } from './params.js';
import {
  describeSources,
  originMessage,
  originPath,
  resolveParam,
  unknownKeyWarnings,
  withoutValue,
  type Origin,
  type ParamMeta,
  type ParamRole,
} from './resolve.js';
import type {
  AnyScalerDefinition,
  ParamDoc,
  ParamSource,
  ParsedTrigger,
  ParseResult,
  Scaler,
  ScalerContext,
  ScalerDefinition,
  TriggerInputs,
} from './types.js';

export type { ParamMeta, ParamRole } from './resolve.js';

/** Typed metadata of every scaler field. */
export const paramRegistry = z.registry<ParamMeta>();

/** Attaches parameter metadata to a field schema (the outermost one: after `.default()`/`.optional()`). */
export function field<S extends z.ZodType>(
  schema: S,
  opts: {
    doc: string;
    from?: readonly ParamSource[];
    secret?: boolean;
    aliases?: readonly string[];
    /** A metric target (checked > 0) or an activation threshold (warned when < 0). */
    role?: ParamRole;
  },
): S {
  paramRegistry.add(schema, {
    doc: opts.doc,
    from: opts.from ?? ['metadata'],
    secret: opts.secret ?? false,
    aliases: opts.aliases ?? [],
    ...(opts.role ? { role: opts.role } : {}),
  });
  return schema;
}

/**
 * Given to `build` for checks across fields (KEDA's `Validate()`). The rule for what is an
 * error and what a warning: an error only where KEDA refuses the trigger too (its parser, its
 * `Validate()`, or the HPA it writes); what KEDA accepts and only fails when it connects or reads is a
 * warning that says what will fail ({@link BuildContext.willFail}), so a manifest KEDA admits
 * is never refused by tide.
 */
export interface BuildContext {
  readonly inputs: TriggerInputs;
  /** Where a parameter's value came from; undefined when it took its default or is unset. */
  origin(param: string): Origin | undefined;
  /** Records an error about `param` (its path follows where the value came from). */
  issue(param: string, message: string): void;
  /** Records a warning about `param`; the trigger still runs. */
  warn(param: string, message: string): void;
  /**
   * KEDA accepts this trigger but its scaler cannot work (it fails when it connects or reads):
   * records a warning saying so, and building the scaler then fails with `message`.
   */
  willFail(param: string, message: string): void;
  /** Applies the `target` rule to a parameter whose role depends on the mode (see ParamRole). */
  target(param: string): void;
}

type Shape = z.ZodRawShape;
type Fields<S extends Shape> = z.output<z.ZodObject<S>>;

interface Spec<S extends Shape> {
  /** The KEDA trigger `type`. */
  type: string;
  description: string;
  tideOnly?: boolean;
  /** Rendered under the parameter table in docs/scalers.md. */
  notes?: string;
  metadata: z.ZodObject<S>;
}

/** A definition with its schema and parameter docs. */
export interface DefinedScaler<M> extends ScalerDefinition<M> {
  readonly metadata: z.ZodObject;
  readonly params: readonly ParamDoc[];
  readonly notes?: string;
}

export function defineScaler<S extends Shape, M extends object>(
  spec: Spec<S> & {
    build: (fields: Fields<S>, ctx: BuildContext) => M;
    create: (meta: M, ctx: ScalerContext) => Promise<Scaler>;
  },
): DefinedScaler<M>;
export function defineScaler<S extends Shape>(
  spec: Spec<S> & { create: (meta: Fields<S>, ctx: ScalerContext) => Promise<Scaler> },
): DefinedScaler<Fields<S>>;
export function defineScaler<S extends Shape>(
  spec: Spec<S> & {
    build?: (fields: Fields<S>, ctx: BuildContext) => unknown;
    create: (meta: never, ctx: ScalerContext) => Promise<Scaler>;
  },
): DefinedScaler<unknown> {
  const params = new Map<string, ParamMeta>();
  for (const [name, schema] of Object.entries(spec.metadata.shape)) {
    const meta = paramRegistry.get(schema as z.ZodType);
    if (!meta)
      throw new Error(
        `scaler ${spec.type}: metadata field "${name}" was not declared with field()`,
      );
    params.set(name, meta);
  }
  const docs = [...params].map(([name, meta]) =>
    paramDoc(name, meta, spec.metadata.shape[name] as z.ZodType),
  );

  function parse(inputs: TriggerInputs): ParseResult<unknown> {
    try {
      return parseFields(spec, params, inputs);
    } catch (e) {
      // parse must never throw: a bug here is reported as an issue, not a crash of the loader.
      return {
        ok: false,
        issues: [
          {
            path: '',
            message: `internal error parsing ${spec.type} metadata: ${errorMessage(e)}`,
            severity: 'error',
          },
        ],
      };
    }
  }
  return {
    type: spec.type,
    description: spec.description,
    ...(spec.tideOnly ? { tideOnly: true } : {}),
    ...(spec.notes ? { notes: spec.notes } : {}),
    metadata: spec.metadata,
    params: docs,
    parse,
    create: spec.create,
  };

  function parseFields(
    s: typeof spec,
    ps: Map<string, ParamMeta>,
    inputs: TriggerInputs,
  ): ParseResult<unknown> {
    const issues: ManifestIssue[] = [];
    const notes: ManifestIssue[] = [];
    const origins = new Map<string, Origin>();
    const raws = new Map<string, string>();
    const out: Record<string, unknown> = {};
    let failure: string | undefined;
    for (const [name, meta] of ps) {
      const schema = s.metadata.shape[name] as z.ZodType;
      const r = resolveParam(name, meta, inputs);
      if (r.kind === 'error') {
        issues.push(r.issue);
        continue;
      }
      const value = r.kind === 'value' ? r.value : undefined;
      const parsed = schema.safeParse(value);
      if (parsed.success) {
        out[name] = parsed.data;
        if (r.kind === 'value') {
          origins.set(name, r.origin);
          if (typeof r.value === 'string' && !r.origin.fromSecret) raws.set(name, r.value);
        }
        continue;
      }
      if (r.kind === 'absent') {
        issues.push({
          path: `metadata.${name}`,
          message: `missing required parameter "${name}" (looked in ${describeSources(name, meta.from)})`,
          severity: 'error',
        });
        continue;
      }
      const hide = meta.secret || r.origin.fromSecret;
      for (const zi of parsed.error.issues) {
        const text = hide ? withoutValue(zi.message) : zi.message;
        issues.push({
          path: originPath(r.origin),
          message: originMessage(r.origin, text),
          severity: 'error',
        });
      }
    }
    const record = (p: string, raw: string, severity: ManifestIssue['severity']) => {
      const o = origins.get(p);
      const message = ps.get(p)?.secret || o?.fromSecret ? withoutValue(raw) : raw;
      (severity === 'error' ? issues : notes).push(
        o
          ? { path: originPath(o), message: originMessage(o, message), severity }
          : { path: `metadata.${p}`, message, severity },
      );
    };
    const checkTarget = (p: string) => {
      const v = out[p];
      if (typeof v !== 'number' || v > 0 || inputs.usedByScalingModifiers) return;
      record(p, `must be a positive number${got(raws.get(p) ?? String(v))}`, 'error');
    };
    for (const [name, meta] of ps) {
      if (meta.role === 'target') checkTarget(name);
      const v = out[name];
      if (meta.role === 'activation' && typeof v === 'number' && v < 0)
        record(
          name,
          `is negative, so the trigger is always active (activity is value > ${name})${got(raws.get(name) ?? String(v))}`,
          'warning',
        );
    }
    const warnings = unknownKeyWarnings(s.type, ps, inputs.metadata);
    // On failure the warnings travel with the errors: `listname: unknown` explains `listName: missing`.
    if (issues.length > 0) return { ok: false, issues: [...issues, ...notes, ...warnings] };
    const ctx: BuildContext = {
      inputs,
      origin: (p) => origins.get(p),
      issue: (p, raw) => record(p, raw, 'error'),
      warn: (p, raw) => record(p, raw, 'warning'),
      willFail(p, raw) {
        failure ??= raw;
        record(p, `${raw}. KEDA accepts this manifest, but the trigger fails there too`, 'warning');
      },
      target: checkTarget,
    };
    const meta = s.build ? s.build(out as Fields<S>, ctx) : out;
    if (issues.length > 0) return { ok: false, issues: [...issues, ...notes, ...warnings] };
    if (failure !== undefined && typeof meta === 'object' && meta !== null)
      doomed.set(meta, failure);
    return { ok: true, meta, warnings: [...notes, ...warnings] };
  }
}

/**
 * Metadata KEDA accepts but that cannot work (see BuildContext.willFail), with the reason: the
 * registry's `create` (see {@link erase}) fails with it instead of building the scaler.
 */
const doomed = new WeakMap<object, string>();

function paramDoc(name: string, meta: ParamMeta, schema: z.ZodType): ParamDoc {
  let inner: z.ZodType = schema;
  let required = true;
  let dflt: string | undefined;
  // Unwrap .default()/.optional() to find the value type's label.
  for (;;) {
    const def = inner._zod.def;
    if (def.type === 'default') {
      required = false;
      dflt = formatDefault((def as unknown as { defaultValue: unknown }).defaultValue);
      inner = (def as unknown as { innerType: z.ZodType }).innerType;
    } else if (def.type === 'optional') {
      required = false;
      inner = (def as unknown as { innerType: z.ZodType }).innerType;
    } else break;
  }
  return {
    name,
    aliases: meta.aliases,
    from: meta.from,
    secret: meta.secret,
    required,
    ...(dflt !== undefined ? { default: dflt } : {}),
    type: typeLabels.get(inner)?.type ?? 'string',
    doc: meta.doc,
    ...(meta.role ? { role: meta.role } : {}),
  };
}

function formatDefault(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/**
 * Hides a definition's metadata type for the registry. The meta a `parse` returns is remembered;
 * `create` accepts only such a value, so the erased type cannot be misused to feed one scaler
 * another's metadata.
 */
export function erase<M extends object>(def: DefinedScaler<M>): AnyScalerDefinition {
  const issued = new WeakSet<object>();
  return {
    type: def.type,
    description: def.description,
    ...(def.tideOnly ? { tideOnly: true } : {}),
    ...(def.notes ? { notes: def.notes } : {}),
    params: def.params,
    parse(input) {
      const r = def.parse(input);
      if (!r.ok) return r;
      issued.add(r.meta);
      return r as unknown as ParseResult<ParsedTrigger>;
    },
    create(meta, ctx) {
      if (!issued.has(meta)) {
        return Promise.reject(
          new TypeError(`${def.type}.create: metadata was not produced by ${def.type}.parse`),
        );
      }
      const why = doomed.get(meta);
      if (why !== undefined) return Promise.reject(new ScalerError(ctx.triggerRef, why));
      return def.create(meta as unknown as M, ctx);
    },
  };
}
