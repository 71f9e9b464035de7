/**
 * The first half of a ScaledObject round (KEDA `getScaledObjectState`): per-trigger readings
 * through fallback, per-trigger activity, the error flag, and scalingModifiers' composite
 * metric. Produces the metrics the HPA part will see.
 */
import type { ScaledObject } from '../manifests/types.js';
import { usesScalingModifiers } from '../manifests/defaults.js';
import {
  fallbackExceeded,
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
  /** A trigger failed and no fallback value replaced it (KEDA's isError). */
  readonly isError: boolean;
  /** A fallback value replaced a failing metric this round (KEDA's isFallbackActive). */
  readonly anyFallback: boolean;
  /** The Fallback condition: a metric is Failing past failureThreshold (KEDA's health test). */
  readonly fallbackExceeded: boolean;
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
  // KEDA tracks health, and falls back, only with a valid fallback block; without one the
  // health it had is left as it was.
  const fbOn = fb !== undefined && hasValidFallback(spec);
  const reasons: Reason[] = [];
  const metricNames = new Set(input.specs.flatMap((ss) => (ss ?? []).map((x) => x.name)));
  // Entries of metrics the object no longer has go, as KEDA drops them when it updates the HPA.
  const health: Record<string, MetricHealth> = Object.fromEntries(
    Object.entries(input.health).filter(([k]) => metricNames.has(k)),
  );
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
        if (fbOn) health[s.name] = nextHealth(input.health[s.name], true);
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
    let fellBack = false;
    let failed = false;
    let nilForFormula = false;
    // A trigger never built has no metric to name: the reason names the trigger itself.
    if (specs.length === 0)
      reasons.push(reason(TIDE.MetricReplicas, `${label} failed: ${reading.error}`));
    for (const s of specs) {
      const h = fbOn ? nextHealth(input.health[s.name], false) : undefined;
      if (h) health[s.name] = h;
      if (fb && fbOn && isPastThreshold(h, fb)) {
        if (fb.behavior === 'scalingModifiers') {
          // KEDA hands the formula a nil placeholder: no error, no fallback value.
          nilForFormula = true;
          reasons.push(
            reason(
              TIDE.FallbackMetric,
              `${s.name}: ${h?.numberOfFailures} failures > failureThreshold ${fb.failureThreshold} → nil for the formula (fallback behavior scalingModifiers)`,
              { metric: s.name, failures: h?.numberOfFailures },
            ),
          );
          continue;
        }
        const n = fallbackReplicas(fb, cur);
        const fv = fallbackMetricValue(s.targetType, s.target, n, ready);
        reasons.push(
          reason(
            TIDE.FallbackMetric,
            fv.ok
              ? `${s.name}: ${h?.numberOfFailures} failures > failureThreshold ${fb.failureThreshold} → fallback ${fb.behavior ?? 'static'} ${n} replicas (metric ${num(fv.value)})`
              : `${s.name}: fallback failed: ${fv.error}`,
            { metric: s.name, failures: h?.numberOfFailures, replicas: n },
          ),
        );
        if (fv.ok) {
          // The fallback value replaces the metric: no error for this metric (KEDA returns nil).
          fellBack = true;
          metrics.push({ ...s, value: fv.value });
        } else {
          // No value could be computed (a Value metric with no ready replica): still an error.
          failed = true;
          metrics.push({ ...s, error: fv.error });
        }
        continue;
      }
      failed = true;
      const note = fb
        ? ` (failure ${h?.numberOfFailures ?? 0} of more than ${fb.failureThreshold} before fallback${fbOn ? '' : '; fallback block invalid'})`
        : '';
      reasons.push(
        reason(TIDE.MetricReplicas, `${s.name}: ${label} failed: ${reading.error}${note}`, {
          metric: s.name,
          error: reading.error,
        }),
      );
      metrics.push({ ...s, error: reading.error });
    }
    // A trigger without metric specs (it failed to build) is an error too.
    if (specs.length === 0) failed = true;
    isError ||= failed;
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
      if (nilForFormula && !failed) vars[trigger.name] = null;
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

  const fallbackExceededNow = fb !== undefined && fbOn && fallbackExceeded(health, fb);
  const base = {
    triggers,
    isError,
    anyFallback,
    fallbackExceeded: fallbackExceededNow,
    health,
    reasons,
  };
  if (!usesScalingModifiers(so)) return { ...base, hpaMetrics: metrics, active };
  return {
    ...base,
    ...composite(input, metrics, vars, varsError, anyFallback, isError, fbOn, reasons),
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
