/**
 * The one shape for "it worked, here is the value" or "it did not, here is why", used where a
 * failure is an expected answer rather than an exception (parsing, compiling, reading a file).
 * Narrow on `ok`; the payload fields sit beside it: `r.ok ? r.value : r.error`.
 */
export type Result<T extends object, E extends object = { error: string }> =
  ({ ok: true } & T) | ({ ok: false } & E);
