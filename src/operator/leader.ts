/**
 * Leader election on a `coordination.k8s.io/v1` Lease, the way client-go does it (KEDA's
 * defaults: lease 15 s, renew deadline 10 s, retry every 2 s). client-node ships no helper.
 *
 * - Expiry is judged on the *local* time this replica last saw the lease change, not on the
 *   holder's `renewTime`, so clock skew between nodes cannot make two leaders.
 * - Every write carries the `resourceVersion` read just before (optimistic concurrency): of
 *   two replicas racing for an expired lease, the API server lets exactly one win.
 * - A leader that cannot renew within the renew deadline stops leading (the caller exits so
 *   its pod restarts), before its lease can expire for the others.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { KubeApiError, type KubeClient } from '../targets/kubernetes/kube-client.js';

export interface LeaderElectorOptions {
  client: KubeClient;
  logger: Logger;
  namespace: string;
  /** @default 'tide-operator' */
  name?: string;
  identity: string;
  /** @default 15_000 */
  leaseDurationMs?: number;
  /** @default 10_000 */
  renewDeadlineMs?: number;
  /** @default 2_000 */
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectorOptions, 'onStartedLeading' | 'onStoppedLeading'>> &
    LeaderElectorOptions;
  #leading = false;
  #lastRenew = 0;
  #observed = '';
  #observedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(opts: LeaderElectorOptions) {
    this.#o = {
      name: 'tide-operator',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      ...opts,
    };
  }

  get leading(): boolean {
    return this.#leading;
  }

  get #path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#o.namespace}/leases`;
  }

  start(): void {
    void this.#tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#tryAcquireOrRenew();
    } catch (e) {
      this.#o.logger.debug({ err: errorMessage(e) }, 'lease attempt failed');
    }
    if (this.#leading && Date.now() - this.#lastRenew > this.#o.renewDeadlineMs) {
      this.#o.logger.error('could not renew the leader lease in time; stopping leading');
      this.#leading = false;
      this.#o.onStoppedLeading();
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.#o.retryPeriodMs);
  }

  #spec(now: number, prev?: Lease['spec'], takeover = false): Lease['spec'] {
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.round(this.#o.leaseDurationMs / 1000),
      acquireTime: takeover || !prev?.acquireTime ? microTime(now) : prev.acquireTime,
      renewTime: microTime(now),
      leaseTransitions: (prev?.leaseTransitions ?? 0) + (takeover && prev ? 1 : 0),
    };
  }

  async #tryAcquireOrRenew(): Promise<void> {
    const { client, name, namespace, identity } = this.#o;
    const now = Date.now();
    const lease = await client.find<Lease>(`${this.#path}/${name}`);
    if (!lease) {
      await client.post(this.#path, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: this.#spec(now, undefined, true),
      });
      return this.#becameLeader(now);
    }
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.#observed) {
      this.#observed = record;
      this.#observedAt = now;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    const mine = holder === identity;
    if (!mine && holder !== '' && this.#observedAt + durationMs > now) {
      if (this.#leading) {
        this.#leading = false;
        this.#o.onStoppedLeading();
      }
      return;
    }
    try {
      const updated = await client.put<Lease>(`${this.#path}/${name}`, {
        ...lease,
        spec: this.#spec(now, lease.spec, !mine),
      });
      this.#observed = JSON.stringify(updated.spec ?? {});
      this.#observedAt = now;
      this.#becameLeader(now);
    } catch (e) {
      // 409: another replica wrote first; it leads, we keep watching.
      if (!(e instanceof KubeApiError && e.status === 409)) throw e;
    }
  }

  #becameLeader(now: number): void {
    this.#lastRenew = now;
    if (this.#leading) return;
    this.#leading = true;
    this.#o.logger.info({ identity: this.#o.identity }, 'became leader');
    this.#o.onStartedLeading();
  }

  /** Stops electing; a leader releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const path = `${this.#path}/${this.#o.name}`;
      const lease = await this.#o.client.get<Lease>(path);
      if (lease.spec?.holderIdentity === this.#o.identity) {
        await this.#o.client.put(path, {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
        });
      }
    } catch (e) {
      this.#o.logger.warn({ err: errorMessage(e) }, 'could not release the leader lease');
    }
  }
}
