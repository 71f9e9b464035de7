/** Renders TideStatus as the table `tide status` and the live terminal view print. */
import type { ObjectStatus, TideStatus, TriggerStatus } from '../scheduler/status.js';

function fmtNum(n: number | undefined): string {
  if (n === undefined) return '-';
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function metricCell(t: TriggerStatus): string {
  const label = t.name ?? t.type;
  if (t.error) return `${label}: ERROR`;
  const polling = t.push === 'polling only' ? ' (polling only)' : '';
  return `${label} ${fmtNum(t.value)}/${fmtNum(t.target)}${t.active ? '' : ' (idle)'}${polling}`;
}

/** Lines under the table for triggers that fail or cannot push: which one, since when, why. */
function triggerNotes(o: ObjectStatus): string[] {
  const out: string[] = [];
  for (const t of o.triggers) {
    const ref = `${o.kind} ${o.namespace}/${o.name} trigger ${t.index} (${t.name ?? t.type})`;
    if (t.error !== undefined) {
      const since = t.failingSince
        ? ` since ${t.failingSince.slice(11, 19)} (${t.failedRounds ?? 1} round${t.failedRounds === 1 ? '' : 's'})`
        : '';
      // Scaler errors start with the trigger's reference (type, not name): said once here.
      const own = `${o.kind} ${o.namespace}/${o.name} trigger ${t.index} (${t.type}): `;
      const error = t.error.startsWith(own) ? t.error.slice(own.length) : t.error;
      out.push(`${ref} failing${since}: ${error}`);
    } else if (t.push === 'polling only') {
      out.push(`${ref} polling only (no push wake-ups): ${t.pushReason ?? 'unknown reason'}`);
    }
  }
  return out;
}

function replicasCell(o: ObjectStatus): string {
  if (o.kind === 'ScaledJob') {
    const jobs = o.jobs ?? [];
    const running = jobs.filter((j) => j.state === 'Running' || j.state === 'Pending').length;
    const ok = jobs.filter((j) => j.state === 'Succeeded').length;
    const failed = jobs.filter((j) => j.state === 'Failed').length;
    return `jobs ${running} running, ${ok} ok, ${failed} failed`;
  }
  return `${fmtNum(o.desiredReplicas)} / ${fmtNum(o.runningReplicas)}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** One row per object: name, metric vs target, desired/running, last reason. */
export function renderStatusTable(status: TideStatus, opts: { width?: number } = {}): string {
  const width = opts.width ?? 120;
  const header = ['OBJECT', 'METRIC (value/target)', 'DESIRED / RUNNING', 'LAST DECISION'];
  const rows = status.objects.map((o) => [
    `${o.kind} ${o.namespace}/${o.name}`,
    o.triggers.length ? o.triggers.map(metricCell).join(', ') : '-',
    replicasCell(o) + (o.paused ? ' (paused)' : ''),
    o.error ? `error: ${o.error}` : (o.lastReason ?? '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // The reason column takes what is left of the terminal width.
  const fixed = widths.slice(0, 3).reduce((a, b) => a + b + 2, 0);
  const reasonWidth = Math.max(20, width - fixed);
  const line = (r: string[]) =>
    r
      .map((c, i) =>
        i === 3
          ? c.length > reasonWidth
            ? c.slice(0, reasonWidth - 1) + '…'
            : c
          : pad(c, widths[i] ?? 0),
      )
      .join('  ');
  const out = [line(header), ...rows.map(line)];
  const notes = status.objects.flatMap(triggerNotes);
  if (notes.length) out.push('', ...notes);
  for (const rej of status.rejected) {
    out.push('', `rejected change to ${rej.file} (still running the previous version):`);
    for (const e of rej.errors) out.push(`  ${e}`);
  }
  if (status.warnings?.length) {
    out.push('', 'warnings:');
    for (const w of status.warnings) out.push(`  ${w}`);
  }
  return out.join('\n');
}
