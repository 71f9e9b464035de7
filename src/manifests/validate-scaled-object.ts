/**
 * KEDA's admission-webhook rules for one ScaledObject (`scaledobject_webhook.go`, keda.md §1.2)
 * that need no cluster: replica bounds, idle replicas, fallback, triggers, name lengths,
 * scalingModifiers, the "not relevant" warnings and the cpu/memory scale-to-zero rule.
 */
import { unsupportedFormula, validateFormula } from '../engine/formula.js';
import { hpaName, maxReplicas, minReplicas, usesScalingModifiers } from './defaults.js';
import type { ScaledJob, ScaledObject, Trigger } from './types.js';

export interface RuleIssue {
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

const isCpuMemory = (t: Trigger) => t.type === 'cpu' || t.type === 'memory';

/** Rules 1-4, 6 (the part without a cluster), 7 and 8 of keda.md §1.2. */
export function scaledObjectRules(so: ScaledObject): RuleIssue[] {
  const out: RuleIssue[] = [];
  const err = (path: string, message: string) => out.push({ path, message, severity: 'error' });
  const warn = (path: string, message: string) => out.push({ path, message, severity: 'warning' });
  const spec = so.spec;
  const max = maxReplicas(so);

  // Rule 1. The CRD's CEL rule compares min with (max or 100) first; KEDA's webhook then checks
  // with its own min: 0 when unset, max(min, 1) when set (so `min: 0` counts as 1).
  const cel = minReplicas(so);
  const webhookMin = spec.minReplicaCount === undefined ? 0 : Math.max(spec.minReplicaCount, 1);
  if (cel > max) {
    err(
      'spec.minReplicaCount',
      `minReplicaCount must be less than or equal to maxReplicaCount (MinReplicaCount=${webhookMin} must be less than MaxReplicaCount=${max})`,
    );
  } else if (webhookMin > max) {
    err(
      'spec.minReplicaCount',
      `MinReplicaCount=${webhookMin} must be less than MaxReplicaCount=${max}`,
    );
  }
  if (spec.idleReplicaCount !== undefined && spec.idleReplicaCount >= webhookMin) {
    err(
      'spec.idleReplicaCount',
      `IdleReplicaCount=${spec.idleReplicaCount} must be less than MinReplicaCount=${webhookMin}`,
    );
  }

  // Rule 2: fallback.
  const modifiers = spec.advanced?.scalingModifiers;
  const usesModifiers = usesScalingModifiers(so);
  if (spec.fallback) {
    if (!usesModifiers && !spec.triggers.some((t) => !isCpuMemory(t))) {
      err(
        'spec.fallback',
        'at least one trigger (that is not cpu or memory) has to be defined with AverageValue metric type for fallback to work',
      );
    }
    if (spec.fallback.behavior === 'scalingModifiers' && !modifiers?.formula) {
      err(
        'spec.fallback.behavior',
        'fallback behavior "scalingModifiers" requires spec.advanced.scalingModifiers.formula',
      );
    }
  }

  // Rule 3: triggers.
  out.push(...triggerRules(so));

  // Rule 4: name lengths.
  if (so.metadata.name.length > 63) {
    err(
      'metadata.name',
      `ScaledObject name must be at most 63 characters, got ${so.metadata.name.length}`,
    );
  }
  const hpa = hpaName(so);
  if (hpa.length > 63) {
    const custom = spec.advanced?.horizontalPodAutoscalerConfig?.name;
    err(
      custom ? 'spec.advanced.horizontalPodAutoscalerConfig.name' : 'metadata.name',
      `HPA name "${hpa}" must be at most 63 characters, got ${hpa.length}`,
    );
  }

  // Rule 6 (cluster-free part).
  const min = minReplicas(so);
  if (spec.triggers.length > 0 && spec.triggers.every(isCpuMemory) && min === 0) {
    err(
      'spec.minReplicaCount',
      "minReplicaCount must be at least 1 when all triggers are cpu or memory: scale to zero doesn't work with only cpu/memory triggers",
    );
  }

  // Rule 7: scalingModifiers.
  if (usesModifiers && modifiers) {
    const at = 'spec.advanced.scalingModifiers';
    if (!modifiers.formula) err(`${at}.formula`, 'is required when scalingModifiers is set');
    else {
      if (!modifiers.target) err(`${at}.target`, 'is required when a formula is given');
      else {
        const target = Number(modifiers.target.trim());
        if (modifiers.target.trim() === '' || Number.isNaN(target))
          err(`${at}.target`, `must be a number, got ${JSON.stringify(modifiers.target)}`);
        else if (target <= 0)
          err(`${at}.target`, `must be greater than 0, got ${JSON.stringify(modifiers.target)}`);
      }
      const names = spec.triggers
        .filter((t) => !isCpuMemory(t) && t.name)
        .map((t) => t.name as string);
      const unsupported = unsupportedFormula(modifiers.formula);
      const problem = unsupported ? undefined : validateFormula(modifiers.formula, names);
      if (unsupported !== undefined)
        warn(
          `${at}.formula`,
          `${unsupported}. KEDA accepts this formula, but tide cannot compute it: the composite metric fails each round`,
        );
      else if (problem !== undefined)
        err(
          `${at}.formula`,
          `does not compile with the named triggers [${names.join(', ')}]: ${problem}`,
        );
    }
    if (modifiers.metricType === 'Utilization')
      err(
        `${at}.metricType`,
        'must be AverageValue or Value, got "Utilization" (Utilization is not supported with scalingModifiers)',
      );
  }

  // Rule 8: warnings.
  const cached = spec.triggers.some((t) => t.useCachedMetrics === true);
  if (
    spec.pollingInterval !== undefined &&
    min > 0 &&
    spec.idleReplicaCount === undefined &&
    !cached
  ) {
    warn(
      'spec.pollingInterval',
      'PollingInterval is configured but is not relevant: with minReplicaCount > 0 and no idleReplicaCount, KEDA only uses it for activation, which never happens',
    );
  }
  if (spec.cooldownPeriod !== undefined && min > 0 && spec.idleReplicaCount === undefined) {
    warn(
      'spec.cooldownPeriod',
      'CooldownPeriod is configured but is not relevant: it only applies to scaling to zero (or to idleReplicaCount), and minReplicaCount > 0',
    );
  }
  return out;
}

/** Rule 3, shared with ScaledJobs: ≥1 trigger, unique non-empty names, no cached metrics for cpu/memory/cron. */
export function triggerRules(o: ScaledObject | ScaledJob): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (o.spec.triggers.length === 0)
    out.push({
      path: 'spec.triggers',
      message: `no triggers defined in the ${o.kind}`,
      severity: 'error',
    });
  const seen = new Map<string, number>();
  o.spec.triggers.forEach((t, i) => {
    if (t.name) {
      const first = seen.get(t.name);
      if (first !== undefined) {
        out.push({
          path: `spec.triggers[${i}].name`,
          message: `trigger name ${JSON.stringify(t.name)} is also used by spec.triggers[${first}]; names must be unique`,
          severity: 'error',
        });
      } else seen.set(t.name, i);
    }
    if (t.useCachedMetrics && (isCpuMemory(t) || t.type === 'cron')) {
      out.push({
        path: `spec.triggers[${i}].useCachedMetrics`,
        message: `cannot be enabled for trigger type ${t.type}`,
        severity: 'error',
      });
    }
  });
  return out;
}

/** ScaledJob: rule 3, plus KEDA's reconcile check that triggers carry no metricType. */
export function scaledJobRules(sj: ScaledJob): RuleIssue[] {
  const out = triggerRules(sj);
  sj.spec.triggers.forEach((t, i) => {
    if (t.metricType !== undefined) {
      out.push({
        path: `spec.triggers[${i}].metricType`,
        message: `must not be set on a ScaledJob trigger (KEDA fails the reconcile), got ${JSON.stringify(t.metricType)}`,
        severity: 'error',
      });
    }
  });
  return out;
}
