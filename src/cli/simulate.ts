/**
 * `tide simulate <manifests> --trace <file>`: per step the decision and its reasons; `--svg`
 * and `--html` draw it; `--compare <manifests2>` (repeatable) runs each on the trace's queue model
 * and reports replica-seconds and item waits, ranked by cost among those that wait no longer
 * than the first.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { validate } from '../api.js';
import { UsageError } from '../errors.js';
import {
  parseTrace,
  renderHtml,
  renderSvg,
  simulate,
  simulateQueue,
  type ObjectQueueResult,
  type SimStep,
  type Trace,
} from '../simulate/index.js';

export interface SimulateCliOptions {
  trace: string;
  json?: boolean;
  svg?: string;
  html?: string;
  /** Manifests (files or folders) to compare with the first ones on the same trace. */
  compare?: string | string[];
  /** Items per second per replica for the queue model; else the trace's `consumeRate`. */
  consumeRate?: number;
}

async function loadTrace(file: string): Promise<Trace> {
  const text = await readFile(file, 'utf8');
  const parsed = parseTrace(text, extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
  if (!parsed.ok) throw new UsageError(parsed.errors.map((e) => `${file}: ${e}`).join('\n'));
  return parsed.trace;
}

async function loadSet(paths: string[]) {
  const report = await validate(paths, { local: false });
  if (!report.valid) throw new UsageError(report.errors.map((e) => e.message).join('\n'));
  return report.set;
}

export async function runSimulate(paths: string[], opts: SimulateCliOptions): Promise<number> {
  try {
    if (opts.consumeRate !== undefined && !(opts.consumeRate > 0))
      throw new UsageError(
        `--consume-rate: expected items per second > 0, got ${opts.consumeRate}`,
      );
    const trace = await loadTrace(opts.trace);
    if (opts.compare && opts.compare.length > 0) return await compare(paths, opts, trace);
    const set = await loadSet(paths);
    // A trace of arrivals (or a consume rate) describes a queue, not metric readings: without
    // the queue model every reading would be 0 and nothing would ever scale.
    const queued =
      opts.consumeRate !== undefined ||
      trace.header.consumeRate !== undefined ||
      trace.samples.some((s) => s.arrivals !== undefined);
    const queue = opts.consumeRate !== undefined ? { consumeRate: opts.consumeRate } : undefined;
    const run = queued
      ? simulateQueue({ set, trace, ...(queue ? { queue } : {}) })
      : { steps: simulate({ set, trace }), queues: [] };
    const { steps } = run;
    if (opts.svg) await writeFile(opts.svg, renderSvg(steps));
    if (opts.html)
      await writeFile(
        opts.html,
        renderHtml([{ label: paths.join(' '), steps }], { title: `tide simulate ${opts.trace}` }),
      );
    if (opts.json) {
      console.log(JSON.stringify(steps, null, 2));
      return 0;
    }
    printSteps(steps);
    if (run.queues.length > 0) {
      console.log(
        `\nqueue model: FIFO, ${opts.consumeRate ?? trace.header.consumeRate} item(s)/s per running replica, trace ${opts.trace}`,
      );
      printTable(run.queues.map((q) => [paths.join(' '), q] as const));
    }
    if (opts.svg) console.log(`chart written to ${opts.svg}`);
    if (opts.html) console.log(`page written to ${opts.html}`);
    return 0;
  } catch (e) {
    console.error(`tide simulate: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function printSteps(steps: readonly SimStep[]): void {
  for (const s of steps) {
    const metrics = s.triggers
      .map(
        (t) =>
          `${t.name}=${t.error ? 'ERROR' : (t.value ?? '-')}/${t.target}${t.active ? '' : ' idle'}`,
      )
      .join(' ');
    const what =
      s.kind === 'ScaledObject'
        ? `replicas ${s.replicasBefore ?? '?'} -> ${s.desiredReplicas ?? '?'}`
        : `jobs +${s.jobsToCreate ?? 0} (running ${s.runningJobs ?? 0})`;
    const why = s.reasons.at(-1)?.message ?? '';
    console.log(`t=${String(s.time).padStart(5)}s  ${s.object}  ${metrics}  ${what}  ${why}`);
  }
}

async function compare(paths: string[], opts: SimulateCliOptions, trace: Trace): Promise<number> {
  const others = typeof opts.compare === 'string' ? [opts.compare] : (opts.compare ?? []);
  const inputs = [{ label: paths.join(' '), set: await loadSet(paths) }];
  for (const c of others) inputs.push({ label: c, set: await loadSet([c]) });
  const queue = opts.consumeRate !== undefined ? { consumeRate: opts.consumeRate } : undefined;
  const runs = inputs.map((i) => ({
    label: i.label,
    ...simulateQueue({ set: i.set, trace, ...(queue ? { queue } : {}) }),
  }));
  const consumeRate = opts.consumeRate ?? trace.header.consumeRate;
  if (opts.html)
    await writeFile(
      opts.html,
      renderHtml(runs, {
        title: `tide simulate --compare on ${opts.trace}`,
        note: `Queue model: items arrive per the trace into one FIFO queue; each running replica takes ${consumeRate} item(s) per second; the scaler reads the waiting items.`,
      }),
    );
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          model: { consumeRate, trace: opts.trace },
          results: runs.flatMap((r) => r.queues.map((q) => ({ manifests: r.label, ...q }))),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  console.log(
    `queue model: FIFO, ${consumeRate} item(s)/s per running replica, trace ${opts.trace}`,
  );
  printTable(runs.flatMap((r) => r.queues.map((q) => [r.label, q] as const)));
  if (opts.html) console.log(`page written to ${opts.html}`);
  return 0;
}

/**
 * Rank by replica-seconds among the rows whose p95 wait is no worse than the first row's (the
 * baseline); a row that makes items wait longer is not ranked ("-").
 */
function ranks(rows: readonly (readonly [string, ObjectQueueResult])[]): string[] {
  const base = rows[0]?.[1];
  if (!base) return [];
  const eligible = rows
    .map(([, q], i) => ({ i, q }))
    .filter(({ q }) => q.wait.p95 <= base.wait.p95)
    .sort((a, b) => a.q.replicaSeconds - b.q.replicaSeconds);
  const out = rows.map(() => '-');
  eligible.forEach(({ i }, k) => (out[i] = String(k + 1)));
  return out;
}

function printTable(rows: readonly (readonly [string, ObjectQueueResult])[]): void {
  const base = rows[0]?.[1].replicaSeconds ?? 0;
  const rank = ranks(rows);
  const vs = (n: number) =>
    base > 0 ? `${n <= base ? '' : '+'}${(((n - base) / base) * 100).toFixed(1)}%` : '-';
  const head = [
    'rank',
    'manifests',
    'object',
    'replica-s',
    'vs first',
    'items',
    'served',
    'unserved',
    'wait mean',
    'p50',
    'p95',
    'max',
  ];
  const s = (n: number) => `${n}s`;
  const body = rows.map(([label, q], i) => [
    rank[i] ?? '-',
    label,
    q.object,
    String(q.replicaSeconds),
    vs(q.replicaSeconds),
    String(q.items),
    String(q.served),
    String(q.unserved),
    s(q.wait.mean),
    s(q.wait.p50),
    s(q.wait.p95),
    s(q.wait.max),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  for (const r of [head, ...body])
    console.log(
      r.map((c, i) => (i >= 1 && i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
    );
}
