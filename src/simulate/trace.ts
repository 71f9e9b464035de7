/**
 * Traces: what the event sources said over time, for `simulate`. A trace is a list of samples;
 * each sets one trigger's value (or activity, or error) from its time on, until the next
 * sample for the same trigger (sample-and-hold), so a trace can be as sparse or dense as needed.
 *
 * CSV: optional `# key: value` header lines, then a column header line, then rows.
 *
 *     # jobDurationSeconds: 30
 *     time,object,trigger,value,active,error
 *     0,worker-so,0,3,,
 *     15,worker-so,celery,,,connection refused
 *
 * Columns: `time` (required; seconds from the start, or an ISO 8601 instant — not mixed),
 * `object` (ScaledObject/ScaledJob `name`, `namespace/name` or `Kind/name`; empty = every
 * object), `trigger` (index or trigger `name`; empty = 0), `value` (number), `active`
 * (true/false; empty = value > the trigger's `activation*` metadata, default 0), `error`.
 * A row needs a value, an active flag or an error; an active-only row keeps the last value.
 *
 * JSON: `{ "jobDurationSeconds"?: n, "durationSeconds"?: n, "samples": [ {time, object?,
 * trigger?, value?, active?, error?}, ... ] }`, or a bare array of samples.
 *
 * Header keys: `jobDurationSeconds` (how long each simulated Job runs, default 60),
 * `jobPendingSeconds` (how long a new Job stays pending, default 0), `durationSeconds` (when
 * the simulation ends; default the last sample's time), `consumeRate` (items per second one
 * running replica consumes, for the queue model of `--compare`; see queue.ts),
 * `replicaStartSeconds` (in the queue model, how long a new replica takes to start before its
 * first item, default 0).
 *
 * The optional `arrivals` column (a count of items that arrive at that time) feeds the queue
 * model of `--compare`; without it the queue model reads arrivals from the rises of `value`.
 */

export interface TraceSample {
  /** Seconds from the start of the trace. */
  readonly time: number;
  readonly object?: string;
  readonly trigger?: string;
  readonly value?: number;
  readonly active?: boolean;
  readonly error?: string;
  /** Items that arrive at this time (queue model). */
  readonly arrivals?: number;
  /** 1-based line in the source (CSV) or sample index + 1 (JSON), for messages. */
  readonly line: number;
}

export interface TraceHeader {
  readonly jobDurationSeconds?: number;
  readonly jobPendingSeconds?: number;
  readonly durationSeconds?: number;
  /** Items per second one running replica consumes (queue model). */
  readonly consumeRate?: number;
  /** Queue model: seconds from a replica's start to its first item. */
  readonly replicaStartSeconds?: number;
  /** Epoch ms of time 0 when the trace used ISO times. */
  readonly start?: number;
}

export interface Trace {
  readonly header: TraceHeader;
  readonly samples: readonly TraceSample[];
}

export type TraceResult = { ok: true; trace: Trace } | { ok: false; errors: string[] };

const HEADER_KEYS = [
  'jobDurationSeconds',
  'jobPendingSeconds',
  'durationSeconds',
  'consumeRate',
  'replicaStartSeconds',
] as const;
const COLUMNS = ['time', 'object', 'trigger', 'value', 'active', 'error', 'arrivals'];
const ISO = /^\d{4}-\d{2}-\d{2}T/;

/** Renders a scalar cell as text; objects and arrays are not valid cells. */
function cell(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}

interface RawSample {
  time?: unknown;
  object?: unknown;
  trigger?: unknown;
  value?: unknown;
  active?: unknown;
  error?: unknown;
  arrivals?: unknown;
}

/** Parses a trace; every problem is reported with its line (CSV) or sample number (JSON) and field. */
export function parseTrace(text: string, format: 'csv' | 'json'): TraceResult {
  return format === 'csv' ? parseCsv(text) : parseJson(text);
}

function parseCsv(text: string): TraceResult {
  const errors: string[] = [];
  const header: Record<string, number> = {};
  const raws: { raw: RawSample; line: number }[] = [];
  let columns: string[] | undefined;
  text.split(/\r?\n/).forEach((lineText, i) => {
    const line = i + 1;
    const t = lineText.trim();
    if (t === '') return;
    if (t.startsWith('#')) {
      const m = /^#\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(t);
      if (m && (HEADER_KEYS as readonly string[]).includes(m[1] ?? '')) {
        const n = Number(m[2]);
        if (m[2] === '' || !Number.isFinite(n) || n < 0)
          errors.push(
            `line ${line}: header ${m[1]}: expected a non-negative number, got "${m[2]}"`,
          );
        else header[m[1] ?? ''] = n;
      }
      return;
    }
    const cells = t.split(',').map((c) => c.trim());
    if (!columns) {
      columns = cells;
      const unknown = cells.filter((c) => !COLUMNS.includes(c));
      if (unknown.length > 0)
        errors.push(
          `line ${line}: unknown column ${unknown.map((u) => `"${u}"`).join(', ')}; expected ${COLUMNS.join(', ')}`,
        );
      if (!cells.includes('time')) errors.push(`line ${line}: the header needs a "time" column`);
      return;
    }
    if (cells.length > columns.length)
      errors.push(`line ${line}: ${cells.length} fields, the header has ${columns.length}`);
    const raw: Record<string, string> = {};
    columns.forEach((c, j) => {
      const v = cells[j] ?? '';
      if (v !== '') raw[c] = v;
    });
    raws.push({ raw, line });
  });
  if (!columns) errors.push('line 1: no column header line (e.g. "time,object,trigger,value")');
  return finish(header, raws, errors, 'line');
}

function parseJson(text: string): TraceResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`JSON: ${(e as Error).message}`] };
  }
  const errors: string[] = [];
  const header: Record<string, number> = {};
  let samples: unknown;
  if (Array.isArray(doc)) samples = doc;
  else if (doc && typeof doc === 'object') {
    const o = doc as Record<string, unknown>;
    samples = o.samples;
    for (const k of HEADER_KEYS) {
      const v = o[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        errors.push(`${k}: expected a non-negative number, got ${JSON.stringify(v)}`);
      else header[k] = v;
    }
  }
  if (!Array.isArray(samples))
    return { ok: false, errors: [...errors, 'samples: expected an array of samples'] };
  const raws = samples.map((s: unknown, i) => {
    if (!s || typeof s !== 'object' || Array.isArray(s))
      errors.push(`sample ${i + 1}: expected an object`);
    const raw: RawSample = s && typeof s === 'object' ? s : {};
    return { raw, line: i + 1 };
  });
  return finish(header, raws, errors, 'sample');
}

function finish(
  header: Record<string, number>,
  raws: { raw: RawSample; line: number }[],
  errors: string[],
  unit: 'line' | 'sample',
): TraceResult {
  let iso: boolean | undefined;
  let start: number | undefined;
  const samples: TraceSample[] = [];
  for (const { raw, line } of raws) {
    const at = `${unit} ${line}`;
    let time: number | undefined;
    const t = raw.time;
    if (typeof t === 'string' && ISO.test(t)) {
      const ms = Date.parse(t);
      if (Number.isNaN(ms)) errors.push(`${at}: field time: invalid ISO time "${t}"`);
      else if (iso === false) errors.push(`${at}: field time: ISO time mixed with seconds`);
      else {
        iso = true;
        start ??= ms;
        time = (ms - start) / 1000;
      }
    } else if (t === undefined || t === '') {
      errors.push(`${at}: field time: missing`);
    } else {
      const n = Number(t);
      if (!Number.isFinite(n) || n < 0)
        errors.push(
          `${at}: field time: expected seconds from the start or an ISO time, got ${JSON.stringify(t)}`,
        );
      else if (iso === true) errors.push(`${at}: field time: seconds mixed with ISO times`);
      else {
        iso = false;
        time = n;
      }
    }
    let value: number | undefined;
    if (raw.value !== undefined && raw.value !== '') {
      const n = Number(raw.value);
      if (typeof raw.value === 'boolean' || !Number.isFinite(n))
        errors.push(`${at}: field value: expected a number, got ${JSON.stringify(raw.value)}`);
      else value = n;
    }
    let active: boolean | undefined;
    if (raw.active !== undefined && raw.active !== '') {
      if (raw.active === true || raw.active === 'true') active = true;
      else if (raw.active === false || raw.active === 'false') active = false;
      else
        errors.push(
          `${at}: field active: expected true or false, got ${JSON.stringify(raw.active)}`,
        );
    }
    const error = cell(raw.error);
    let arrivals: number | undefined;
    if (raw.arrivals !== undefined && raw.arrivals !== '') {
      const n = Number(raw.arrivals);
      if (typeof raw.arrivals === 'boolean' || !Number.isInteger(n) || n < 0)
        errors.push(
          `${at}: field arrivals: expected a whole number of items, got ${JSON.stringify(raw.arrivals)}`,
        );
      else arrivals = n;
    }
    if (
      value === undefined &&
      error === undefined &&
      active === undefined &&
      arrivals === undefined &&
      raw.value === undefined &&
      raw.active === undefined &&
      raw.arrivals === undefined
    ) {
      errors.push(`${at}: needs a value, an active flag, an error or arrivals`);
    }
    if (time === undefined) continue;
    if (samples.length > 0 && time < (samples[samples.length - 1]?.time ?? 0))
      errors.push(`${at}: field time: ${time} is before the previous sample's time`);
    samples.push({
      time,
      line,
      ...(cell(raw.object) !== undefined ? { object: cell(raw.object) } : {}),
      ...(cell(raw.trigger) !== undefined ? { trigger: cell(raw.trigger) } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(active !== undefined ? { active } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(arrivals !== undefined ? { arrivals } : {}),
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    trace: { header: { ...header, ...(start !== undefined ? { start } : {}) }, samples },
  };
}
