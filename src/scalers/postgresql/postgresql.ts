/**
 * The `postgresql` trigger, KEDA postgresql_scaler.go: runs `query`, reads one number (first
 * column of the first row), active when it is greater than `activationTargetQueryValue`, target
 * `targetQueryValue`. The connection is `connection` (libpq key/value or URL) or a key/value
 * string built from host/port/userName/dbName/sslmode/password, quoted as KEDA quotes it.
 */
import type pg from 'pg';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';
import { Secret } from '../../secret.js';
import { defineScaler, field } from '../core/define.js';
import { metricName } from '../core/metric-name.js';
import { float, secret, text } from '../core/params.js';
import { poolKey } from '../core/pool.js';
import { buildLibpq, describePg, pgConfig } from './connection.js';
import { listenForWakeUps } from './listen.js';
import { scanFloat } from '../sql/value.js';
import { sourceScaler } from '../core/source-scaler.js';
import type { ScalerContext } from '../core/types.js';

export interface PostgresMeta {
  /** libpq key/value or URL; secret, it holds the password. */
  connection: Secret;
  query: string;
  targetQueryValue: number;
  activationTargetQueryValue: number;
  /** tide-only: LISTEN on this channel for push wake-ups. */
  notifyChannel?: string;
}

const AUTH_META = ['auth', 'metadata'] as const;
const AUTH_ENV = ['auth', 'env'] as const;
const TIMEOUT_MS = 10_000;

const metadata = z.object({
  query: field(text(), { doc: 'SQL returning one number (first column of the first row).' }),
  targetQueryValue: field(float().optional(), {
    role: 'target',
    doc: 'Target value per replica; required (and not 0) unless the trigger only feeds scalingModifiers.',
  }),
  activationTargetQueryValue: field(float().default(0), {
    role: 'activation',
    doc: 'Active when the value is greater than this.',
  }),
  connection: field(secret().optional(), {
    doc: 'libpq connection string (`host=... user=...` or `postgresql://...`); not read from plain metadata.',
    from: AUTH_ENV,
    secret: true,
  }),
  host: field(text().optional(), { doc: 'Server host (without connection).', from: AUTH_META }),
  port: field(text().optional(), { doc: 'Server port (without connection).', from: AUTH_META }),
  userName: field(text().optional(), { doc: 'User (without connection).', from: AUTH_META }),
  dbName: field(text().optional(), { doc: 'Database (without connection).', from: AUTH_META }),
  sslmode: field(text().optional(), {
    doc: 'libpq sslmode: `disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full` (without connection).',
    from: AUTH_META,
  }),
  password: field(secret().optional(), {
    doc: 'Password (without connection; may be empty).',
    from: AUTH_ENV,
    secret: true,
  }),
  notifyChannel: field(text().optional(), {
    doc: 'tide-only (KEDA ignores it): LISTEN on this channel; a `NOTIFY` on it wakes the round at once.',
  }),
});

type Pool = pg.Pool;

async function openPool(config: pg.PoolConfig, ctx: ScalerContext): Promise<Pool> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionTimeoutMillis: TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    max: 4,
    ...config,
  });
  // An idle client dropped by the server emits 'error' on the pool; unhandled, it would crash.
  pool.on('error', (e) =>
    ctx.logger.debug({ err: errorMessage(e) }, 'postgresql idle client error'),
  );
  try {
    await pool.query('SELECT 1'); // KEDA pings on creation, so a bad server fails the build
    return pool;
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
}

/** Opens with libpq's sslmode semantics: `prefer` falls back to plain, `allow` starts plain. */
async function openWithSslmode(connection: string, ctx: ScalerContext): Promise<Pool> {
  const { config, sslmode } = pgConfig(connection);
  if (config.connectionString) return openPool(config, ctx);
  if (sslmode === 'allow') {
    try {
      return await openPool({ ...config, ssl: false }, ctx);
    } catch {
      return openPool({ ...config, ssl: { rejectUnauthorized: false } }, ctx);
    }
  }
  if (sslmode !== 'prefer') return openPool(config, ctx);
  try {
    return await openPool(config, ctx);
  } catch (e) {
    if (!/does not support SSL/i.test(errorMessage(e))) throw e;
    return openPool({ ...config, ssl: false }, ctx);
  }
}

export const postgresql = defineScaler({
  type: 'postgresql',
  description: 'A number returned by a SQL query on PostgreSQL.',
  notes: [
    'Runs `query` and reads the first column of the first row as a number (no row, NULL or a',
    'non-numeric value is an error). Active when the value is greater than',
    '`activationTargetQueryValue`. Without `connection` the libpq string',
    "`host=… port=… user=… dbname=… sslmode=… password=…` is built, values with whitespace, `'`",
    'or `\\` single-quoted. Triggers with the same connection string share one pool.',
    'Metric name `s<index>-postgresql`. Azure workload identity is not supported.',
    'Push wake-ups (tide-only): with `notifyChannel`, tide holds one `LISTEN` connection per server',
    'and credentials; a `NOTIFY <channel>` (or `pg_notify()` from a trigger function) wakes the',
    'round at once instead of waiting for `pollingInterval`. The channel is quoted, so its case is',
    'kept: `NOTIFY` an unquoted name only if `notifyChannel` is lower case.',
  ].join('\n'),
  metadata,
  build(f, ctx): PostgresMeta {
    // 0 and negative values are refused by the `target` role (define.ts).
    if (!ctx.inputs.usedByScalingModifiers && f.targetQueryValue === undefined)
      ctx.issue('targetQueryValue', 'no targetQueryValue given (it is required)');
    let connection = f.connection;
    if (!connection) {
      const parts = [
        ['host', f.host],
        ['port', f.port],
        ['userName', f.userName],
        ['dbName', f.dbName],
        ['sslmode', f.sslmode],
      ] as const;
      for (const [k, v] of parts)
        if (v === undefined) ctx.issue(k, `no ${k} given (required when connection is not set)`);
      if (f.host && f.port && f.userName && f.dbName && f.sslmode) {
        connection = new Secret(
          buildLibpq({
            host: f.host,
            port: f.port,
            userName: f.userName,
            dbName: f.dbName,
            sslmode: f.sslmode,
            password: f.password?.reveal() ?? '',
          }),
        );
      }
    } else {
      // KEDA hands the string to pgx when it connects: a malformed one is accepted, then fails.
      try {
        pgConfig(connection.reveal());
      } catch (e) {
        ctx.willFail(
          'connection',
          `the connection string is not libpq (key=value pairs or a postgresql:// URL): ${errorMessage(e)}`,
        );
      }
    }
    return {
      connection: connection ?? new Secret(''),
      query: f.query,
      targetQueryValue: f.targetQueryValue ?? 0,
      activationTargetQueryValue: f.activationTargetQueryValue,
      ...(f.notifyChannel ? { notifyChannel: f.notifyChannel } : {}),
    };
  },
  async create(meta, ctx) {
    const name = metricName(ctx.triggerIndex, 'postgresql');
    const conn = meta.connection.reveal();
    const where = describePg(pgConfig(conn).config);
    const channel = meta.notifyChannel;
    return sourceScaler<Pool>({
      ctx,
      secrets: [meta.connection, passwordOf(conn)],
      metricSpecs: [{ name, targetType: ctx.metricType, target: meta.targetQueryValue }],
      connection: {
        key: poolKey('postgresql', conn),
        open: () => openWithSslmode(conn, ctx),
        close: (p) => p.end(),
        failure: `cannot connect to PostgreSQL at ${where}`,
      },
      async read({ client, call, fail }) {
        const r = await call(
          `query on PostgreSQL at ${where} failed`,
          client.query<unknown[]>({ text: meta.query, rowMode: 'array' }),
        );
        const v = scanFloat(r.rows);
        if ('error' in v) throw fail(v.error);
        return {
          metrics: [{ name, value: v.value }],
          isActive: v.value > meta.activationTargetQueryValue,
        };
      },
      // Closing the scaler (a rebuild after an error) ends its watch, so the scheduler re-watches.
      ...(channel
        ? { watch: (signal) => listenForWakeUps(pgConfig(conn).config, conn, channel, ctx, signal) }
        : {}),
    });
  },
});

/** The password inside a connection string, so a driver that echoes it can be scrubbed. */
function passwordOf(connection: string): Secret | undefined {
  try {
    const { config } = pgConfig(connection);
    if (typeof config.password === 'string') return new Secret(config.password);
    if (config.connectionString) {
      const p = new URL(config.connectionString).password;
      return p ? new Secret(decodeURIComponent(p)) : undefined;
    }
  } catch {
    // an unparsable string fails elsewhere; nothing more to scrub
  }
  return undefined;
}
