/**
 * One timer for many poll loops. Each loop asks to run at a moment; moments are rounded up to
 * the next slot of `grainMs`, and every callback of a slot runs from a single Node timer. At
 * 10,000 ScaledObjects polled every second this is ~40 timers a second instead of 10,000, and
 * the rounds of one slot start in the same event-loop turn, so their reads go out together
 * (one Redis pipeline per server: src/scalers/redis/batch.ts). A callback runs at most
 * `grainMs` late, never early.
 */
export const SLOT_GRAIN_MS = 25;

interface Slot {
  timer: NodeJS.Timeout;
  entries: SlotEntry[];
  /** Entries not cancelled: a slot whose last entry is cancelled drops its timer. */
  live: number;
}

/** A scheduled callback; `cancel()` is O(1) (the entry is skipped when its slot fires). */
export class SlotEntry {
  constructor(
    public fn: (() => void) | undefined,
    readonly slot: Slot,
    readonly due: number,
    readonly owner: Map<number, Slot>,
  ) {}

  cancel(): void {
    if (!this.fn) return;
    this.fn = undefined;
    // The last live entry gone: nothing keeps the process up for an empty slot.
    if (--this.slot.live === 0 && this.owner.get(this.due) === this.slot) {
      clearTimeout(this.slot.timer);
      this.owner.delete(this.due);
    }
  }
}

export class SlotScheduler {
  readonly #grainMs: number;
  readonly #slots = new Map<number, Slot>();

  constructor(grainMs = SLOT_GRAIN_MS) {
    this.#grainMs = grainMs;
  }

  /** Runs `fn` once, `delayMs` from now (up to one grain later). */
  after(delayMs: number, fn: () => void): SlotEntry {
    const due = Math.ceil((Date.now() + Math.max(0, delayMs)) / this.#grainMs) * this.#grainMs;
    let slot = this.#slots.get(due);
    if (!slot) {
      const timer = setTimeout(() => this.#fire(due), Math.max(0, due - Date.now()));
      slot = { timer, entries: [], live: 0 };
      this.#slots.set(due, slot);
    }
    const entry = new SlotEntry(fn, slot, due, this.#slots);
    slot.live++;
    slot.entries.push(entry);
    return entry;
  }

  /** Slots waiting to fire (tests, diagnostics). */
  get pending(): number {
    return this.#slots.size;
  }

  #fire(due: number): void {
    const slot = this.#slots.get(due);
    this.#slots.delete(due);
    if (!slot) return;
    for (const e of slot.entries) {
      const fn = e.fn;
      e.fn = undefined;
      fn?.();
    }
  }
}

/** The process-wide scheduler every poll loop shares. */
export const sharedSlots = new SlotScheduler();
