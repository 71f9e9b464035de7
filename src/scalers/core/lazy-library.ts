/**
 * Client libraries load when a trigger first needs them, not when tide starts: together they
 * cost most of a second and tens of MB, and `tide validate`, `tide --version` or a Celery worker
 * need none of the drivers. Asynchronous code (opening a connection) uses `await import(...)`
 * where it connects; this is for the few synchronous, parse-time uses (cron expressions, a
 * MongoDB query's Extended JSON), through the libraries' CommonJS builds.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS library, loaded on the first call and then kept. `via` names a package whose own
 * copy of `id` is wanted (`bson` as the `mongodb` driver resolves it, so a query parses exactly
 * as the driver will send it).
 */
export function requireOnFirstUse<T>(id: string, via?: string): () => T {
  let lib: T | undefined;
  return () => (lib ??= (via ? createRequire(require.resolve(via)) : require)(id) as T);
}
