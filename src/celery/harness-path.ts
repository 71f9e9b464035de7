/**
 * Where the Python Celery peer lives: `../shared/harness` relative to the repository root
 * (override with TIDE_CELERY_HARNESS). Used by tests and benchmarks only.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Absolute path of the harness folder; throws a clear error when it is missing. */
export function harnessDir(): string {
  const dir = process.env.TIDE_CELERY_HARNESS || resolve(REPO_ROOT, '..', 'shared', 'harness');
  if (!existsSync(resolve(dir, 'celery_peer.py'))) {
    throw new Error(
      `Python Celery harness not found at ${dir} (expected celery_peer.py there; the repo expects it at ../shared/harness, or set TIDE_CELERY_HARNESS)`,
    );
  }
  return dir;
}
