/**
 * The `mysql` trigger, KEDA mysql_scaler.go: runs `query`, reads one number, active when it is
 * greater than `activationQueryValue`, target `queryValue`. The connection is `connectionString`
 * (a Go MySQL DSN) or the DSN `user:pass@tcp(host:port)/db` built from parts; MariaDB works too.
 */
import type mysql from 'mysql2/promise';
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { Secret } from '../secret.js';
import { defineScaler, field } from './core/define.js';
import { metricName } from './core/metric-name.js';
import {
  dbNameFromConnectionString,
  formatMysqlDsn,
  parseMysqlDsn,
  splitHostPort,
  type MysqlDsn,
} from './sql/mysql-dsn.js';
import { float, secret, text, parseGoDuration } from './core/params.js';
import { poolKey } from './core/pool.js';
import { scanFloat } from './sql/value.js';
import { sourceScaler } from './core/source-scaler.js';

export interface MysqlMeta {
  /** The Go DSN; secret, it holds the password. */
  dsn: Secret;
  /** For the metric name: `dbName`, or the last `/` segment of `connectionString`. */
  dbName: string;
  query: string;
  queryValue: number;
  activationQueryValue: number;
}

const META_AUTH = ['metadata', 'auth'] as const;
const TIMEOUT_MS = 10_000;

const metadata = z.object({
  connectionString: field(secret().optional(), {
    doc: 'Go MySQL DSN `user:pass@tcp(host:port)/db`; when set, the parts below are not used.',
    from: ['auth', 'env'],
    secret: true,
  }),
  username: field(text().optional(), {
    doc: 'User (without connectionString).',
    from: ['metadata', 'auth', 'env'],
  }),
  password: field(secret().optional(), {
    doc: 'Password (without connectionString).',
    from: ['auth', 'env'],
    secret: true,
  }),
  host: field(text().optional(), {
    doc: 'Server host (without connectionString).',
    from: META_AUTH,
  }),
  port: field(text().optional(), {
    doc: 'Server port (without connectionString).',
    from: META_AUTH,
  }),
  dbName: field(text().optional(), {
    doc: 'Database (without connectionString).',
    from: META_AUTH,
  }),
  query: field(text(), { doc: 'SQL returning one number (first column of the first row).' }),
  queryValue: field(float(), { doc: 'Target value per replica.', role: 'target' }),
  activationQueryValue: field(float().default(0), {
    role: 'activation',
    doc: 'Active when the value is greater than this.',
  }),
});

/** mysql2 options from a parsed DSN (`tls` and `timeout` parameters honoured). */
export function mysqlOptions(d: MysqlDsn): mysql.PoolOptions {
  const tls = d.params.get('tls');
  const timeout = d.params.get('timeout');
  const ssl =
    tls === 'true'
      ? {}
      : tls === 'skip-verify' || tls === 'preferred'
        ? { rejectUnauthorized: false }
        : undefined;
  const where =
    d.net === 'unix'
      ? { socketPath: d.addr }
      : (({ host, port }) => ({ host, port }))(splitHostPort(d.addr));
  return {
    ...where,
    user: d.user,
    password: d.password,
    ...(d.dbName ? { database: d.dbName } : {}),
    connectTimeout: (timeout && parseGoDuration(timeout)) || TIMEOUT_MS,
    connectionLimit: 4,
    maxIdle: 1,
    ...(ssl ? { ssl } : {}),
  };
}

async function openPool(opts: mysql.PoolOptions): Promise<mysql.Pool> {
  const { default: mysql } = await import('mysql2/promise');
  const pool = mysql.createPool(opts);
  try {
    const c = await pool.getConnection(); // KEDA pings on creation
    try {
      await c.ping();
    } finally {
      c.release();
    }
    return pool;
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
}

export const mysqlScaler = defineScaler({
  type: 'mysql',
  description: 'A number returned by a SQL query on MySQL or MariaDB.',
  notes: [
    'Runs `query` and reads the first column of the first row as a number (no row, NULL or a',
    'non-numeric value is an error). Active when the value is greater than `activationQueryValue`.',
    'Without `connectionString` the DSN `username:password@tcp(host:port)/dbName` is built (no host',
    'check, as in KEDA). Metric name `s<index>-mysql-<dbName>`. Triggers with the same DSN share one pool.',
  ].join('\n'),
  metadata,
  build(f, ctx): MysqlMeta {
    let dsn = f.connectionString;
    let dbName = f.dbName ?? '';
    if (dsn) {
      dbName = dbNameFromConnectionString(dsn.reveal());
    } else {
      dsn = new Secret(
        formatMysqlDsn({
          user: f.username ?? '',
          password: f.password?.reveal() ?? '',
          host: f.host ?? '',
          port: f.port ?? '',
          dbName,
        }),
      );
    }
    // KEDA's driver parses the DSN when the scaler connects: a malformed one is accepted, then fails.
    try {
      parseMysqlDsn(dsn.reveal());
    } catch (e) {
      ctx.willFail(f.connectionString ? 'connectionString' : 'host', errorMessage(e));
    }
    return {
      dsn,
      dbName,
      query: f.query,
      queryValue: f.queryValue,
      activationQueryValue: f.activationQueryValue,
    };
  },
  async create(meta, ctx) {
    const name = metricName(ctx.triggerIndex, `mysql-${meta.dbName}`);
    const parsed = parseMysqlDsn(meta.dsn.reveal());
    const where = `${parsed.addr}/${parsed.dbName}`;
    return sourceScaler<mysql.Pool>({
      ctx,
      secrets: [meta.dsn, parsed.password ? new Secret(parsed.password) : undefined],
      metricSpecs: [{ name, targetType: ctx.metricType, target: meta.queryValue }],
      connection: {
        key: poolKey('mysql', meta.dsn.reveal()),
        open: () => openPool(mysqlOptions(parsed)),
        close: (p) => p.end(),
        failure: `cannot connect to MySQL at ${where}`,
      },
      async read({ client, call, fail }) {
        const [rows] = await call(
          `query on MySQL at ${where} failed`,
          client.query<mysql.RowDataPacket[][]>({ sql: meta.query, rowsAsArray: true }),
        );
        const v = scanFloat(rows);
        if ('error' in v) throw fail(v.error);
        return {
          metrics: [{ name, value: v.value }],
          isActive: v.value > meta.activationQueryValue,
        };
      },
    });
  },
});
