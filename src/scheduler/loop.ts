/**
 * The per-object poll loop: runs `round()` at once, then every `intervalMs`, and at once when
 * woken by a push scaler. Rounds never overlap: a wake-up during a round schedules exactly
 * one more round right after it. As in KEDA, the timer is measured from the start of a round.
 * `wakeAt` sets an alarm between polls (the end of a cooldown).
 * Timers come from the shared slot scheduler (slots.ts): one Node timer per 25 ms slot for
 * every loop of the process, so rounds due together start together.
 */
import { sharedSlots, type SlotEntry } from './slots.js';

export interface LoopOptions {
  intervalMs: number;
  round: (signal: AbortSignal) => Promise<void>;
  onError: (e: unknown) => void;
  /** Minimum gap between push-triggered rounds, so a chatty source cannot spin the loop. */
  minWakeGapMs?: number;
}

export class PollLoop {
  readonly #opts: LoopOptions;
  readonly #abort = new AbortController();
  #timer: SlotEntry | undefined;
  #alarm: SlotEntry | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #lastStart = 0;
  #stopped = false;
  /** One closure for every timer of this loop (a new one per round lived a whole interval). */
  readonly #onTimer = (): void => this.#tick();

  constructor(opts: LoopOptions) {
    this.#opts = opts;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  start(): void {
    this.#kick();
  }

  /** Runs a round as soon as possible (coalesced with one already running). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    const gap = this.#opts.minWakeGapMs ?? 200;
    const wait = this.#lastStart + gap - Date.now();
    if (wait > 0) {
      this.#timer?.cancel();
      this.#timer = sharedSlots.after(wait, this.#onTimer);
      return;
    }
    this.#kick();
  }

  /**
   * Runs a round at `at` (ms since epoch) unless one starts before it: a cooldown that ends
   * between two polls is acted on when it ends. One alarm at a time, the latest call wins.
   */
  wakeAt(at: number): void {
    if (this.#stopped) return;
    this.#alarm?.cancel();
    const wait = at - Date.now();
    // Past the next poll the poll does it; the alarm is for what ends in between.
    if (wait >= this.#lastStart + this.#opts.intervalMs - Date.now()) return;
    this.#alarm = sharedSlots.after(Math.max(0, wait), () => this.wake());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#alarm?.cancel();
    this.#abort.abort();
    await this.#running;
  }

  /** The timer fired: start a round unless one is still running (then run one right after). */
  #tick(): void {
    if (this.#running) this.#again = true;
    else this.#kick();
  }

  #kick(): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    this.#lastStart = Date.now();
    this.#timer = sharedSlots.after(this.#opts.intervalMs, this.#onTimer);
    this.#running = this.#opts
      .round(this.#abort.signal)
      .catch((e: unknown) => this.#opts.onError(e))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.wake();
        }
      });
  }
}
