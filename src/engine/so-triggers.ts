/**
 * The first half of a ScaledObject round (KEDA `getScaledObjectState`): per-trigger readings
 * through fallback, per-trigger activity, the error flag, and scalingModifiers' composite
 * metric. Produces the metrics the HPA part will see.
 */
import type { ScaledObject } from '../manifests/types.js';
import {
  fallbackMetricValue,
  fallbackReplicas,
  hasValidFallback,
  isPastThreshold,
  nextHealth,
} from './fallback.js';
import { compileFormula, FormulaEvalError, type CompiledFormula } from './formula.js';
import type { HpaMetric } from './hpa-metrics.js';
import { num, reason, TIDE, type Reason } from './reasons.js';
import type { MetricHealth, MetricSpec, TriggerReading } from './types.js';

/** What one trigger contributed this round (for status, the dashboard and `tide explain`). */
export interface TriggerOutcome {
  readonly index: number;
  readonly name?: string;
  readonly type: string;
  /** The scaler's activity, or true when its fallback is active. */
  readonly active: boolean;
  readonly error?: string;
  /** True when at least one of its metrics is replaced by the fallback value. */
  readonly fallback: boolean;
  /** Raw values as the scaler returned them (before clamping), by metric name. */
  readonly values: readonly { name: string; value: number }[];
}

export interface TriggersResult {
  readonly triggers: readonly TriggerOutcome[];
  /** What the HPA part computes from (composite metric instead of external ones with modifiers). */
  readonly hpaMetrics: readonly HpaMetric[];
  readonly active: boolean;
  readonly isError: boolean;
  readonly anyFallback: boolean;
  readonly health: Record<string, MetricHealth>;
  readonly reasons: readonly Reason[];
  /** The composite value with scalingModifiers (undefined when not computed). */
  readonly composite?: number;
}

const RESOURCE_TYPES = new Set(['cpu', 'memory']);
export const COMPOSITE_METRIC = 'composite-metric';

export interface TriggersInput {
  readonly so: ScaledObject;
  readonly specs: readonly (readonly MetricSpec[] | undefined)[];
  readonly readings: readonly (TriggerReading | undefined)[];
  readonly currentReplicas: number;
  readonly readyReplicas: number;
  readonly health: Readonly<Record<string, MetricHealth>>;
  /** A precompiled formula (the scheduler may cache it); compiled here otherwise. */
  readonly formula?: CompiledFormula;
}

/** Evaluates every trigger; see the module comment. */
export function evaluateTriggers(input: TriggersInput): TriggersResult {
  const { so, currentReplicas: cur, readyReplicas: ready } = input;
  const spec = so.spec;
  const fb = spec.fallback;
  const fbValid = hasValidFallback(spec);
  const reasons: Reason[] = [];
  const health: Record<string, MetricHealth> = {};
  const triggers: TriggerOutcome[] = [];
  const metrics: HpaMetric[] = [];
  let active = false;
  let isError = false;
  let anyFallback = false;
  // Per trigger name: its first metric's value (or nil when failing past the threshold).
  const vars: Record<string, number | null> = {};
  let varsError: string | undefined;

  spec.triggers.forEach((trigger, index) => {
    const specs = input.specs[index] ?? [];
    const reading: TriggerReading = input.readings[index] ?? {
      ok: false,
      error: 'no reading this round',
    };
    const resource = RESOURCE_TYPES.has(trigger.type);
    const label = `trigger ${index} (${trigger.name ?? trigger.type})`;
    if (reading.ok) {
      const values = specs.map((s, j) => {
        const m = reading.metrics.find((x) => x.name === s.name) ?? reading.metrics[j];
        return { spec: s, value: m?.value, pods: m?.pods };
      });
      const missing = values.filter((v) => v.value === undefined).map((v) => v.spec.name);
      for (const { spec: s, value, pods } of values) {
        if (fb) health[s.name] = nextHealth(input.health[s.name], true);
        metrics.push(
          value === undefined
            ? { ...s, error: 'the scaler returned no value' }
            : { ...s, value, ...(pods !== undefined ? { pods } : {}) },
        );
      }
      if (missing.length > 0)
        reasons.push(reason(TIDE.MetricReplicas, `${label}: no value for ${missing.join(', ')}`));
      active ||= reading.isActive;
      const shown = values.flatMap((v) =>
        v.value === undefined ? [] : [{ name: v.spec.name, value: v.value }],
      );
      triggers.push({
        index,
        type: trigger.type,
        active: reading.isActive,
        fallback: false,
        values: shown,
        ...(trigger.name ? { name: trigger.name } : {}),
      });
      if (trigger.name && !resource) vars[trigger.name] = shown[0]?.value ?? null;
      return;
    }
    isError = true;
    let fellBack = false;
    for (const s of specs) {
      const h = fb ? nextHealth(input.health[s.name], false) : undefined;
      if (h) health[s.name] = h;
      if (fb && fbValid && isPastThreshold(h, fb)) {
        const n = fallbackReplicas(fb, cur);
        const fv = fallbackMetricValue(s.targetType, s.target, n, ready);
        fellBack = true;
        reasons.push(
          reason(
            TIDE.FallbackMetric,
            fv.ok
              ? `${s.name}: ${h?.numberOfFailures} failures > failureThreshold ${fb.failureThreshold} → fallback ${fb.behavior ?? 'static'} ${n} replicas (metric ${num(fv.value)})`
              : `${s.name}: fallback failed: ${fv.error}`,
            { metric: s.name, failures: h?.numberOfFailures, replicas: n },
          ),
        );
        metrics.push(fv.ok ? { ...s, value: fv.value } : { ...s, error: fv.error });
      } else {
        const note = fb
          ? ` (failure ${h?.numberOfFailures ?? 0} of more than ${fb.failureThreshold} before fallback${fbValid ? '' : '; fallback block invalid'})`
          : '';
        reasons.push(
          reason(TIDE.MetricReplicas, `${s.name}: ${label} failed: ${reading.error}${note}`, {
            metric: s.name,
            error: reading.error,
          }),
        );
        metrics.push({ ...s, error: reading.error });
      }
    }
    anyFallback ||= fellBack;
    // A trigger falling back counts as active, so a target at zero can be activated (PR #7244).
    active ||= fellBack;
    triggers.push({
      index,
      type: trigger.type,
      active: fellBack,
      error: reading.error,
      fallback: fellBack,
      values: [],
      ...(trigger.name ? { name: trigger.name } : {}),
    });
    if (trigger.name && !resource) {
      if (fellBack && fb?.behavior === 'scalingModifiers') vars[trigger.name] = null;
      else varsError ??= `${label} failed: ${reading.error}`;
    }
  });

  // Every trigger is cpu/memory and nothing failed: always active (they report active anyway).
  if (
    !isError &&
    spec.triggers.length > 0 &&
    spec.triggers.every((t) => RESOURCE_TYPES.has(t.type))
  )
    active = true;

  const base = { triggers, isError, anyFallback, health, reasons };
  const mods = spec.advanced?.scalingModifiers;
  if (!mods?.formula) return { ...base, hpaMetrics: metrics, active };
  return {
    ...base,
    ...composite(input, metrics, vars, varsError, anyFallback, isError, fbValid, reasons),
  };
}

function composite(
  input: TriggersInput,
  metrics: HpaMetric[],
  vars: Record<string, number | null>,
  varsError: string | undefined,
  anyFallback: boolean,
  isError: boolean,
  fbValid: boolean,
  reasons: Reason[],
): { hpaMetrics: HpaMetric[]; active: boolean; composite?: number } {
  const spec = input.so.spec;
  const mods = spec.advanced?.scalingModifiers ?? {};
  const fb = spec.fallback;
  const target = Number(mods.target);
  const activationTarget = Number(mods.activationTarget ?? '0');
  const targetType = mods.metricType ?? 'AverageValue';
  // Resource metrics stay; every external metric is replaced by the one composite metric.
  const resourceNames = new Set(
    spec.triggers.flatMap((t, i) =>
      RESOURCE_TYPES.has(t.type) ? (input.specs[i] ?? []).map((s) => s.name) : [],
    ),
  );
  const kept = metrics.filter((m) => resourceNames.has(m.name));
  const one = (value: number | undefined, error?: string): HpaMetric[] => [
    ...kept,
    error !== undefined || value === undefined
      ? { name: COMPOSITE_METRIC, targetType, target, error: error ?? 'no value' }
      : { name: COMPOSITE_METRIC, targetType, target, value },
  ];

  let value: number | undefined;
  let error: string | undefined;
  if (anyFallback && fb && fbValid && fb.behavior !== 'scalingModifiers') {
    // Fallback active: KEDA skips the formula and sends target × N.
    const n = fallbackReplicas(fb, input.currentReplicas);
    const fv = fallbackMetricValue(targetType, target, n, input.readyReplicas);
    if (fv.ok) value = fv.value;
    else error = fv.error;
    reasons.push(
      reason(
        TIDE.CompositeMetric,
        fv.ok
          ? `fallback active: composite = target ${num(target)} × ${n} = ${num(fv.value)} (formula not evaluated)`
          : `fallback failed: ${fv.error}`,
      ),
    );
  } else if (varsError !== undefined) {
    error = varsError;
    reasons.push(reason(TIDE.FormulaError, `composite metric not computed: ${varsError}`));
  } else {
    const compiled = input.formula ?? compileFormula(mods.formula ?? '');
    if (!compiled.ok) {
      error = `formula: ${compiled.error}`;
      reasons.push(
        reason(TIDE.FormulaError, `formula "${mods.formula}" does not compile: ${compiled.error}`),
      );
    } else {
      try {
        const r = compiled.evaluate(vars);
        if (r === null) {
          if (fb && fbValid) {
            value = fb.replicas * target;
            reasons.push(
              reason(
                TIDE.CompositeMetric,
                `formula yielded nil → fallback.replicas ${fb.replicas} × target ${num(target)} = ${num(value)}`,
              ),
            );
          } else {
            error = 'formula yielded nil and there is no fallback';
            reasons.push(reason(TIDE.FormulaError, error));
          }
        } else {
          value = r;
          const shown = Object.entries(vars)
            .map(([k, v]) => `${k}=${v === null ? 'nil' : num(v)}`)
            .join(', ');
          reasons.push(
            reason(TIDE.CompositeMetric, `composite = ${mods.formula} with ${shown} → ${num(r)}`, {
              composite: r,
              vars,
            }),
          );
        }
      } catch (e) {
        error = e instanceof FormulaEvalError ? e.message : String(e);
        reasons.push(reason(TIDE.FormulaError, `formula "${mods.formula}" failed: ${error}`));
      }
    }
  }
  // Activity comes from the composite only, strict `>`, and is false whenever any trigger failed.
  const active = !isError && error === undefined && value !== undefined && value > activationTarget;
  if (value !== undefined) {
    reasons.push(
      reason(
        TIDE.CompositeMetric,
        `composite ${num(value)} ${active ? '>' : isError ? '(a trigger failed)' : '≤'} activationTarget ${num(activationTarget)} → ${active ? 'active' : 'not active'}`,
      ),
    );
  }
  return {
    hpaMetrics: one(value, error),
    active,
    ...(value !== undefined ? { composite: value } : {}),
  };
}
