/**
 * Loads the manifests `tide up` runs, file by file, keeping the last good version of a file
 * whose new version is invalid: a bad edit is rejected with its errors and everything keeps
 * running as before.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
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
    const badFiles = new Set(errors.map((e) => e.ref.file));
    const objects = allObjects(loaded.set);
    const set = emptySet();
    for (const file of loaded.files) {
      if (badFiles.has(file)) {
        for (const o of this.#lastGood.get(file) ?? []) addToSet(set, o);
      } else {
        const mine = objects.filter((o) => o.source.file === file);
        this.#lastGood.set(file, mine);
        for (const o of mine) addToSet(set, o);
      }
    }
    for (const file of [...this.#lastGood.keys()])
      if (!loaded.files.includes(file)) this.#lastGood.delete(file);
    const rejected = [...badFiles].map((file) => ({
      file,
      errors: errors.filter((e) => e.ref.file === file).map((e) => e.message),
    }));
    const warnings = [...loaded.warnings, ...v.warnings, ...local.warnings].map((w) => w.message);
    return { set, rejected, warnings };
  }

  /** Calls `onChange` (debounced) when any watched file or folder changes. */
  async watch(onChange: () => void, debounceMs = 300): Promise<() => void> {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    const fire = () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    };
    for (const p of this.#paths) {
      const isDir = (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
      // Editors often replace a file (rename) on save, which ends a watch on the file itself,
      // so a file is watched through its folder.
      const target = isDir ? p : resolve(p, '..');
      const w = watch(target, { recursive: isDir }, (_event, name) => {
        if (isDir) {
          if (name && /\.ya?ml$/i.test(name.toString())) fire();
        } else if (!name || resolve(target, name.toString()) === p) fire();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    }
    return () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    };
  }
}
