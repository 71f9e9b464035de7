/**
 * `tide simulate --html`: one self-contained HTML file with the dashboard's chart (uPlot and
 * chart.js inlined, so it opens offline) for each simulated object, the reasons of every
 * decision on hover, and with `--compare` the figures of each manifest side by side.
 */
import { chartAssets } from '../observe/dashboard/assets.js';
import type { ObjectQueueResult, SimStep } from './simulate.js';

export interface HtmlRun {
  /** e.g. the manifest path. */
  readonly label: string;
  readonly steps: readonly SimStep[];
  /** Queue figures (`--compare`). */
  readonly queues?: readonly ObjectQueueResult[];
}

export interface ChartPoint {
  t: number;
  values: (number | null)[];
  target: number | null;
  targetType: string;
  count: number;
  created?: number;
  change: string;
  active: boolean;
  errors: string[];
  reasons: string[];
}

/** The chart's point for one simulated round (the same shape the dashboard builds from records). */
export function stepToPoint(s: SimStep): ChartPoint {
  const t0 = s.triggers[0];
  const job = s.kind === 'ScaledJob';
  return {
    t: s.time,
    values: s.triggers.map((t) => t.value ?? null),
    target: t0?.target ?? null,
    targetType: t0?.targetType ?? 'AverageValue',
    count: job ? (s.runningJobs ?? 0) : (s.desiredReplicas ?? 0),
    ...(job ? { created: s.jobsToCreate ?? 0 } : {}),
    change: job
      ? `${s.runningJobs ?? 0} running, +${s.jobsToCreate ?? 0} created`
      : `${s.replicasBefore ?? 0} → ${s.desiredReplicas ?? 0} replicas`,
    active: s.isActive,
    errors: s.triggers.flatMap((t) => (t.error ? [t.error] : [])),
    reasons: s.reasons.map((r) => r.message),
  };
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, ' ');

/** Renders the runs as one HTML document. */
export function renderHtml(
  runs: readonly HtmlRun[],
  opts: { title?: string; note?: string } = {},
): string {
  const a = chartAssets();
  const charts = runs.flatMap((r, ri) => {
    const objects = [...new Set(r.steps.map((s) => s.object))];
    return objects.map((object) => {
      const mine = r.steps.filter((s) => s.object === object);
      return {
        id: `c${ri}-${objects.indexOf(object)}`,
        run: r.label,
        object,
        kind: mine[0]?.kind ?? 'ScaledObject',
        triggerNames: mine[0]?.triggers.map((t) => t.name) ?? [],
        points: mine.map(stepToPoint),
      };
    });
  });
  const compare = runs.some((r) => r.queues?.length);
  const rows = runs.flatMap((r) =>
    (r.queues ?? []).map(
      (q) =>
        `<tr><td>${esc(r.label)}</td><td>${esc(q.object)}</td><td>${q.replicaSeconds}</td><td>${q.items}</td><td>${q.served}</td><td>${q.unserved}</td><td>${q.wait.mean}</td><td>${q.wait.p50}</td><td>${q.wait.p95}</td><td>${q.wait.max}</td></tr>`,
    ),
  );
  const title = opts.title ?? 'tide simulate';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${a.uplotCss}</style>
<style>${a.css}</style>
</head>
<body>
<header><h1>tide</h1><span class="subtitle">${esc(title)}</span></header>
<main>
${opts.note ? `<p class="muted">${esc(opts.note)}</p>` : ''}
${
  compare
    ? `<section class="card" id="compare"><h2>Compare</h2>
<table><thead><tr><th>manifests</th><th>object</th><th>replica-seconds</th><th>items</th><th>served</th><th>unserved</th><th>wait mean (s)</th><th>p50</th><th>p95</th><th>max</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`
    : ''
}
${charts
  .map(
    (c) =>
      `<article class="card"><h2>${esc(c.object)}</h2><div class="meta">${esc(c.run)}</div><div class="chart" id="${c.id}"></div></article>`,
  )
  .join('\n')}
</main>
<script>${a.uplotJs}</script>
<script>${a.chartJs}</script>
<script>
const charts = ${scriptJson(charts)};
for (const c of charts) {
  const chart = TideChart.create(document.getElementById(c.id), { kind: c.kind, triggerNames: c.triggerNames, time: false, maxPoints: 100000 });
  chart.setPoints(c.points);
}
</script>
</body>
</html>
`;
}
