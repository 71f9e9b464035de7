/**
 * Prometheus text exposition of a prom-client Registry, byte for byte what
 * `registry.metrics()` writes, made for registries of tens of thousands of series:
 *
 * - each series' label string is formatted once and kept (WeakMap on prom-client's label
 *   object, which lives as long as the series): prom-client formats every label of every
 *   series on each scrape, which at 10,000 ScaledObjects (~24 MB of text, 230,000 lines,
 *   most of it the per-object round histogram) was a ~0.5 s synchronous run;
 * - the work yields to the event loop every `sliceMs` (150 ms), so health probes and the
 *   controllers' I/O are served while a large scrape is written. Not more often: each yield
 *   waits for a whole turn of the loop, which at start-up carries dozens of reconciles and
 *   thousands of first rounds, so 40 ms slices made a scrape take up to 2.6 s.
 *
 * Histograms are read from prom-client's per-series bucket counts (`hashMap`, `upperBounds`),
 * which its public `get()` copies into one object per bucket per series; a prom-client
 * upgrade that changes them is caught by the byte-for-byte test.
 */
import { Histogram, type Metric, type Registry } from 'prom-client';

type Labels = Record<string, string | number>;

interface HistogramSeries {
  labels: Labels;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/** prom-client's internals the histogram path reads. */
interface HistogramInternals {
  name: string;
  upperBounds: number[];
  hashMap: Record<string, HistogramSeries>;
  collect?: () => unknown;
}

const escapeString = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (v: string | number) =>
  typeof v === 'string' ? escapeString(v).replace(/"/g, '\\"') : v;

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

const labelCache = new WeakMap<object, string>();

/**
 * `a="x",b="y"` of a label object, formatted once per object. Joined, not grown with `+=`:
 * kept for as long as the series, a `+=` string is a rope of a node per piece (~20 nodes and
 * their pieces per series; ~1.5 KB per ScaledObject).
 */
function labelText(labels: Labels): string {
  let s = labelCache.get(labels);
  if (s === undefined) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(labels)) parts.push(`${k}="${escapeLabel(v)}"`);
    s = parts.join(',');
    labelCache.set(labels, s);
  }
  return s;
}

/** Yields to the event loop when `sliceMs` of work has run since the last yield. */
class Slicer {
  #since = performance.now();
  constructor(readonly sliceMs: number) {}
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}

async function histogramLines(h: HistogramInternals, out: string[], slicer: Slicer) {
  if (h.collect) await h.collect();
  const bucket = `${h.name}_bucket`;
  const les = h.upperBounds.map((b) => `le="${b}"`);
  let n = 0;
  for (const s of Object.values(h.hashMap)) {
    const shared = labelText(s.labels);
    const tail = shared ? `,${shared}}` : '}';
    let acc = 0;
    for (let i = 0; i < h.upperBounds.length; i++) {
      acc += s.bucketValues[h.upperBounds[i]!] ?? 0;
      out.push(`${bucket}{${les[i]!}${tail} ${valueText(acc)}`);
    }
    out.push(`${bucket}{le="+Inf"${tail} ${valueText(s.count)}`);
    const braces = shared ? `{${shared}}` : '';
    out.push(
      `${h.name}_sum${braces} ${valueText(s.sum)}`,
      `${h.name}_count${braces} ${valueText(s.count)}`,
    );
    if (++n % 500 === 0) await slicer.maybeYield();
  }
}

/** The text of one metric, `# HELP` and `# TYPE` first. */
async function metricText(metric: Metric, slicer: Slicer): Promise<string> {
  const out: string[] = [];
  const m = metric as unknown as { name: string; help: string; type: string };

  const name = escapeString(m.name);
  out.push(`# HELP ${name} ${escapeString(m.help)}`, `# TYPE ${name} ${m.type}`);
  if (metric instanceof Histogram) {
    await histogramLines(metric as unknown as HistogramInternals, out, slicer);
  } else {
    const data = await metric.get();
    let n = 0;
    for (const v of data.values as { labels: Labels; value: number; metricName?: string }[]) {
      const l = labelText(v.labels);
      out.push(`${v.metricName ?? name}${l ? `{${l}}` : ''} ${valueText(v.value)}`);
      if (++n % 1000 === 0) await slicer.maybeYield();
    }
  }
  return out.join('\n');
}

/** What `registry.metrics()` answers (Prometheus format, no default labels), in slices. */
export async function exposition(registry: Registry, sliceMs = 150): Promise<string> {
  const slicer = new Slicer(sliceMs);
  const parts: string[] = [];
  for (const metric of registry.getMetricsAsArray() as unknown as Metric[]) {
    const type = (metric as unknown as { type: string }).type;
    // Summaries (tide has none) keep prom-client's own writer.
    parts.push(
      type === 'summary'
        ? await registry.getSingleMetricAsString((metric as unknown as { name: string }).name)
        : await metricText(metric, slicer),
    );
    await slicer.maybeYield();
  }
  return `${parts.join('\n\n')}\n`;
}
