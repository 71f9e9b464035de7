/**
 * Busy-aware scale-in in Kubernetes: before tide lowers a workload's `/scale`, it marks the busy
 * Pods with `controller.kubernetes.io/pod-deletion-cost` (their running task count), so the
 * ReplicaSet controller removes idle Pods first. Pods it marked earlier and that are idle now get
 * the annotation removed, so an old mark never protects an idle Pod. Failures are reported, never
 * block the scale: without marks the ReplicaSet ranks Pods as it always does.
 */
import { errorMessage } from '../../errors.js';
import type { KubeClient } from './kube-client.js';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** Remembers which Pods of one target carry tide's mark. */
export class DeletionCostMarks {
  readonly #marked = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
  ) {}

  /**
   * Writes the marks for `busy` (pod name → running tasks): busy Pods get their count as the
   * cost, Pods marked before and idle now lose the mark. Only changes are written. Returns the
   * failures, as messages.
   */
  async apply(busy: ReadonlyMap<string, number>): Promise<string[]> {
    const writes: [string, number | null][] = [];
    for (const [pod, n] of busy) if (n > 0 && this.#marked.get(pod) !== n) writes.push([pod, n]);
    for (const pod of this.#marked.keys())
      if (!((busy.get(pod) ?? 0) > 0)) writes.push([pod, null]);
    const failures: string[] = [];
    await Promise.all(
      writes.map(async ([pod, cost]) => {
        try {
          await this.client.patch(`/api/v1/namespaces/${this.namespace}/pods/${pod}`, {
            metadata: { annotations: { [POD_DELETION_COST]: cost === null ? null : String(cost) } },
          });
          if (cost === null) this.#marked.delete(pod);
          else this.#marked.set(pod, cost);
        } catch (e) {
          // A Pod that is gone needs no mark.
          if (/\b404\b|not ?found/i.test(errorMessage(e))) this.#marked.delete(pod);
          else failures.push(`pod ${this.namespace}/${pod}: ${errorMessage(e)}`);
        }
      }),
    );
    return failures;
  }
}
