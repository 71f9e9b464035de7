/**
 * The HPA's replica calculation for a Resource metric (`cpu`/`memory`, Kubernetes'
 * `replica_calculator.go` GetResourceReplicas / GetRawResourceReplicas), on the target's Pods
 * and their `metrics.k8s.io` PodMetrics. Pure: the operator reads the Pods and metrics, this
 * decides what the engine gets.
 *
 * The engine proposes `ceil(value / target × pods)` when the ratio is outside the tolerance
 * (hpa-metrics.ts), so this returns the value and the pod count the HPA would multiply:
 * - every Pod ready and measured: the usage of the ready Pods (utilization in whole percent
 *   of their requests, or the average per Pod) and their count;
 * - Pods missing metrics, or unready Pods on a scale-up: the usage again with those Pods
 *   counted as the HPA does (missing: 100% of the request, or the target, on a scale-down and
 *   0 on a scale-up; unready: 0), over all of them;
 * - when that would flip the direction (or the Pod count alone would), the target itself, so
 *   the engine keeps the current replicas, as the HPA does.
 * Failed and deleting Pods are ignored; Pending ones count as unready. CPU samples of a Pod
 * that is not ready, or that became ready less than one metric window ago during its first
 * 5 minutes (`--horizontal-pod-autoscaler-cpu-initialization-period`), are unready too.
 * Quantities are compared in milli-units, truncated where the HPA truncates.
 */
import { parseQuantity } from './quantity.js';
import type { PodMetricsView, PodView, PodsReading } from '../core/types.js';
import type { Result } from '../../result.js';

export type ResourceName = 'cpu' | 'memory';

export interface ResourcePodsInput {
  resource: ResourceName;
  mode: 'Utilization' | 'AverageValue';
  /** Percent (Utilization) or cores / bytes per Pod (AverageValue). */
  target: number;
  containerName?: string;
  reading: PodsReading;
  /** @default 300_000 (kube-controller-manager's default) */
  cpuInitializationPeriodMs?: number;
  /** @default 30_000 (kube-controller-manager's default) */
  delayOfInitialReadinessStatusMs?: number;
}

export type ResourcePodsResult = Result<{
  /** Utilization in percent, or usage per Pod in cores / bytes. */
  value: number;
  /** The Pods the HPA multiplies the ratio by. */
  pods: number;
  /** Counts for explain: ready (measured), unready, missing metrics, ignored. */
  counts: { ready: number; unready: number; missing: number; ignored: number };
}>;

/** A quantity in milli-units, rounded up as Kubernetes' MilliValue does. */
export function milliValue(q: string): number | undefined {
  const v = parseQuantity(q);
  // The relative epsilon absorbs binary fractions (1.1 × 1000 = 1100.0000000000002).
  return v === undefined ? undefined : Math.ceil(v * 1000 * (1 - 1e-12));
}

interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

/** getPodMetrics / getContainerMetrics of the HPA's metrics client. */
function podMetrics(
  items: readonly PodMetricsView[],
  r: ResourceName,
  container: string | undefined,
): Map<string, PodMetric> {
  const out = new Map<string, PodMetric>();
  for (const m of items) {
    let sum = 0;
    let ok = container ? false : m.containers.length > 0;
    for (const c of m.containers) {
      if (container && c.name !== container) continue;
      const raw = c.usage[r];
      const v = raw === undefined ? undefined : milliValue(raw);
      if (v === undefined) {
        ok = false;
        break;
      }
      sum += v;
      ok = true;
      if (container) break;
    }
    if (ok) out.set(m.name, { value: sum, timestamp: m.timestamp, windowMs: m.windowMs });
  }
  return out;
}

/** calculateRequests: per Pod, the container's request or the sum of all containers'. */
function podRequests(
  pods: readonly PodView[],
  r: ResourceName,
  container: string | undefined,
): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const p of pods) {
    const podLevel = p.podRequests?.[r];
    if (!container && p.podRequests && Object.keys(p.podRequests).length) {
      if (podLevel === undefined) return `missing pod-level request for ${r} in Pod ${p.name}`;
      out.set(p.name, milliValue(podLevel) ?? 0);
      continue;
    }
    let request = 0;
    let found = false;
    for (const c of p.containers) {
      if (container && c.name !== container) continue;
      const q = c.requests?.[r];
      if (q === undefined)
        return `missing request for ${r} in container ${c.name} of Pod ${p.name}`;
      request += milliValue(q) ?? 0;
      found = true;
      if (container) break;
    }
    if (container && !found) return `container ${container} not found in Pod ${p.name}`;
    out.set(p.name, request);
  }
  return out;
}

export function resourcePods(input: ResourcePodsInput): ResourcePodsResult {
  const { resource: r, reading } = input;
  const what = input.mode === 'Utilization' ? 'utilization' : 'usage';
  const fail = (error: string): ResourcePodsResult => ({
    ok: false,
    error: `failed to get ${r} ${what}: ${error}`,
  });
  if (reading.metrics.length === 0)
    return fail(
      `unable to get metrics for resource ${r}: no metrics returned from resource metrics API`,
    );
  const metrics = podMetrics(reading.metrics, r, input.containerName);
  if (reading.pods.length === 0)
    return fail('no pods returned by selector while calculating replica count');

  // groupPods
  const cpuInit = input.cpuInitializationPeriodMs ?? 300_000;
  const readinessDelay = input.delayOfInitialReadinessStatusMs ?? 30_000;
  let ready = 0;
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  for (const p of reading.pods) {
    if (p.deleted || p.phase === 'Failed') {
      ignored.add(p.name);
      continue;
    }
    if (p.phase === 'Pending') {
      unready.add(p.name);
      continue;
    }
    const m = metrics.get(p.name);
    if (!m) {
      missing.add(p.name);
      continue;
    }
    if (r === 'cpu') {
      let isUnready: boolean;
      const cond = p.ready;
      if (!cond || p.startTime === undefined) isUnready = true;
      else if (p.startTime + cpuInit > reading.now)
        isUnready =
          cond.status === 'False' || m.timestamp < (cond.lastTransitionTime ?? 0) + m.windowMs;
      else
        isUnready =
          cond.status === 'False' && p.startTime + readinessDelay > (cond.lastTransitionTime ?? 0);
      if (isUnready) {
        unready.add(p.name);
        continue;
      }
    }
    ready++;
  }
  for (const n of [...ignored, ...unready]) metrics.delete(n);
  if (metrics.size === 0)
    return fail('did not receive metrics for targeted pods (pods might be unready)');
  const counts = { ready, unready: unready.size, missing: missing.size, ignored: ignored.size };

  let requests: Map<string, number> | undefined;
  if (input.mode === 'Utilization') {
    const rq = podRequests(reading.pods, r, input.containerName);
    if (typeof rq === 'string') return fail(rq);
    requests = rq;
  }
  const targetMilli = input.mode === 'Utilization' ? input.target : Math.round(input.target * 1000);

  /** [ratio, value in the engine's units] of a metrics map. */
  const usage = (ms: Map<string, PodMetric>): [number, number] | string => {
    if (requests) {
      let total = 0;
      let requested = 0;
      for (const [name, m] of ms) {
        const rq = requests.get(name);
        if (rq === undefined) continue;
        total += m.value;
        requested += rq;
      }
      if (requested === 0) return 'no metrics returned matched known pods';
      const utilization = Math.trunc((total * 100) / requested);
      return [utilization / targetMilli, utilization];
    }
    let total = 0;
    for (const m of ms.values()) total += m.value;
    const perPod = Math.trunc(total / ms.size);
    return [perPod / targetMilli, perPod / 1000];
  };

  const first = usage(metrics);
  if (typeof first === 'string') return fail(first);
  const [ratio, value] = first;
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.size === 0) return { ok: true, value, pods: ready, counts };

  const hold: ResourcePodsResult = { ok: true, value: input.target, pods: ready, counts };
  if (missing.size > 0) {
    for (const name of missing) {
      let v = 0;
      if (ratio < 1)
        v = requests
          ? Math.trunc(((requests.get(name) ?? 0) * Math.max(100, input.target)) / 100)
          : targetMilli;
      if (ratio !== 1) metrics.set(name, { value: v, timestamp: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready)
    for (const name of unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const second = usage(metrics);
  if (typeof second === 'string') return fail(second);
  const [newRatio, newValue] = second;
  // A recount that flips the direction changes nothing (the HPA returns currentReplicas).
  if ((ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return hold;
  const newReplicas = Math.ceil(newRatio * metrics.size);
  if (
    (newRatio < 1 && newReplicas > reading.currentReplicas) ||
    (newRatio > 1 && newReplicas < reading.currentReplicas)
  )
    return hold;
  return { ok: true, value: newValue, pods: metrics.size, counts };
}
