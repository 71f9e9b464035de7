/**
 * zod building blocks whose messages say what was expected and what was got
 * (`must be a positive integer, got "ten"`), the way every tide manifest message reads.
 */
import { z } from 'zod';

/** How a value is shown in a message. Long strings are cut; maps and lists are named, not dumped. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return typeof v;
}

/** The type of a value without the value itself, for places that may hold secrets. */
export function showType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}

interface RawIssue {
  code?: string;
  input?: unknown;
}

/** An error function: "is required" when absent, else `must be <expected>, got <input>`. */
export function expecting(expected: string) {
  return (iss: RawIssue): string =>
    iss.input === undefined && iss.code === 'invalid_type'
      ? 'is required'
      : `must be ${expected}, got ${show(iss.input)}`;
}

const INT32_MAX = 2_147_483_647;

function describeInt(min?: number, max?: number): string {
  if (max !== undefined && min !== undefined) return `an integer between ${min} and ${max}`;
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  if (min !== undefined) return `an integer >= ${min}`;
  return 'an integer';
}

/** An int32 (Kubernetes `int32`), optionally bounded; messages name the bounds. */
export function int32(min?: number, max?: number) {
  const error = expecting(describeInt(min, max));
  let s = z.int({ error }).min(min ?? -INT32_MAX - 1, { error });
  s = s.max(max ?? INT32_MAX, { error });
  return s;
}

/** A 64-bit integer field (JSON numbers beyond 2^53 are not supported). */
export function int64(min?: number) {
  const error = expecting(describeInt(min));
  return min === undefined ? z.int({ error }) : z.int({ error }).min(min, { error });
}

export function str() {
  return z.string({ error: expecting('a string') });
}

/** A string with at least one character (CRD `minLength: 1`). */
export function nonEmpty() {
  return z
    .string({ error: expecting('a non-empty string') })
    .min(1, { error: 'must not be empty' });
}

export function bool() {
  return z.boolean({ error: expecting('true or false') });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expecting(`one of ${values.join(', ')}`) });
}

export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: expecting('a list') });
}

export function map<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: expecting('a map') });
}

/**
 * A string that YAML users often leave unquoted (`listLength: 10`, `value: 6379`). The API
 * server rejects a number there, so say so, with the quoted form to write instead.
 */
export function quotedString(owner = "Kubernetes' API") {
  return z.string({
    error: (iss: RawIssue) =>
      iss.input === undefined
        ? 'is required'
        : typeof iss.input === 'number' || typeof iss.input === 'boolean'
          ? `must be a string, got ${show(iss.input)}: ${owner} requires strings, quote it: "${String(iss.input)}"`
          : `must be a string, got ${show(iss.input)}`,
  });
}

/** A map of strings such as labels, annotations or ConfigMap data. */
export function stringMap() {
  return z.record(z.string(), quotedString(), { error: expecting('a map of strings') });
}

/** Trigger `metadata`: KEDA's CRD types it `map[string]string`. */
export function triggerMetadata() {
  return z.record(z.string(), quotedString("KEDA's CRD"), { error: expecting('a map of strings') });
}

/** Secret `data`/`stringData`: a wrong value is described by its type only, never shown. */
export function secretValueMap() {
  const value = z.string({
    error: (iss: RawIssue) => `must be a string, got ${showType(iss.input)}`,
  });
  return z.record(z.string(), value, { error: expecting('a map of strings') });
}
