/**
 * Value types for trigger metadata. Metadata values are strings (KEDA's `map[string]string`), so
 * each helper is a zod schema from a string to the typed value, with KEDA's parsing rules
 * (typed_config.go): ints and floats as JSON numbers, bools as Go's strconv.ParseBool, durations
 * as a Go duration or an integer of milliseconds. `z.coerce` is avoided on purpose: it turns `""`
 * into 0 and `"5.5"` into an int-looking 5.5.
 *
 * Messages end in `, got "<value>"` built by {@link got}; the resolver strips that suffix for
 * secret fields and for values that came from a Secret.
 */
import { z } from 'zod';
import { Secret } from '../../secret.js';

/** The one place a value is quoted into a message, so the resolver can remove it for secrets. */
export const GOT = ', got ';
export function got(s: string): string {
  return `${GOT}${JSON.stringify(s)}`;
}

/** Labels used by docs/scalers.md for each value type. */
export const typeLabels = z.registry<{ type: string }>();

function labelled<S extends z.ZodType>(schema: S, type: string): S {
  typeLabels.add(schema, { type });
  return schema;
}

function fail(
  ctx: { addIssue(i: { code: 'custom'; message: string }): void },
  message: string,
): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** A non-empty string, as given (the resolver already trimmed it). */
export function text() {
  return labelled(z.string(), 'string');
}

const JSON_INT = /^-?(?:0|[1-9]\d*)$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** An integer written as a JSON number (`"5"`; `"5.5"`, `"05"` and `"ten"` fail), within int64 and JS safe range. */
export function int() {
  return labelled(
    z.string().transform((s, ctx) => {
      if (!JSON_INT.test(s)) return fail(ctx, `must be an integer${got(s)}`);
      const n = Number(s);
      if (!Number.isSafeInteger(n))
        return fail(
          ctx,
          `must be an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}${got(s)}`,
        );
      return n;
    }),
    'integer',
  );
}

/** A number written as a JSON number (`"5"`, `"0.5"`, `"1e3"`). */
export function float() {
  return labelled(
    z.string().transform((s, ctx) => {
      if (!JSON_NUMBER.test(s)) return fail(ctx, `must be a number${got(s)}`);
      const n = Number(s);
      if (!Number.isFinite(n)) return fail(ctx, `must be a finite number${got(s)}`);
      return n;
    }),
    'number',
  );
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. */
export function parseGoBool(s: string): boolean | undefined {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

export function bool() {
  return labelled(
    z.string().transform((s, ctx) => {
      const b = parseGoBool(s);
      return b ?? fail(ctx, `must be a boolean (true or false)${got(s)}`);
    }),
    'boolean',
  );
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration, in milliseconds; undefined when malformed. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)([a-zµμ]+)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m) return undefined;
    const unit = UNIT_MS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** KEDA durations: a Go duration (`30s`, `1m30s`) or a plain integer of milliseconds; negative rejected. Output: ms. */
export function duration() {
  return labelled(
    z.string().transform((s, ctx) => {
      const ms = JSON_INT.test(s) ? Number(s) : parseGoDuration(s);
      if (ms === undefined)
        return fail(ctx, `must be a duration like "30s" or an integer of milliseconds${got(s)}`);
      if (ms < 0) return fail(ctx, `must not be negative${got(s)}`);
      return ms;
    }),
    'duration',
  );
}

/** A comma-separated list, each item trimmed; empty items are dropped. */
export function list(separator = ',') {
  return labelled(
    z.string().transform((s) =>
      s
        .split(separator)
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    ),
    'list',
  );
}

/** One of fixed values (checked after trimming, case-sensitive like KEDA's enum tag). */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const allowed = new Set<string>(values);
  return labelled(
    z.string().transform((s, ctx): T[number] => {
      if (allowed.has(s)) return s;
      return fail(ctx, `must be one of ${values.join(', ')}${got(s)}`);
    }),
    `one of ${values.map((v) => `\`${v}\``).join(', ')}`,
  );
}

/** A secret value: the resolver hands it over as a Secret, and messages never quote it. */
export function secret() {
  return labelled(z.instanceof(Secret), 'string (secret)');
}
