/**
 * Watches the manifests `tide up` runs so that every save reloads, however the editor writes:
 * in place, `sed -i`, append, temp file + rename over the original, delete + recreate, a file
 * added to or removed from a watched folder.
 *
 * Folders are watched, never files, and never with `recursive`: a watch on a file follows its
 * inode, which a save by rename replaces, and Node 20's recursive mode on Linux is built from
 * such per-file watches (later saves went unseen, and its listeners piled up). A folder's inode
 * survives every kind of save, and its watch reports changes to the entries inside it. Each
 * folder (and sub-folder) is watched on its own; the set is re-armed after every change, so a
 * folder created, removed or replaced later is followed too.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

/** As loading reads folders: `*.yaml` and `*.yml`. */
const MANIFEST = /\.ya?ml$/;

/** One path given to `tide up`. */
interface Root {
  path: string;
  isDir: boolean;
}

export class ManifestWatcher {
  readonly #roots: readonly string[];
  readonly #onChange: () => void;
  readonly #debounceMs: number;
  /** Folder → its watch and what in it matters. */
  readonly #watches = new Map<string, { watcher: FSWatcher; interest: Interest }>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #arming: Promise<void> = Promise.resolve();

  /** `roots` are absolute; `onChange` is called (debounced) after any change to a manifest. */
  constructor(roots: readonly string[], onChange: () => void, debounceMs = 300) {
    this.#roots = roots;
    this.#onChange = onChange;
    this.#debounceMs = debounceMs;
  }

  /** Watches every folder that holds a manifest; resolves once the watches are in place. */
  async start(): Promise<void> {
    await this.#rearm();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#watches.values()) w.watcher.close();
    this.#watches.clear();
  }

  /** Folders being watched (for tests). */
  get folders(): string[] {
    return [...this.#watches.keys()].sort();
  }

  #fire(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      // Re-arm first: a new sub-folder is watched before its files are read.
      this.#arming = this.#arming.then(() => this.#rearm()).catch(() => undefined);
      void this.#arming.then(() => {
        if (!this.#closed) this.#onChange();
      });
    }, this.#debounceMs);
  }

  async #rearm(): Promise<void> {
    if (this.#closed) return;
    const wanted = new Map<string, Interest>();
    const interest = (folder: string) => {
      let i = wanted.get(folder);
      if (!i) wanted.set(folder, (i = { names: new Set(), tree: false }));
      return i;
    };
    for (const root of await Promise.all(this.#roots.map(describe))) {
      // The parent sees the root itself replaced, removed or created.
      interest(dirname(root.path)).names.add(basename(root.path));
      if (root.isDir) for (const folder of await folders(root.path)) interest(folder).tree = true;
    }
    for (const [folder, w] of this.#watches) {
      if (sameInterest(w.interest, wanted.get(folder))) continue;
      w.watcher.close();
      this.#watches.delete(folder);
    }
    for (const [folder, i] of wanted) {
      if (this.#watches.has(folder)) continue;
      const watcher = this.#open(folder, i);
      if (watcher) this.#watches.set(folder, { watcher, interest: i });
    }
  }

  #open(folder: string, interest: Interest): FSWatcher | undefined {
    if (this.#closed) return undefined;
    try {
      const w = watch(folder, { persistent: false }, (_event, name) => {
        const n = name?.toString();
        if (n === undefined) return this.#fire();
        const path = join(folder, n);
        // A watched folder removed or replaced: its watches follow a dead inode; re-armed anew.
        if (this.#forget(path)) return this.#fire();
        if (interest.names.has(n) || (interest.tree && isManifestName(n))) return this.#fire();
        // In a watched tree, a new sub-folder is one more folder to watch.
        if (interest.tree) this.#checkNewFolder(path);
      });
      // A folder that goes away ends its watch; the parent's event re-arms the set.
      w.on('error', () => {
        this.#watches.get(folder)?.watcher.close();
        this.#watches.delete(folder);
        this.#fire();
      });
      return w;
    } catch {
      return undefined; // gone already: the parent's event re-arms from what exists
    }
  }

  /** Closes the watches of `path` and of every folder under it; true when there were some. */
  #forget(path: string): boolean {
    let found = false;
    for (const [folder, w] of this.#watches) {
      if (folder !== path && !folder.startsWith(path + sep)) continue;
      w.watcher.close();
      this.#watches.delete(folder);
      found = true;
    }
    return found;
  }

  /** Re-arms when `path` turns out to be a new folder (not a dot-folder, not node_modules). */
  #checkNewFolder(path: string): void {
    const name = basename(path);
    if (name.startsWith('.') || name === 'node_modules') return;
    void stat(path).then(
      (st) => {
        if (st.isDirectory() && !this.#watches.has(path)) this.#fire();
      },
      () => undefined,
    );
  }
}

/** What matters in one watched folder: the named roots, and every manifest when in a tree. */
interface Interest {
  names: Set<string>;
  tree: boolean;
}

function sameInterest(a: Interest, b: Interest | undefined): boolean {
  return (
    b !== undefined &&
    a.tree === b.tree &&
    a.names.size === b.names.size &&
    [...a.names].every((n) => b.names.has(n))
  );
}

/** What loading reads from a folder: *.yaml and *.yml, not dotfiles (editors' swap files). */
function isManifestName(name: string): boolean {
  return MANIFEST.test(name) && !name.startsWith('.');
}

async function describe(path: string): Promise<Root> {
  const st = await stat(path).catch(() => undefined);
  return { path, isDir: st?.isDirectory() ?? false };
}

/** A folder and its sub-folders, skipping dot-folders and node_modules as loading does. */
async function folders(dir: string): Promise<string[]> {
  const out = [dir];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
    out.push(...(await folders(join(dir, e.name))));
  }
  return out;
}
