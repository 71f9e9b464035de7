/**
 * The `cron` trigger, KEDA cron_scaler.go: active inside the window that opens at each `start`
 * occurrence and closes at the next `end` occurrence, in `timezone`. Inside, the metric is
 * `desiredReplicas` against a target of 1, so the HPA math asks for exactly desiredReplicas.
 * The clock comes from `ctx.now`, so tests and `tide explain` can ask "what at 09:00?".
 */
import type * as CronParser from 'cron-parser';
import { z } from 'zod';
import { errorMessage, ScalerError } from '../errors.js';
import { defineScaler, field } from './core/define.js';
import { requireOnFirstUse } from './core/lazy-library.js';
import { metricName } from './core/metric-name.js';
import { int, text } from './core/params.js';

const cronParser = requireOnFirstUse<typeof CronParser>('cron-parser');

export interface CronMeta {
  timezone: string;
  start: string;
  end: string;
  desiredReplicas: number;
}

const metadata = z.object({
  timezone: field(text(), {
    doc: 'IANA time zone the expressions are read in (`Europe/Paris`, `Etc/UTC`).',
  }),
  start: field(text(), {
    doc: 'Five-field cron expression (minute hour day-of-month month day-of-week) opening the window.',
  }),
  end: field(text(), {
    doc: 'Five-field cron expression closing the window; must differ from `start`.',
  }),
  desiredReplicas: field(int(), { doc: 'Replicas inside the window (non-zero).' }),
});

/** KEDA parseCronTimeFormat: makes an expression usable in a metric name. */
export function cronNamePart(expr: string): string {
  return expr
    .replace(/ /g, '')
    .replace(/\*/g, 'x')
    .replace(/\//g, 'Sl')
    .replace(/\?/g, 'Qm')
    .replace(/,/g, 'Cm');
}

/**
 * Remembers a pure check's answers (up to `max` distinct inputs). Checking one zone or
 * expression costs ~0.1 ms (Intl, luxon), and large manifest sets repeat the same few.
 */
function remembered<T>(check: (s: string) => T, max = 1_000): (s: string) => T {
  const seen = new Map<string, T>();
  return (s) => {
    if (seen.has(s)) return seen.get(s) as T;
    const v = check(s);
    if (seen.size >= max) seen.clear();
    seen.set(s, v);
    return v;
  };
}

export const isTimeZone = remembered((tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
});

/** An error message, or undefined when `expr` is a valid five-field expression (or an `@daily` style descriptor). */
export const checkCronExpression = remembered((expr: string): string | undefined => {
  const fields = expr.split(/\s+/).filter(Boolean);
  if (!expr.startsWith('@') && fields.length !== 5) {
    return `must be a cron expression with 5 fields (minute hour day-of-month month day-of-week), got "${expr}"`;
  }
  try {
    cronParser().CronExpressionParser.parse(expr, { tz: 'UTC' });
    return undefined;
  } catch (e) {
    return `is not a valid cron expression (${errorMessage(e)}), got "${expr}"`;
  }
});

/** Next occurrence of `expr` strictly after `now` (ms), at second granularity like robfig/cron. */
export function nextOccurrence(expr: string, tz: string, now: number): number {
  return cronParser()
    .CronExpressionParser.parse(expr, { currentDate: new Date(now), tz })
    .next()
    .getTime();
}

/** KEDA's rule: inside the window iff the next `end` does not come after the next `start`. */
export function isInWindow(m: Pick<CronMeta, 'timezone' | 'start' | 'end'>, now: number): boolean {
  const nextStart = nextOccurrence(m.start, m.timezone, now);
  const nextEnd = nextOccurrence(m.end, m.timezone, now);
  return !(nextStart < nextEnd);
}

export const cron = defineScaler({
  type: 'cron',
  description: 'A replica count inside a time window given by two cron expressions.',
  notes: [
    'Active while inside the window: the next `end` occurrence comes before the next `start`',
    'occurrence. The metric is `desiredReplicas` inside the window and 0 outside, against a target',
    'of 1, so the HPA math asks for exactly `desiredReplicas`; outside, replicas fall back to',
    '`minReplicaCount` (or 0 after `cooldownPeriod`). Metric name:',
    '`s<index>-cron-<timezone>-<start>-<end>` with spaces removed and `*`→`x`, `/`→`Sl`, `?`→`Qm`, `,`→`Cm`.',
  ].join('\n'),
  metadata,
  build(f, ctx): CronMeta {
    if (!isTimeZone(f.timezone))
      ctx.issue('timezone', `must be an IANA time zone like "Europe/Paris", got "${f.timezone}"`);
    const startErr = checkCronExpression(f.start);
    if (startErr) ctx.issue('start', startErr);
    const endErr = checkCronExpression(f.end);
    if (endErr) ctx.issue('end', endErr);
    if (f.start === f.end) ctx.issue('end', 'must differ from start (the window would be empty)');
    if (f.desiredReplicas === 0)
      ctx.issue('desiredReplicas', 'must be a non-zero integer, got "0"');
    return { ...f };
  },
  async create(meta, ctx) {
    const name = metricName(
      ctx.triggerIndex,
      `cron-${meta.timezone}-${cronNamePart(meta.start)}-${cronNamePart(meta.end)}`,
    );
    return {
      metricSpecs: [{ name, targetType: ctx.metricType, target: 1 }],
      async getMetricsAndActivity() {
        let active: boolean;
        try {
          active = isInWindow(meta, ctx.now());
        } catch (e) {
          throw new ScalerError(
            ctx.triggerRef,
            `cannot evaluate the cron window: ${errorMessage(e)}`,
            { cause: e },
          );
        }
        return { metrics: [{ name, value: active ? meta.desiredReplicas : 0 }], isActive: active };
      },
      async close() {},
    };
  },
});
