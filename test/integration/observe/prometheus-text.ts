/**
 * A small parser for the Prometheus text exposition format, for tests that assert metric
 * names, labels and values without depending on label order or line layout.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL))
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The samples of one metric whose labels include `match`. */
export function samples(
  all: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): Sample[] {
  return all.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

/** The single value of one series; throws when there is none or more than one. */
export function valueOf(
  all: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): number {
  const found = samples(all, name, match);
  if (found.length !== 1)
    throw new Error(`${found.length} series of ${name} match ${JSON.stringify(match)}`);
  return found[0]!.value;
}
