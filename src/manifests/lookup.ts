/**
 * Name lookups in a ManifestSet's lists, indexed once per list instead of a linear scan per
 * lookup: validating 1,000 files does tens of thousands of lookups, and scans made it
 * quadratic. The index is cached per array and rebuilt when the array's length changes
 * (lists only grow while a set is built; a shorter list is reindexed).
 */
interface Named {
  metadata: { name: string; namespace: string };
}

const cache = new WeakMap<readonly Named[], { length: number; byKey: Map<string, Named> }>();

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}\u0000${name}`;
}

/**
 * The first object of `list` named `name` in `namespace` (any namespace's first match when
 * `namespace` is undefined, for cluster-scoped kinds).
 */
export function findNamed<T extends Named>(
  list: readonly T[],
  namespace: string | undefined,
  name: string,
): T | undefined {
  let entry = cache.get(list);
  if (!entry || entry.length > list.length) {
    entry = { length: 0, byKey: new Map() };
    cache.set(list, entry);
  }
  // Lists only grow by push while a set is built: index just the new tail.
  for (let i = entry.length; i < list.length; i++) {
    const o = list[i] as Named;
    const k = keyOf(o.metadata.namespace, o.metadata.name);
    if (!entry.byKey.has(k)) entry.byKey.set(k, o);
    const any = keyOf(undefined, o.metadata.name);
    if (!entry.byKey.has(any)) entry.byKey.set(any, o);
  }
  entry.length = list.length;
  return entry.byKey.get(keyOf(namespace, name)) as T | undefined;
}
