/**
 * A standalone SVG chart of a simulation: the metric, the capacity (target × replicas) on the
 * left axis and the replicas (or running Jobs) on the right axis, over time. No library: the
 * chart is a few polylines, so the file opens anywhere and diffs well.
 */
import type { SimStep } from './simulate.js';

export interface SvgOptions {
  /** `Kind namespace/name` or a name; defaults to the first object in the steps. */
  readonly object?: string;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A "nice" axis maximum and tick step (1, 2, 5 × 10^n). */
function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (max <= 0) return { max: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  return { max: Math.ceil(max / step) * step, step };
}

const fmt = (n: number): string => String(Math.round(n * 100) / 100);

/** Renders the steps of one object as an SVG document. */
export function renderSvg(steps: readonly SimStep[], opts: SvgOptions = {}): string {
  const first = steps[0];
  const pick = opts.object ?? first?.object;
  const mine = steps.filter((s) => s.object === pick || s.object.endsWith(`/${pick ?? ''}`));
  const W = opts.width ?? 900;
  const H = opts.height ?? 420;
  const m = { l: 60, r: 60, t: 40, b: 70 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const isJob = mine[0]?.kind === 'ScaledJob';
  const metric = mine.map((s) => s.triggers[0]?.value ?? 0);
  const target = mine[0]?.triggers[0]?.target ?? 1;
  const count = mine.map((s) =>
    isJob ? (s.runningJobs ?? 0) + (s.jobsToCreate ?? 0) : (s.desiredReplicas ?? 0),
  );
  const capacity = count.map((c) => c * target);
  const tMax = Math.max(1, ...mine.map((s) => s.time));
  const left = niceScale(Math.max(1, ...metric, ...capacity));
  const right = niceScale(Math.max(1, ...count));
  const x = (t: number): number => m.l + (t / tMax) * pw;
  const yl = (v: number): number => m.t + ph - (v / left.max) * ph;
  const yr = (v: number): number => m.t + ph - (v / right.max) * ph;
  // Replicas change at a poll and hold until the next one: draw them as steps.
  const stepLine = (vals: number[], y: (v: number) => number): string =>
    mine
      .map((s, i) =>
        i === 0
          ? `${fmt(x(s.time))},${fmt(y(vals[i] ?? 0))}`
          : `${fmt(x(s.time))},${fmt(y(vals[i - 1] ?? 0))} ${fmt(x(s.time))},${fmt(y(vals[i] ?? 0))}`,
      )
      .join(' ');
  const line = (vals: number[], y: (v: number) => number): string =>
    mine.map((s, i) => `${fmt(x(s.time))},${fmt(y(vals[i] ?? 0))}`).join(' ');

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title ?? `${pick ?? 'simulation'}`)}</text>`,
  );
  for (let v = 0; v <= left.max + 1e-9; v += left.step) {
    out.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${fmt(yl(v))}" y2="${fmt(yl(v))}" stroke="#eee"/>`,
    );
    out.push(`<text x="${m.l - 6}" y="${fmt(yl(v) + 4)}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (let v = 0; v <= right.max + 1e-9; v += right.step)
    out.push(`<text x="${m.l + pw + 6}" y="${fmt(yr(v) + 4)}" fill="#c0392b">${fmt(v)}</text>`);
  const xs = niceScale(tMax, 8);
  for (let t = 0; t <= tMax + 1e-9; t += xs.step) {
    out.push(
      `<line x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${m.t + ph}" y2="${m.t + ph + 5}" stroke="#333"/>`,
    );
    out.push(`<text x="${fmt(x(t))}" y="${m.t + ph + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#333"/>`);
  out.push(
    `<line x1="${m.l + pw}" x2="${m.l + pw}" y1="${m.t}" y2="${m.t + ph}" stroke="#c0392b"/>`,
  );
  out.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 34}" text-anchor="middle">time (s)</text>`);
  out.push(
    `<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">metric</text>`,
  );
  out.push(
    `<text transform="translate(${W - 14} ${m.t + ph / 2}) rotate(90)" text-anchor="middle" fill="#c0392b">${isJob ? 'jobs' : 'replicas'}</text>`,
  );
  out.push(
    `<polyline fill="none" stroke="#2980b9" stroke-width="2" points="${line(metric, yl)}"/>`,
  );
  out.push(
    `<polyline fill="none" stroke="#7f8c8d" stroke-width="1.5" stroke-dasharray="5 4" points="${stepLine(capacity, yl)}"/>`,
  );
  out.push(
    `<polyline fill="none" stroke="#c0392b" stroke-width="2" points="${stepLine(count, yr)}"/>`,
  );
  const legend: [string, string, string][] = [
    ['#2980b9', '', `metric (${mine[0]?.triggers[0]?.name ?? 'trigger 0'})`],
    ['#7f8c8d', '5 4', `target ${fmt(target)} × ${isJob ? 'jobs' : 'replicas'}`],
    ['#c0392b', '', isJob ? 'running + created jobs (right axis)' : 'replicas (right axis)'],
  ];
  legend.forEach(([color, dash, label], i) => {
    const lx = m.l + i * 260;
    const ly = H - 16;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    out.push(`<text x="${lx + 30}" y="${ly}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
