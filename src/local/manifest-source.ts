/**
 * Loads the manifests `tide up` runs, file by file, keeping the last good version of a file
 * whose new version is invalid: a bad edit is rejected with its errors and everything keeps
 * running as before.
 */
import { resolve } from 'node:path';
import type { ManifestError } from '../errors.js';
import {
  addToSet,
  allObjects,
  checkLocalTargets,
  emptySet,
  loadManifests,
  validateSet,
} from '../manifests/index.js';
import type { ManifestSet, TideObject } from '../manifests/types.js';
import { ManifestWatcher } from './manifest-watch.js';

export interface LoadOutcome {
  set: ManifestSet;
  /** Files whose current content was rejected; the previous good version (if any) stays applied. */
  rejected: { file: string; errors: string[] }[];
  warnings: string[];
}

export class ManifestSource {
  readonly #paths: string[];
  readonly #lastGood = new Map<string, TideObject[]>();

  constructor(paths: string[]) {
    this.#paths = paths.map((p) => resolve(p));
  }

  get paths(): readonly string[] {
    return this.#paths;
  }

  async load(): Promise<LoadOutcome> {
    const loaded = await loadManifests(this.#paths);
    const v = validateSet(loaded.set);
    const local = checkLocalTargets(loaded.set);
    const errors: ManifestError[] = [...loaded.errors, ...v.errors, ...local.errors];
    // Grouped once by file: per-file scans made a reload of thousands of files quadratic.
    const errorsByFile = groupBy(errors, (e) => e.ref.file);
    const objectsByFile = groupBy(allObjects(loaded.set), (o) => o.source.file);
    const set = emptySet();
    for (const file of loaded.files) {
      if (errorsByFile.has(file)) {
        for (const o of this.#lastGood.get(file) ?? []) addToSet(set, o);
      } else {
        const mine = objectsByFile.get(file) ?? [];
        this.#lastGood.set(file, mine);
        for (const o of mine) addToSet(set, o);
      }
    }
    // A file that is gone takes its objects with it.
    const present = new Set(loaded.files);
    for (const file of [...this.#lastGood.keys()])
      if (!present.has(file)) this.#lastGood.delete(file);
    const rejected = [...errorsByFile].map(([file, list]) => ({
      file,
      errors: list.map((e) => e.message),
    }));
    const warnings = [...loaded.warnings, ...v.warnings, ...local.warnings].map((w) => w.message);
    return { set, rejected, warnings };
  }

  /**
   * Calls `onChange` (debounced) after any save to a manifest, however it was written; see
   * manifest-watch.ts. Resolves once the watches are in place; the result stops them.
   */
  async watch(onChange: () => void, debounceMs = 300): Promise<() => void> {
    const watcher = new ManifestWatcher(this.#paths, onChange, debounceMs);
    await watcher.start();
    return () => watcher.close();
  }
}

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const group = out.get(k);
    if (group) group.push(x);
    else out.set(k, [x]);
  }
  return out;
}
