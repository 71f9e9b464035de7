/** Parses `tide explain`'s arguments: the object (`so/name`, `ScaledJob/name`…) and `--at`. */
import { TideError } from '../errors.js';
import type { ObjectRef, ScaledKind } from './types.js';

export class ExplainUsageError extends TideError {
  override readonly name = 'ExplainUsageError';
  readonly code = 'TIDE_USAGE' as const;
}

/** kubectl's names and short names for the two kinds, lower-cased. */
const KINDS: Record<string, ScaledKind> = {
  scaledobject: 'ScaledObject',
  scaledobjects: 'ScaledObject',
  so: 'ScaledObject',
  scaledjob: 'ScaledJob',
  scaledjobs: 'ScaledJob',
  sj: 'ScaledJob',
};

/** `so/worker`, `ScaledObject/worker`, `scaledjobs.keda.sh/x`… plus the namespace. */
export function parseObjectRef(text: string, namespace = 'default'): ObjectRef {
  const m = /^([A-Za-z.]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text.trim());
  const kind = m ? KINDS[m[1]!.toLowerCase().replace(/\.keda\.sh$/, '')] : undefined;
  if (!m || !kind) {
    throw new ExplainUsageError(
      `expected Kind/name such as so/worker, sj/transcode, ScaledObject/worker or ScaledJob/transcode; got "${text}"`,
    );
  }
  return { kind, namespace, name: m[2]! };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--at`: an RFC 3339 / ISO time, a time of day today (`12:04`, `12:04:10`, local time unless
 * it ends in Z), or a span back from `now` (`5m`, `90s ago`, `-2h`). Epoch ms.
 */
export function parseAt(text: string, now: number = Date.now()): number {
  const t = text.trim();
  const span = /^-?(\d+(?:\.\d+)?)\s*([smhd])(?:\s+ago)?$/i.exec(t);
  if (span) return now - Number(span[1]) * UNIT_MS[span[2]!.toLowerCase()]!;
  const tod = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(Z)?$/i.exec(t);
  if (tod) {
    const d = new Date(now);
    const [h, mi, s] = [Number(tod[1]), Number(tod[2]), Number(tod[3] ?? 0)];
    if (h < 24 && mi < 60 && s < 60) {
      if (tod[4]) d.setUTCHours(h, mi, s, 999);
      else d.setHours(h, mi, s, 999);
      return d.getTime();
    }
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms;
  }
  throw new ExplainUsageError(
    `--at: expected a time such as 2026-11-23T12:04:10Z, 12:04, or 5m ago; got "${text}"`,
  );
}
