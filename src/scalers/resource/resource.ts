/**
 * The `cpu` and `memory` triggers (KEDA cpu_memory_scaler.go). KEDA hands these to the HPA as
 * Resource metrics read from metrics.k8s.io. In Kubernetes mode tide reads the same API and
 * runs the HPA's replica calculation over the target's Pods (resource-pods.ts). Locally it
 * reads the replicas' processes instead (process-stats.ts) and gives the engine what the HPA
 * would compute:
 * - `Utilization`: usage of the ready replicas as a percent of the container's request
 *   (average over ready replicas), which the engine turns into ceil(ratio × ready replicas);
 * - `AverageValue`: the ready replicas' total usage against a per-replica target
 *   (ceil(total / target), as the HPA's per-pod average comes to).
 * `metricType` on the trigger is required; the old `metadata.type` is rejected as in KEDA 2.18.
 */
import { z } from 'zod';
import { ScalerError } from '../../errors.js';
import { defineScaler, field, type DefinedScaler } from '../core/define.js';
import { metricName } from '../core/metric-name.js';
import { text } from '../core/params.js';
import { sampleGroups } from './process-stats.js';
import { parseQuantity } from './quantity.js';
import { resourcePods } from './pods.js';
import { sourceScaler } from '../core/source-scaler.js';
import type {
  ContainerResources,
  ParseResult,
  PodMetricsSource,
  Scaler,
  ScalerContext,
  TriggerInputs,
} from '../core/types.js';

export type ResourceName = 'cpu' | 'memory';

export interface ResourceMeta {
  mode: 'Utilization' | 'AverageValue';
  /** Percent for Utilization; cores (cpu) or bytes (memory) per replica for AverageValue. */
  target: number;
  containerName?: string;
}

const JSON_INT = /^-?(?:0|[1-9]\d*)$/;

function metadataFor(r: ResourceName) {
  return z.object({
    value: field(text(), {
      doc: `Target: an integer percent of the ${r} request (Utilization) or a quantity per replica (AverageValue: ${r === 'cpu' ? '`500m`, `1.5`' : '`256Mi`, `1Gi`'}).`,
    }),
    containerName: field(text().optional(), {
      doc: "Container whose usage and request count (the HPA's ContainerResource metric); default: every container of the Pod. In local mode it must be the first container (the one that runs).",
    }),
    type: field(text().optional(), {
      doc: 'Removed in KEDA 2.18 and rejected: use the trigger-level `metricType`.',
    }),
  });
}

/** Builds the definition of one resource trigger. */
function resourceScaler(r: ResourceName): DefinedScaler<ResourceMeta> {
  const defined = defineScaler({
    type: r,
    description:
      r === 'cpu'
        ? "CPU of the target's Pods (metrics.k8s.io) or local processes, as the HPA's cpu Resource metric."
        : "Memory of the target's Pods (metrics.k8s.io) or local processes, as the HPA's memory Resource metric.",
    notes: [
      'Requires the trigger-level `metricType`: `Utilization` (`value` an integer percent of the',
      `container's \`resources.requests.${r}\`, or its limit when only a limit is set, as Kubernetes`,
      'defaults the request) or `AverageValue` (`value` a quantity per replica).',
      "`tide operator` reads `metrics.k8s.io` (metrics-server) for the Pods the target's `/scale`",
      'selector matches and computes replicas as the HPA does: utilization against the requests,',
      'failed and deleting Pods ignored, Pods without metrics counted at 100% of their request on a',
      'scale-down and 0 on a scale-up, unready Pods at 0 on a scale-up; a Pod without the request is',
      'the HPA\'s error ("missing request for cpu in container ... of Pod ...") and replicas hold.',
      "`tide up` reads each ready replica's process group from /proc",
      r === 'cpu'
        ? '(user + system time of every process in the group, including reaped children, as a rate between reads).'
        : '(the sum of the resident set sizes of every process in the group).',
      'Always active, so `minReplicaCount` must be at least 1 when every trigger is cpu/memory.',
      `Metric name \`s<index>-${r}\`.`,
    ].join('\n'),
    metadata: metadataFor(r),
    build(f, ctx): ResourceMeta {
      if (f.type !== undefined)
        ctx.issue(
          'type',
          "the 'type' setting is DEPRECATED and is removed in v2.18 - Use 'metricType' instead.",
        );
      const mode = ctx.inputs.metricType === 'Utilization' ? 'Utilization' : 'AverageValue';
      let target = 0;
      if (mode === 'Utilization') {
        if (!JSON_INT.test(f.value) || Number(f.value) <= 0)
          ctx.issue(
            'value',
            `must be a positive integer percent with Utilization, got "${f.value}"`,
          );
        else target = Number(f.value);
      } else {
        const q = parseQuantity(f.value);
        if (q === undefined || q <= 0)
          ctx.issue(
            'value',
            `must be a positive quantity with AverageValue (${r === 'cpu' ? '"500m", "1.5"' : '"256Mi", "1Gi"'}), got "${f.value}"`,
          );
        else target = q;
      }
      return { mode, target, ...(f.containerName ? { containerName: f.containerName } : {}) };
    },
    create: (meta, ctx) => createResourceScaler(r, meta, ctx),
  });
  return {
    ...defined,
    parse(input: TriggerInputs): ParseResult<ResourceMeta> {
      // KEDA: "unsupported metric type, allowed values are 'Utilization' or 'AverageValue'".
      if (input.metricType !== 'Utilization' && input.metricType !== 'AverageValue')
        return {
          ok: false,
          issues: [
            {
              path: 'metricType',
              message: `${r} triggers need metricType Utilization or AverageValue, got ${input.metricType ? `"${input.metricType}"` : 'none'}`,
              severity: 'error',
            },
          ],
        };
      return defined.parse(input);
    },
  };
}

export const cpu = resourceScaler('cpu');
export const memory = resourceScaler('memory');

/** The container whose request counts, or a message saying why there is none. */
export function pickContainer(
  containers: readonly ContainerResources[],
  name: string | undefined,
): ContainerResources | string {
  const first = containers[0];
  if (!first) return 'the pod template has no container';
  if (name === undefined || name === first.name) return first;
  if (!containers.some((c) => c.name === name))
    return `container "${name}" is not in the pod template`;
  return `container "${name}" does not run in local mode (only the first container, "${first.name}", runs)`;
}

/** The request (or the limit when only a limit is set), in cores or bytes. */
export function requestOf(c: ContainerResources, r: ResourceName): number | undefined {
  const raw = c.requests?.[r] ?? c.limits?.[r];
  const q = raw === undefined ? undefined : parseQuantity(raw);
  return q !== undefined && q > 0 ? q : undefined;
}

interface CpuBaseline {
  cpuSeconds: number;
  at: number;
  usage: number;
}

/** Reads shorter apart than this reuse the last rate (a retry right after a read is noise). */
const MIN_WINDOW_S = 0.5;
/** A process younger than this on first sight is still starting up. */
const STARTUP_S = 10;

/** Kubernetes mode: the HPA's calculation over the target's Pods and their PodMetrics. */
function podsScaler(
  r: ResourceName,
  meta: ResourceMeta,
  ctx: ScalerContext,
  source: PodMetricsSource,
): Promise<Scaler> {
  const name = metricName(ctx.triggerIndex, r);
  const what = meta.mode === 'Utilization' ? 'utilization' : 'usage';
  return sourceScaler({
    ctx,
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.target }],
    async read({ call, fail, signal }) {
      const reading = await call(`failed to get ${r} ${what}`, source.read(signal));
      const res = resourcePods({
        resource: r,
        mode: meta.mode,
        target: meta.target,
        reading,
        ...(meta.containerName ? { containerName: meta.containerName } : {}),
      });
      if (!res.ok) throw fail(res.error);
      return { metrics: [{ name, value: res.value, pods: res.pods }], isActive: true };
    },
  });
}

async function createResourceScaler(r: ResourceName, meta: ResourceMeta, ctx: ScalerContext) {
  if (ctx.podMetrics) return podsScaler(r, meta, ctx, ctx.podMetrics);
  const local = ctx.localReplicas;
  if (!local)
    throw new ScalerError(
      ctx.triggerRef,
      `${r} triggers read the target's Pods (tide operator) or its replica processes (tide up), and neither is available here`,
    );
  const container = pickContainer(local.containers, meta.containerName);
  if (typeof container === 'string') throw new ScalerError(ctx.triggerRef, container);
  const request = requestOf(container, r);
  if (meta.mode === 'Utilization' && request === undefined)
    throw new ScalerError(
      ctx.triggerRef,
      `missing request for ${r} in container ${container.name}`,
    );
  const name = metricName(ctx.triggerIndex, r);
  const baselines = new Map<string, CpuBaseline>();

  /** CPU cores used since the last read; `fresh` on a young replica's first sight. */
  function cpuUsage(
    key: string,
    cpuSeconds: number,
    ageSeconds: number,
    nowS: number,
  ): { usage: number; fresh: boolean } {
    const prev = baselines.get(key);
    if (!prev) {
      // First sight: the average since the process started. A young process's average is
      // mostly its start-up (loading code), so the caller prefers its peers' figure.
      const usage = ageSeconds > 0 ? cpuSeconds / ageSeconds : 0;
      baselines.set(key, { cpuSeconds, at: nowS, usage });
      return { usage, fresh: ageSeconds < STARTUP_S };
    }
    const dt = nowS - prev.at;
    if (dt < MIN_WINDOW_S) return { usage: prev.usage, fresh: false };
    const usage = Math.max(0, cpuSeconds - prev.cpuSeconds) / dt;
    baselines.set(key, { cpuSeconds, at: nowS, usage });
    return { usage, fresh: false };
  }

  return sourceScaler({
    ctx,
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.target }],
    async read({ fail }) {
      const ready = local.processes().filter((p) => p.ready);
      const samples = sampleGroups(ready.map((p) => p.pid));
      const nowS = ctx.now() / 1000;
      const established: number[] = [];
      const fresh: number[] = [];
      const seen = new Set<string>();
      for (const p of ready) {
        const s = samples.get(p.pid);
        if (!s) continue; // exited since the list was taken
        const key = `${p.name}/${p.pid}`;
        seen.add(key);
        if (r === 'memory') established.push(s.rssBytes);
        else {
          const u = cpuUsage(key, s.cpuSeconds, s.ageSeconds, nowS);
          (u.fresh ? fresh : established).push(u.usage);
        }
      }
      for (const k of baselines.keys()) if (!seen.has(k)) baselines.delete(k);
      const counted = established.length + fresh.length;
      if (counted === 0)
        // The HPA: "did not receive metrics for any ready pods" — no decision from this metric.
        throw fail(`no ready replica to read ${r} from`);
      // A replica just started counts as its peers' mean (neutral for the average), unless no
      // replica has a measured rate yet.
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const total =
        established.length === 0
          ? sum(fresh)
          : sum(established) + (fresh.length * sum(established)) / established.length;
      const value =
        meta.mode === 'Utilization' ? (100 * total) / ((request ?? 1) * counted) : total;
      return { metrics: [{ name, value }], isActive: true };
    },
  });
}
