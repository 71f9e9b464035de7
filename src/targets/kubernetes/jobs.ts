/**
 * A JobTarget over `batch/v1` Jobs: the same interface local mode's JobRunner implements, so
 * the ScaledJobController drives both. Jobs and their Pods are read from informer caches
 * (`JobCache`, shared by every ScaledJob of the operator); creates and deletes go to the API.
 *
 * `startJobs(n)` returns at once: the `n` creates are sent together and the client's token
 * bucket (--qps/--burst) paces them. Until the informer has seen a new Job, the target keeps
 * it itself (first as a placeholder, then from the create's response), so the next round
 * counts it and cannot create it twice (KEDA #2488: informer lag doubled the first round).
 */
import { errorMessage } from '../../errors.js';
import { KubeApiError, type KubeClient } from './kube-client.js';
import type { JobRecord, JobTarget } from '../target.js';
import {
  jobBody,
  jobRecord,
  podJobName,
  type KubeJob,
  type KubePod,
  type RawScaledJob,
} from './job-objects.js';

/** Where the target reads Jobs and Pods labelled `scaledjob.keda.sh/name=<sj>`. */
export interface JobCache {
  jobs(namespace: string, scaledJob: string): readonly KubeJob[];
  pods(namespace: string, scaledJob: string): readonly KubePod[];
}

export type PropagationPolicy = 'Background' | 'Foreground';

export interface KubeJobTargetOptions {
  client: KubeClient;
  /** The ScaledJob as read from the API (its whole `jobTargetRef`, uid and generation). */
  sj: RawScaledJob;
  cache: JobCache;
  /** `scalingStrategy.pendingPodConditions`. */
  pendingPodConditions?: readonly string[];
  /** A create failed (KEDA's Warning `KEDAJobCreateFailed`). */
  onCreateFailed?: (message: string) => void;
}

const PLACEHOLDER = 'creating:';

export class KubeJobTarget implements JobTarget {
  readonly name: string;
  readonly #opts: KubeJobTargetOptions;
  readonly #collection: string;
  /** Jobs created (or being created) that the informer has not shown yet, by id. */
  readonly #unseen = new Map<string, JobRecord>();
  /** Ids deleted by us; hidden until the informer drops them. */
  readonly #deleted = new Set<string>();
  readonly #inflight = new Set<Promise<void>>();
  #seq = 0;
  #stopped = false;
  /** Creates that failed so far. */
  createFailures = 0;

  constructor(opts: KubeJobTargetOptions) {
    this.#opts = opts;
    const { namespace, name } = opts.sj.metadata;
    this.name = `ScaledJob ${namespace}/${name}`;
    this.#collection = `/apis/batch/v1/namespaces/${namespace}/jobs`;
  }

  startJobs(n: number): JobRecord[] {
    if (this.#stopped || n <= 0) return [];
    const body = jobBody(this.#opts.sj);
    const generation = this.#opts.sj.metadata.generation ?? 1;
    const out: JobRecord[] = [];
    for (let i = 0; i < n; i++) {
      const placeholder: JobRecord = {
        id: `${PLACEHOLDER}${++this.#seq}`,
        name: `${this.#opts.sj.metadata.name}-?????`,
        state: 'Pending',
        attempts: 0,
        failures: 0,
        startTime: new Date(),
        generation,
      };
      this.#unseen.set(placeholder.id, placeholder);
      out.push({ ...placeholder });
      const p = this.#opts.client
        .post<KubeJob>(this.#collection, body)
        .then((job) => {
          // The informer may have delivered it already; else keep it until it does.
          if (!this.#cached().some((j) => j.metadata.uid === job.metadata.uid))
            this.#unseen.set(job.metadata.uid, jobRecord(job, []));
        })
        .catch((e: unknown) => {
          this.createFailures++;
          this.#opts.onCreateFailed?.(`Failed to create job: ${errorMessage(e)}`);
        })
        .finally(() => {
          this.#unseen.delete(placeholder.id);
          this.#inflight.delete(p);
        });
      this.#inflight.add(p);
    }
    return out;
  }

  #cached(): readonly KubeJob[] {
    const { namespace, name } = this.#opts.sj.metadata;
    return this.#opts.cache.jobs(namespace, name);
  }

  list(): JobRecord[] {
    const { namespace, name } = this.#opts.sj.metadata;
    const jobs = this.#cached();
    const podsByJob = new Map<string, KubePod[]>();
    for (const pod of this.#opts.cache.pods(namespace, name)) {
      const job = podJobName(pod);
      if (!job) continue;
      const list = podsByJob.get(job) ?? [];
      list.push(pod);
      podsByJob.set(job, list);
    }
    const seen = new Set(jobs.map((j) => j.metadata.uid));
    for (const id of this.#unseen.keys()) if (seen.has(id)) this.#unseen.delete(id);
    for (const id of this.#deleted) if (!seen.has(id)) this.#deleted.delete(id);
    const records = jobs
      .filter((j) => !this.#deleted.has(j.metadata.uid))
      .map((j) =>
        jobRecord(j, podsByJob.get(j.metadata.name) ?? [], this.#opts.pendingPodConditions),
      );
    return [...records, ...[...this.#unseen.values()].map((r) => ({ ...r }))].sort(
      (a, b) => a.startTime.getTime() - b.startTime.getTime(),
    );
  }

  /** History cleanup: KEDA deletes finished Jobs with background propagation. */
  delete(ids: readonly string[]): Promise<void> {
    return this.deleteWith(ids, 'Background');
  }

  /** Deletes Jobs by id (uid); their Pods go with them (`propagationPolicy`). Unknown ids are ignored. */
  async deleteWith(ids: readonly string[], policy: PropagationPolicy): Promise<void> {
    const byId = new Map(this.#cached().map((j) => [j.metadata.uid, j.metadata.name]));
    const { namespace } = this.#opts.sj.metadata;
    const errors: string[] = [];
    await Promise.all(
      ids.map(async (id) => {
        const name = byId.get(id);
        if (!name) return;
        try {
          await this.#opts.client.request(
            'DELETE',
            `/apis/batch/v1/namespaces/${namespace}/jobs/${name}?propagationPolicy=${policy}`,
          );
          this.#deleted.add(id);
        } catch (e) {
          if (e instanceof KubeApiError && e.status === 404) this.#deleted.add(id);
          else errors.push(`Job ${namespace}/${name}: ${errorMessage(e)}`);
        }
      }),
    );
    if (errors.length)
      throw new Error(`cannot delete ${errors.length} job(s): ${errors.join('; ')}`);
  }

  /** Creates under way (for tests). */
  settled(): Promise<void> {
    return Promise.all([...this.#inflight]).then(() => undefined);
  }

  /** No new Job starts; the existing ones keep running (they belong to the cluster). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.settled();
  }
}
