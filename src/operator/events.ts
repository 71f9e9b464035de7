/**
 * Kubernetes Events with KEDA's reasons (`KEDAScaleTargetActivated`, `ScaledObjectReady`,
 * `ScaledObjectCheckFailed`...), so `kubectl describe so` reads as it does with KEDA. Events
 * are best-effort: a failed write is logged at debug level and never blocks scaling.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { BackgroundQueue } from './background.js';

/** The reasons KEDA emits as Warning events; everything else is Normal. */
const WARNINGS = new Set([
  'ScaledObjectCheckFailed',
  'ScaledObjectDeleted',
  'KEDAScaleTargetActivationFailed',
  'KEDAScaleTargetDeactivationFailed',
  'KEDAScalerFailed',
  'ScaledJobCheckFailed',
  'KEDAJobCreateFailed',
  'ScaledJobRolloutCleanupFailed',
  'ScaledObjectFallbackActivated',
]);

/** What an Event names of its object. */
interface Involved {
  ns: string;
  name: string;
  uid: string | undefined;
  resourceVersion: string | undefined;
}

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #logger: Logger;
  readonly #queue: BackgroundQueue;
  /** Events sent, for tests and metrics. */
  sent = 0;

  /** `queue`: where Events wait for their turn (shared with status writes and finalizers). */
  constructor(client: KubeClient, logger: Logger, queue = new BackgroundQueue()) {
    this.#client = client;
    this.#logger = logger;
    this.#queue = queue;
  }

  record(obj: KubernetesObject, kind: string, reason: string, message: string): void {
    const at = Date.now();
    this.sent++;
    // The body is built when the Event goes out: a queued Event is this closure and the
    // object's identity, not the object (a start-up queues one per object, and holding the
    // whole object kept each one's build-time copy alive beside the informer's newer one).
    const m = obj.metadata;
    const who: Involved = {
      ns: m?.namespace ?? 'default',
      name: m?.name ?? '',
      uid: m?.uid,
      resourceVersion: m?.resourceVersion,
    };
    this.#queue.push(() => this.#send(who, kind, reason, message, at));
  }

  async #send(
    who: Involved,
    kind: string,
    reason: string,
    message: string,
    at: number,
  ): Promise<void> {
    const { ns, name } = who;
    const now = new Date(at).toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${name}.`, namespace: ns },
      involvedObject: {
        apiVersion: 'keda.sh/v1alpha1',
        kind,
        name,
        namespace: ns,
        ...(who.uid ? { uid: who.uid } : {}),
        ...(who.resourceVersion ? { resourceVersion: who.resourceVersion } : {}),
      },
      reason,
      message,
      type: WARNINGS.has(reason) ? 'Warning' : 'Normal',
      source: { component: 'tide-operator' },
      reportingComponent: 'tide-operator',
      reportingInstance: process.env.HOSTNAME ?? 'tide-operator',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.#client.post(`/api/v1/namespaces/${ns}/events`, body, { lane: 'background' });
    } catch (e) {
      this.#logger.debug({ reason, err: errorMessage(e) }, 'event not recorded');
    }
  }
}
