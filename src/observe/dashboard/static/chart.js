/**
 * tide's chart, shared by the dashboard and `tide simulate --html`: metric value(s) and the
 * capacity they are measured against on the left axis, replicas (or jobs) on the right, and
 * the decision's reasons under the chart for the point under the cursor. Plain JS on uPlot's
 * global build, so the same file works served or inlined into a standalone HTML file.
 *
 * A point: { t: seconds (epoch, or from the start when opts.time is false),
 *            values: (number|null)[] per trigger, target: number|null, targetType: string,
 *            count: replicas or running jobs, created?: jobs created that round,
 *            change: string (e.g. "2 → 3 replicas"), reasons: string[] }
 */
/* global uPlot */
(function (root) {
  const COLORS = ['#2563eb', '#9333ea', '#0891b2', '#db2777', '#65a30d'];

  /** A decision record (from the dashboard's events) as a chart point. */
  function recordToPoint(kind, record) {
    const t0 = record.triggers[0];
    const isJob = kind === 'ScaledJob';
    return {
      t: Date.parse(record.at) / 1000,
      values: record.triggers.map((t) => (typeof t.value === 'number' ? t.value : null)),
      target: t0 && typeof t0.target === 'number' ? t0.target : null,
      targetType: (t0 && t0.targetType) || 'AverageValue',
      count: isJob ? record.current : record.decided,
      ...(isJob ? { created: record.decided } : {}),
      change: isJob
        ? `${record.current} running, +${record.decided} created`
        : `${record.current} → ${record.decided} replicas`,
      active: record.isActive,
      errors: record.triggers.filter((t) => t.error).map((t) => t.error),
      reasons: record.reasons.map((r) => r.message),
    };
  }

  function columns(points, nTriggers, isJob) {
    const cols = [points.map((p) => p.t)];
    for (let i = 0; i < nTriggers; i++) cols.push(points.map((p) => p.values[i] ?? null));
    // What the metric is compared with: per replica for AverageValue, as is for Value.
    cols.push(
      points.map((p) =>
        p.target === null
          ? null
          : p.targetType === 'AverageValue'
            ? p.target * Math.max(p.count, 1)
            : p.target,
      ),
    );
    cols.push(points.map((p) => p.count));
    if (isJob) cols.push(points.map((p) => p.created ?? 0));
    return cols;
  }

  const pad = (n) => String(n).padStart(2, '0');
  function timeLabel(t, time) {
    if (!time) return `t=${Math.round(t * 1000) / 1000}s`;
    const d = new Date(t * 1000);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  /**
   * Draws a chart into `el`. opts: { kind, triggerNames: string[], time?: boolean (default
   * true), height?: number, maxPoints?: number }. Returns { setPoints, addPoint, points, destroy }.
   */
  function create(el, opts) {
    const isJob = opts.kind === 'ScaledJob';
    const time = opts.time !== false;
    const maxPoints = opts.maxPoints || 600;
    const names = opts.triggerNames.length ? opts.triggerNames : ['metric'];
    const box = document.createElement('div');
    box.className = 'tide-chart';
    const plotEl = document.createElement('div');
    const why = document.createElement('div');
    why.className = 'tide-reasons';
    why.textContent = 'Hover the chart to see why each decision was taken.';
    box.append(plotEl, why);
    el.append(box);
    let points = [];

    const stepped = uPlot.paths.stepped({ align: 1 });
    const series = [{ label: 'time', value: (_u, v) => (v === null ? '' : timeLabel(v, time)) }];
    names.forEach((n, i) =>
      series.push({
        label: n,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        fill: i === 0 ? 'rgba(37,99,235,0.08)' : undefined,
        scale: 'v',
        spanGaps: false,
      }),
    );
    series.push({
      label: 'capacity (target × replicas)',
      stroke: '#f59e0b',
      dash: [6, 4],
      width: 1.5,
      scale: 'v',
      paths: stepped,
    });
    series.push({
      label: isJob ? 'jobs running' : 'replicas',
      stroke: '#16a34a',
      width: 2.5,
      scale: 'n',
      paths: stepped,
    });
    if (isJob)
      series.push({
        label: 'jobs created',
        stroke: '#dc2626',
        width: 0,
        scale: 'n',
        paths: () => null,
        points: { show: true, size: 7, fill: '#dc2626' },
      });

    const width = () => Math.max(320, Math.floor(el.clientWidth || 800) - 4);
    const plot = new uPlot(
      {
        width: width(),
        height: opts.height || 260,
        series,
        scales: {
          x: { time },
          v: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
          n: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max) + 1)] },
        },
        axes: [
          time ? {} : { values: (_u, ticks) => ticks.map((t) => `${t}s`) },
          { scale: 'v', label: 'value', size: 50 },
          {
            scale: 'n',
            side: 1,
            label: isJob ? 'jobs' : 'replicas',
            grid: { show: false },
            size: 40,
          },
        ],
        legend: { live: true },
        hooks: {
          setCursor: [
            (u) => {
              const i = u.cursor.idx;
              const p = i === null || i === undefined ? undefined : points[i];
              if (!p) return;
              why.replaceChildren();
              const head = document.createElement('strong');
              head.textContent = `${timeLabel(p.t, time)} · ${p.change}${p.active ? ' · active' : ''}`;
              why.append(head);
              const list = document.createElement('ul');
              for (const r of [...(p.errors || []).map((e) => `error: ${e}`), ...p.reasons]) {
                const li = document.createElement('li');
                li.textContent = r;
                list.append(li);
              }
              why.append(list);
            },
          ],
        },
      },
      columns([], names.length, isJob),
      plotEl,
    );
    const redraw = () => {
      plot.setData(columns(points, names.length, isJob));
      box.dataset.points = String(points.length);
      box.dataset.count = String(points.length ? points[points.length - 1].count : '');
      // Peaks, for tests and for a quick look in the inspector.
      box.dataset.peakCount = String(Math.max(0, ...points.map((p) => p.count)));
      box.dataset.peakValue = String(Math.max(0, ...points.map((p) => p.values[0] ?? 0)));
    };
    const ro =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => plot.setSize({ width: width(), height: opts.height || 260 }))
        : undefined;
    ro?.observe(el);
    return {
      plot,
      get points() {
        return points;
      },
      setPoints(p) {
        points = p.slice(-maxPoints);
        redraw();
      },
      addPoint(p) {
        points.push(p);
        if (points.length > maxPoints) points.shift();
        redraw();
      },
      destroy() {
        ro?.disconnect();
        plot.destroy();
        box.remove();
      },
    };
  }

  root.TideChart = { create, recordToPoint };
})(globalThis);
