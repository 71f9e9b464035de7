import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (password, connection string, TLS key) that never prints itself.
 * `toString`, `toJSON` and `util.inspect` all give `[redacted]`; only `reveal()` returns the
 * value, and it is called only where a client is built.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real value. Call it only at the point where a client connection is configured. */
  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A value that may be a plain string or a Secret (env vars from Secrets, auth params). */
export type MaybeSecret = string | Secret;

export function reveal(v: MaybeSecret): string {
  return typeof v === 'string' ? v : v.reveal();
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}

export { REDACTED };
