/**
 * The queue model behind `tide simulate --compare`: what a scaling configuration costs
 * (replica-seconds) and what it makes items wait.
 *
 * Model. Items arrive per the trace (the `arrivals` column; without it, every rise of the
 * traced value between two samples counts as that many arrivals, which is exact for a trace
 * recorded while nothing consumed and a lower bound otherwise). They wait in one FIFO queue.
 * Each running replica takes the oldest waiting item, works on it for 1 / consumeRate
 * seconds, then takes the next. Replica counts change at polls; a new replica costs from that
 * moment and takes its first item `startSeconds` later (a process or pod starting: 0 by
 * default, the trace's `replicaStartSeconds`). Scale-in is busy-aware: replicas still starting
 * go first, then idle ones, and a busy replica removed finishes the item in hand (a warm
 * shutdown, counted in replica-seconds until it ends) and takes no more.
 * The scaler reads the queue: the metric each poll sees is the number of waiting items
 * (what LLEN reports: items in hand are no longer in the list). An item's wait is the time
 * from its arrival to the moment a replica takes it; items still waiting when the trace ends
 * count as unserved, with their wait so far.
 */

/** A batch of items arriving at one time (seconds from the start). */
export interface Arrival {
  readonly time: number;
  readonly count: number;
}

export interface WaitStats {
  /** Seconds, over every item that arrived (unserved ones count their wait until the end). */
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface QueueResult {
  /** Sum over time of running replicas, up to the end of the trace. */
  readonly replicaSeconds: number;
  readonly items: number;
  /** Items a replica had taken by the end. */
  readonly served: number;
  readonly unserved: number;
  readonly wait: WaitStats;
}

/** The queue and its replicas, advanced poll by poll (the simulator's closed loop). */
export class QueueSim {
  /** Arrival time of every item, in order. */
  readonly #items: number[] = [];
  /** Start of service per item, parallel to #items once taken. */
  readonly #starts: number[] = [];
  /** Per running replica: when it is next free (its start-up end, for one still starting). */
  #servers: { free: number; startedBusy: boolean }[] = [];
  #now = 0;
  #replicaSeconds = 0;
  readonly #service: number;
  readonly #startSeconds: number;

  constructor(arrivals: readonly Arrival[], consumeRate: number, startSeconds = 0) {
    if (!(consumeRate > 0))
      throw new RangeError(`consumeRate: expected items per second > 0, got ${consumeRate}`);
    if (!(startSeconds >= 0))
      throw new RangeError(`replicaStartSeconds: expected seconds >= 0, got ${startSeconds}`);
    this.#service = 1 / consumeRate;
    this.#startSeconds = startSeconds;
    for (const a of [...arrivals].sort((x, y) => x.time - y.time))
      for (let i = 0; i < a.count; i++) this.#items.push(a.time);
  }

  /** Serves items until `t` (replicas fixed meanwhile); starts exactly at `t` belong to the next interval. */
  advanceTo(t: number): void {
    if (t < this.#now) return;
    this.#replicaSeconds += this.#servers.length * (t - this.#now);
    for (;;) {
      const next = this.#starts.length;
      if (next >= this.#items.length || this.#servers.length === 0) break;
      // The replica free soonest takes the oldest item, once both are there.
      let s = 0;
      for (let i = 1; i < this.#servers.length; i++)
        if (this.#servers[i]!.free < this.#servers[s]!.free) s = i;
      const start = Math.max(this.#servers[s]!.free, this.#items[next]!, this.#now);
      if (start >= t) break;
      this.#starts.push(start);
      this.#servers[s] = { free: start + this.#service, startedBusy: true };
    }
    this.#now = t;
  }

  /** Items arrived by now and not taken: what the scaler reads. */
  waiting(): number {
    let arrived = this.#starts.length;
    while (arrived < this.#items.length && this.#items[arrived]! <= this.#now) arrived++;
    return arrived - this.#starts.length;
  }

  /** Items a replica is working on now (taken, not finished). */
  inFlight(): number {
    let n = 0;
    for (const s of this.#starts) if (s <= this.#now && this.#now < s + this.#service) n++;
    return n;
  }

  /** Items finished by now: what the workers' completion counters add up to. */
  completed(): number {
    let n = 0;
    for (const s of this.#starts) if (s + this.#service <= this.#now) n++;
    return n;
  }

  /** Seconds replicas have spent on items by now (the workers' busy-time counter). */
  busySeconds(): number {
    let sum = 0;
    for (const s of this.#starts)
      if (s < this.#now) sum += Math.min(this.#now, s + this.#service) - s;
    return round(sum);
  }

  /** Sets the running replicas from now on. */
  setReplicas(n: number): void {
    const want = Math.max(0, Math.floor(n));
    if (want > this.#servers.length) {
      while (this.#servers.length < want)
        this.#servers.push({ free: this.#now + this.#startSeconds, startedBusy: false });
    } else if (want < this.#servers.length) {
      // The pool stops replicas still starting first (they stop at once), then idle ones
      // (busy-aware scale-in); a busy one removed runs on until its item is done, which costs
      // replica-seconds like any running replica.
      const starting = (x: { free: number; startedBusy: boolean }) =>
        !x.startedBusy && x.free > this.#now;
      this.#servers.sort((a, b) => Number(starting(b)) - Number(starting(a)) || a.free - b.free);
      const removed = this.#servers.slice(0, this.#servers.length - want);
      for (const r of removed)
        if (!starting(r)) this.#replicaSeconds += Math.max(0, r.free - this.#now);
      this.#servers = this.#servers.slice(this.#servers.length - want);
    }
  }

  /** The figures at `end` (seconds). */
  result(end: number): QueueResult {
    this.advanceTo(end);
    const waits = this.#items.map((a, i) => {
      const s = this.#starts[i];
      return s !== undefined ? s - a : Math.max(0, end - a);
    });
    return {
      replicaSeconds: round(this.#replicaSeconds),
      items: this.#items.length,
      served: this.#starts.length,
      unserved: this.#items.length - this.#starts.length,
      wait: waitStats(waits),
    };
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Nearest-rank percentiles: the smallest wait that at least p% of items do not exceed. */
export function waitStats(waits: readonly number[]): WaitStats {
  if (waits.length === 0) return { mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...waits].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: round(rank(50)),
    p95: round(rank(95)),
    max: round(sorted.at(-1)!),
  };
}

/**
 * Arrivals from samples of one trigger: the `arrivals` column when any sample has it,
 * otherwise every rise of `value` from one sample to the next (from 0 before the first).
 */
export function arrivalsFrom(
  samples: readonly { time: number; value?: number; arrivals?: number }[],
): Arrival[] {
  if (samples.some((s) => s.arrivals !== undefined))
    return samples
      .filter((s) => (s.arrivals ?? 0) > 0)
      .map((s) => ({ time: s.time, count: s.arrivals! }));
  const out: Arrival[] = [];
  let last = 0;
  for (const s of samples) {
    if (s.value === undefined) continue;
    const rise = Math.round(s.value - last);
    if (rise > 0) out.push({ time: s.time, count: rise });
    last = s.value;
  }
  return out;
}
