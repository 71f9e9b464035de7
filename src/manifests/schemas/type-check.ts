/**
 * Compile-time ties between the hand-written object model (`../types.ts`, documented field by
 * field) and the zod schemas that load it. `SchemaFits` is the first direction: what the schema
 * produces can be used as the type. `SchemaCovers` is the second: every field the type declares,
 * at any depth and optional or not, is one the schema keeps, since zod drops unknown keys and a
 * field forgotten in the schema would load as `undefined` without a word.
 */

/** `true`, or a compile error naming the check. */
export type Is<T extends true> = T;

/** The paths (`advanced.scalingModifiers.formula`) of fields in T that the schema output S lacks. */
export type MissingFields<T, S> = T extends readonly (infer A)[]
  ? S extends readonly (infer B)[]
    ? MissingFields<A, B>
    : never
  : T extends object
    ? S extends object
      ? {
          [K in keyof T & string]-?: K extends keyof S
            ? MissingFields<NonNullable<T[K]>, NonNullable<S[K]>> extends infer P
              ? [P] extends [never]
                ? never
                : `${K}.${P & string}`
              : never
            : K;
        }[keyof T & string]
      : never
    : never;

/** `true` when the schema output S keeps every field of T; else the missing paths (a compile error under `Is`). */
export type SchemaCovers<T, S> = [MissingFields<T, S>] extends [never] ? true : MissingFields<T, S>;

/** `true` when the schema output S can be used as T. */
export type SchemaFits<T, S> = S extends T ? true : false;
