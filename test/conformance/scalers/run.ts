/**
 * Runs scaler cases through tide's real definitions: `parse` for KEDA's metadata tables, and
 * `create` with a connection pool that never connects for KEDA's GetMetricSpecForScaling
 * tables (every tide scaler borrows its connection from the pool, so `create` is otherwise pure).
 */
import { pino } from 'pino';
import type { MetricTargetType } from '../../../src/manifests/types.js';
import { Secret } from '../../../src/secret.js';
import type { DefinedScaler } from '../../../src/scalers/core/define.js';
import type {
  ConnectionPool,
  MetricSpec,
  ScalerContext,
  TriggerInputs,
} from '../../../src/scalers/core/types.js';

/** One trigger as KEDA's ScalerConfig gives it to a scaler. */
export interface TriggerInput {
  metadata: Record<string, string>;
  authParams?: Record<string, string>;
  resolvedEnv?: Record<string, string>;
  triggerIndex?: number;
  metricType?: MetricTargetType;
  /** KEDA's `AsMetricSource`: the trigger only feeds scalingModifiers. */
  asMetricSource?: boolean;
}

/** A parse outcome: `ok` or `error`, whether tide warned, and fields a table projects. */
export interface ParseOutcome {
  result: 'ok' | 'error';
  /** True when tide accepted with a warning that is not an unknown-key notice. */
  warns?: boolean;
  [field: string]: unknown;
}

function inputs(i: TriggerInput): TriggerInputs {
  // Auth params arrive as Secrets when they come from a Secret; the resolver treats both alike.
  const authParams: Record<string, Secret> = {};
  for (const [k, v] of Object.entries(i.authParams ?? {})) authParams[k] = new Secret(v);
  return {
    metadata: i.metadata,
    authParams,
    resolvedEnv: { ...(i.resolvedEnv ?? {}) },
    triggerIndex: i.triggerIndex ?? 0,
    ...(i.metricType ? { metricType: i.metricType } : {}),
    ...(i.asMetricSource ? { usedByScalingModifiers: true } : {}),
  };
}

const UNKNOWN_KEY = /unknown parameter|is only read from a TriggerAuthentication/;

/** Parses with the definition; `project` maps tide's metadata to the fields KEDA's test checks. */
export function parseWith<M>(
  def: DefinedScaler<M>,
  project?: (meta: M) => Record<string, unknown>,
): (i: TriggerInput) => ParseOutcome {
  return (i) => {
    const r = def.parse(inputs(i));
    if (!r.ok) return { result: 'error' };
    const warns = r.warnings.some((w) => !UNKNOWN_KEY.test(w.message));
    return { result: 'ok', warns, ...(project ? project(r.meta) : {}) };
  };
}

/**
 * A pool whose connections are placeholders (`client`, an object standing in for the server's
 * answers, as KEDA's tests mock them): `create` runs, nothing is opened.
 */
function idlePool(client: object): ConnectionPool {
  return {
    acquire<T>() {
      return Promise.resolve({ client: client as T, release: () => Promise.resolve() });
    },
    opened: 0,
  };
}

export function scalerContext(
  triggerIndex: number,
  metricType: MetricTargetType,
  client: object = {},
  now = Date.parse('2026-01-01T00:00:00Z'),
): ScalerContext {
  return {
    triggerIndex,
    triggerRef: `conformance trigger ${triggerIndex}`,
    logger: pino({ level: 'silent' }),
    pool: idlePool(client),
    metricType,
    now: () => now,
  };
}

/** GetMetricSpecForScaling: the first metric spec of the scaler `create` builds. */
export function metricSpecWith<M>(
  def: DefinedScaler<M>,
): (i: TriggerInput) => Promise<Partial<MetricSpec>> {
  return async (i) => {
    const r = def.parse(inputs(i));
    if (!r.ok) throw new Error(`parse failed: ${r.issues.map((x) => x.message).join('; ')}`);
    const scaler = await def.create(
      r.meta,
      scalerContext(i.triggerIndex ?? 0, i.metricType ?? 'AverageValue'),
    );
    try {
      const s = scaler.metricSpecs[0];
      if (!s) throw new Error('no metric spec');
      return s;
    } finally {
      await scaler.close();
    }
  };
}

/** GetMetricsAndActivity once, with `client` standing in for the server. */
export function activityWith<M>(
  def: DefinedScaler<M>,
): (
  i: TriggerInput,
  client: object,
  now?: number,
) => Promise<{ value: number; isActive: boolean }> {
  return async (i, client, now) => {
    const r = def.parse(inputs(i));
    if (!r.ok) throw new Error(`parse failed: ${r.issues.map((x) => x.message).join('; ')}`);
    const scaler = await def.create(
      r.meta,
      scalerContext(i.triggerIndex ?? 0, i.metricType ?? 'AverageValue', client, now),
    );
    try {
      const m = await scaler.getMetricsAndActivity(AbortSignal.timeout(5000));
      return { value: m.metrics[0]?.value ?? NaN, isActive: m.isActive };
    } finally {
      await scaler.close();
    }
  };
}
