/**
 * Size-rotated JSONL files: `decisions.jsonl` grows to `maxBytes`, then becomes
 * `decisions.1.jsonl` (the older ones shift up) and the oldest beyond `files` is deleted, so the
 * folder never holds more than `files × maxBytes`. Lines are buffered and written in one
 * synchronous append per flush: a round of every object costs one system call, not one each.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';

export interface RotatingJsonlOptions {
  dir: string;
  /** File name without `.jsonl`. @default 'decisions' */
  base?: string;
  /** @default 5 MiB */
  maxBytes?: number;
  /** Files kept, the current one included. @default 3 */
  files?: number;
  /** Buffered lines are written after this delay. @default 250 */
  flushMs?: number;
  /** A failed write (disk full, folder removed) is reported, never thrown into a round. */
  onError?: (e: unknown) => void;
}

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_FILES = 3;

/** The path of generation `i` (0 = the file being written). */
export function generationPath(dir: string, base: string, i: number): string {
  return join(dir, i === 0 ? `${base}.jsonl` : `${base}.${i}.jsonl`);
}

export class RotatingJsonl {
  readonly #dir: string;
  readonly #base: string;
  readonly #maxBytes: number;
  readonly #files: number;
  readonly #flushMs: number;
  readonly #onError: (e: unknown) => void;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #size: number;

  constructor(opts: RotatingJsonlOptions) {
    this.#dir = opts.dir;
    this.#base = opts.base ?? 'decisions';
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#files = Math.max(1, opts.files ?? DEFAULT_FILES);
    this.#flushMs = opts.flushMs ?? 250;
    this.#onError = opts.onError ?? (() => undefined);
    mkdirSync(this.#dir, { recursive: true });
    const current = generationPath(this.#dir, this.#base, 0);
    this.#size = existsSync(current) ? statSync(current).size : 0;
  }

  /** Queues one value as a line; written at the next flush. */
  append(value: unknown): void {
    this.#pending.push(`${JSON.stringify(value)}\n`);
    this.#timer ??= setTimeout(() => this.flush(), this.#flushMs).unref();
  }

  /** Writes every queued line now, rotating whenever the current file would pass `maxBytes`. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const lines = this.#pending;
    this.#pending = [];
    try {
      let chunk = '';
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (this.#size + chunkBytes + bytes > this.#maxBytes && this.#size + chunkBytes > 0) {
          this.#write(chunk);
          chunk = '';
          chunkBytes = 0;
          this.#rotate();
        }
        chunk += line;
        chunkBytes += bytes;
      }
      if (chunk) this.#write(chunk);
    } catch (e) {
      this.#onError(e);
    }
  }

  close(): void {
    this.flush();
  }

  #write(chunk: string): void {
    if (!chunk) return;
    appendFileSync(generationPath(this.#dir, this.#base, 0), chunk);
    this.#size += Buffer.byteLength(chunk);
  }

  #rotate(): void {
    const oldest = generationPath(this.#dir, this.#base, this.#files - 1);
    if (this.#files === 1) {
      if (existsSync(oldest)) unlinkSync(oldest);
    } else {
      if (existsSync(oldest)) unlinkSync(oldest);
      for (let i = this.#files - 2; i >= 0; i--) {
        const from = generationPath(this.#dir, this.#base, i);
        if (existsSync(from)) renameSync(from, generationPath(this.#dir, this.#base, i + 1));
      }
    }
    this.#size = 0;
  }
}

/** The generations present in `dir`, oldest first. */
export function listGenerations(dir: string, base = 'decisions'): string[] {
  if (!existsSync(dir)) return [];
  const re = new RegExp(`^${base}(?:\\.(\\d+))?\\.jsonl$`);
  return readdirSync(dir)
    .flatMap((f) => {
      const m = re.exec(f);
      return m ? [{ f, i: m[1] === undefined ? 0 : Number(m[1]) }] : [];
    })
    .sort((a, b) => b.i - a.i)
    .map(({ f }) => join(dir, f));
}

/**
 * Reads every line of every generation, oldest first, keeping those `keep` accepts. A torn last
 * line (tide killed mid-write) or a foreign line is skipped, not fatal.
 */
export function readJsonl<T>(
  dir: string,
  keep: (value: T, line: string) => boolean,
  base = 'decisions',
  prefilter?: string,
): T[] {
  const out: T[] = [];
  for (const file of listGenerations(dir, base)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // rotated away between listing and reading
    }
    for (const line of text.split('\n')) {
      if (!line || (prefilter !== undefined && !line.includes(prefilter))) continue;
      try {
        const v = JSON.parse(line) as T;
        if (keep(v, line)) out.push(v);
      } catch {
        // torn or foreign line
      }
    }
  }
  return out;
}
