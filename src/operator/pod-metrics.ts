/**
 * What the HPA reads for a `cpu`/`memory` trigger, read the same way from the API server:
 * the target's `/scale` (its `status.selector` and `spec.replicas`), the Pods that selector
 * matches, and their `metrics.k8s.io/v1beta1` PodMetrics (served by metrics-server). Three
 * requests per read, only for ScaledObjects with such triggers.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError, type KubeClient } from '../targets/kubernetes/kube-client.js';
import type {
  PodMetricsSource,
  PodMetricsView,
  PodView,
  PodsReading,
} from '../scalers/core/types.js';
import type { ScaleObject } from '../targets/kubernetes/scale.js';

interface Container {
  name: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string> };
}

interface Pod extends KubernetesObject {
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    resources?: { requests?: Record<string, string> };
  };
  status?: {
    phase?: string;
    startTime?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
}

interface PodMetrics {
  metadata: { name: string };
  timestamp: string;
  window: string;
  containers?: { name: string; usage: Record<string, string> }[];
}

const time = (s: string | undefined) => (s ? Date.parse(s) : undefined);

/** A Go duration as metrics-server writes `window` ("10s", "9.995s", "1m0s"), in ms. */
export function durationMs(s: string): number {
  let ms = 0;
  for (const [, n, unit] of s.matchAll(/([\d.]+)(ns|us|µs|ms|s|m|h)/g)) {
    const f = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 }[unit ?? 's'] ?? 0;
    ms += Number(n) * f;
  }
  return ms;
}

export function podView(p: Pod): PodView {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const start = time(p.status?.startTime);
  const readyAt = time(ready?.lastTransitionTime);
  const sidecars = (p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return {
    name: p.metadata?.name ?? '',
    ...(p.status?.phase ? { phase: p.status.phase } : {}),
    deleted: p.metadata?.deletionTimestamp !== undefined,
    ...(start !== undefined ? { startTime: start } : {}),
    ...(ready
      ? {
          ready: {
            status: ready.status,
            ...(readyAt !== undefined ? { lastTransitionTime: readyAt } : {}),
          },
        }
      : {}),
    containers: [...(p.spec?.containers ?? []), ...sidecars].map((c) => ({
      name: c.name,
      ...(c.resources?.requests ? { requests: c.resources.requests } : {}),
    })),
    ...(p.spec?.resources?.requests ? { podRequests: p.spec.resources.requests } : {}),
  };
}

export function podMetricsView(m: PodMetrics): PodMetricsView {
  return {
    name: m.metadata.name,
    timestamp: Date.parse(m.timestamp),
    windowMs: durationMs(m.window),
    containers: (m.containers ?? []).map((c) => ({ name: c.name, usage: c.usage })),
  };
}

export class ScaleTargetPods implements PodMetricsSource {
  readonly #client: KubeClient;
  readonly #scalePath: string;
  readonly #namespace: string;
  readonly #what: string;

  constructor(o: { client: KubeClient; scalePath: string; namespace: string; what: string }) {
    this.#client = o.client;
    this.#scalePath = o.scalePath;
    this.#namespace = o.namespace;
    this.#what = o.what;
  }

  async read(): Promise<PodsReading> {
    const scale = await this.#client.get<ScaleObject>(this.#scalePath);
    const selector = scale.status?.selector;
    if (!selector)
      throw new Error(
        `${this.#what}: its /scale has no status.selector, so its Pods cannot be selected`,
      );
    const q = `?labelSelector=${encodeURIComponent(selector)}`;
    const [pods, metrics] = await Promise.all([
      this.#client.get<{ items: Pod[] }>(`/api/v1/namespaces/${this.#namespace}/pods${q}`),
      this.#client
        .get<{ items: PodMetrics[] }>(
          `/apis/metrics.k8s.io/v1beta1/namespaces/${this.#namespace}/pods${q}`,
        )
        .catch((e: unknown) => {
          // The HPA's wording: no metrics-server (404) or one that is down (503).
          const why = e instanceof KubeApiError ? `${e.status} ${e.reason}`.trim() : String(e);
          throw new Error(
            `unable to fetch metrics from resource metrics API (metrics.k8s.io): ${why}`,
          );
        }),
    ]);
    return {
      currentReplicas: scale.spec?.replicas ?? 0,
      pods: pods.items.map(podView),
      metrics: metrics.items.map(podMetricsView),
      now: Date.now(),
    };
  }
}
