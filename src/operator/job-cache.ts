/**
 * The operator's view of the Jobs and Pods its ScaledJobs own: one informer on `batch/v1`
 * Jobs and one on Pods per watched namespace (or cluster-wide), both restricted to objects
 * labelled `scaledjob.keda.sh/name`, shared by every ScaledJob. This is what RBAC's
 * `list`/`watch` on jobs and pods is for; the operator never reads other Pods.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { JobCache } from '../targets/kubernetes/jobs.js';
import { SJ_NAME_LABEL, type KubeJob, type KubePod } from '../targets/kubernetes/job-objects.js';
import { WatchedInformer } from './informer.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';

export interface InformerJobCacheOptions {
  client: KubeClient;
  logger: Logger;
  /** Namespaces to watch; empty = all. */
  namespaces: readonly string[];
  silenceMs?: number;
  /** A Job or Pod of a ScaledJob changed (e.g. to wake its controller). */
  onChange?: (namespace: string, scaledJob: string) => void;
}

export class InformerJobCache implements JobCache {
  readonly #jobs: WatchedInformer<KubernetesObject>[] = [];
  readonly #pods: WatchedInformer<KubernetesObject>[] = [];

  constructor(opts: InformerJobCacheOptions) {
    const namespaces = opts.namespaces.length ? opts.namespaces : [undefined];
    const onChange = (_t: string, o: KubernetesObject) => {
      const sj = o.metadata?.labels?.[SJ_NAME_LABEL];
      if (sj) opts.onChange?.(o.metadata?.namespace ?? '', sj);
    };
    const common = {
      client: opts.client,
      logger: opts.logger,
      labelSelector: SJ_NAME_LABEL,
      onChange,
      ...(opts.silenceMs ? { silenceMs: opts.silenceMs } : {}),
    };
    for (const ns of namespaces) {
      const scope = ns ? `/namespaces/${ns}` : '';
      this.#jobs.push(new WatchedInformer({ ...common, path: `/apis/batch/v1${scope}/jobs` }));
      this.#pods.push(new WatchedInformer({ ...common, path: `/api/v1${scope}/pods` }));
    }
  }

  get informers(): WatchedInformer<KubernetesObject>[] {
    return [...this.#jobs, ...this.#pods];
  }

  jobs(namespace: string, scaledJob: string): readonly KubeJob[] {
    return this.#select(this.#jobs, namespace, scaledJob) as unknown as KubeJob[];
  }

  pods(namespace: string, scaledJob: string): readonly KubePod[] {
    return this.#select(this.#pods, namespace, scaledJob) as unknown as KubePod[];
  }

  #select(
    informers: readonly WatchedInformer<KubernetesObject>[],
    namespace: string,
    scaledJob: string,
  ): KubernetesObject[] {
    return informers.flatMap((i) =>
      i.list(namespace).filter((o) => o.metadata?.labels?.[SJ_NAME_LABEL] === scaledJob),
    );
  }

  start(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.start())).then(() => undefined);
  }

  stop(): Promise<void> {
    return Promise.all(this.informers.map((i) => i.stop())).then(() => undefined);
  }
}
