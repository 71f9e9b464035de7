/**
 * The few Python text formats that cross the wire: `datetime.isoformat()` and Celery's
 * `saferepr` (argsrepr / kwargsrepr). Pure.
 */

/**
 * Python's `datetime.isoformat()`: microseconds (omitted when zero, as Python does) and, for an
 * aware UTC datetime, `+00:00`. `date_done` in result metas is naive (no offset).
 */
export function toPyIso(d: Date, withOffset: boolean): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const base =
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  const frac = ms === 0 ? '' : `.${pad(ms * 1000, 6)}`;
  return base + frac + (withOffset ? '+00:00' : '');
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses Celery's ISO 8601 timestamps (microseconds, `+00:00` or `Z`; a naive time is UTC as
 * Celery's `enable_utc` assumes). Returns null for null/undefined; throws on garbage.
 */
export function parseIsoDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string')
    throw new TypeError(`expected an ISO 8601 string, got ${JSON.stringify(v)}`);
  const m = ISO_RE.exec(v.trim());
  if (!m) throw new TypeError(`not an ISO 8601 timestamp: ${JSON.stringify(v)}`);
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    t -= sign * offMin * 60_000;
  }
  return new Date(t);
}

/** Celery's `saferepr` of JSON data: Python literals, strings in single quotes. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number')
    return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (typeof v === 'string')
    return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(
      ([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`,
    );
    return `{${parts.join(', ')}}`;
  }
  return pyRepr(typeof v === 'bigint' ? v.toString() : typeof v);
}
