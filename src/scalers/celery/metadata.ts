/**
 * Metadata of the tide-only `celery` trigger. The connection is the `redis` trigger's (same
 * parameters, same lookup orders, same checks: see redis-metadata.ts), plus `url`, a Celery
 * broker URL (`redis://` / `rediss://`), because that is how Celery users already hold it
 * (`CELERY_BROKER_URL`). The rest says what to count.
 */
import { z } from 'zod';
import { Secret } from '../../secret.js';
import { SEP } from '../../celery/keys.js';
import { field, type BuildContext } from '../core/define.js';
import { bool, int, list, secret } from '../core/params.js';
import { buildConnection, connectionFields, type RedisConnection } from '../redis/metadata.js';

export interface CeleryMeta {
  queues: string[];
  /** Also count the queue's entries in kombu's `unacked` hash (reserved or running tasks). */
  includeInFlight: boolean;
  tasksPerReplica: number;
  activationTasks: number;
  connection: RedisConnection;
}

const AUTH_ENV = ['metadata', 'auth', 'env'] as const;

export const celeryFields = {
  url: field(secret().optional(), {
    doc: 'Broker URL as Celery takes it: `redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS. Instead of `address` / `host` + `port`; `password`, `username` and `databaseIndex` fill what the URL leaves out.',
    from: AUTH_ENV,
    secret: true,
  }),
  queues: field(list().default(['celery']), {
    doc: 'Comma-separated Celery queue names; each counts its list and its priority sub-lists (`<queue>\\x06\\x16<1..9>`).',
  }),
  includeInFlight: field(bool().default(true), {
    doc: 'Also count the tasks of these queues that workers have reserved (prefetched, ETA-held) or run with `acks_late`: the entries of the `unacked` hash. On by default so the pool does not shrink while work is held by workers.',
  }),
  tasksPerReplica: field(int().default(5), {
    role: 'target',
    doc: 'Target number of tasks per replica.',
  }),
  activationTasks: field(int().default(0), {
    role: 'activation',
    doc: 'The trigger is active when the count is greater than this.',
  }),
};

export const celerySchema = z.object({ ...celeryFields, ...connectionFields });
type CeleryFields = z.output<typeof celerySchema>;

interface BrokerUrl {
  address: string;
  username?: string;
  password?: string;
  databaseIndex?: number;
  tls: boolean;
}

/**
 * Parses a Celery/kombu Redis broker URL. Returns a reason (never quoting the URL, which may
 * hold a password) when it is not one.
 */
export function parseBrokerUrl(raw: string): BrokerUrl | string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'must be a URL like redis://host:6379/0';
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    return `must use the redis:// or rediss:// scheme, not ${u.protocol}//`;
  if (!u.hostname) return 'must name a host (redis://host:6379/0)';
  // URL keeps an IPv6 host in brackets, the form parseAddress reads.
  const out: BrokerUrl = {
    address: `${u.hostname}:${u.port || '6379'}`,
    tls: u.protocol === 'rediss:',
  };
  if (u.username) out.username = decodeURIComponent(u.username);
  if (u.password) out.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, '') || u.searchParams.get('db') || '';
  if (db !== '') {
    if (!/^\d+$/.test(db)) return 'the database in the path must be a number';
    out.databaseIndex = Number(db);
  }
  return out;
}

/** Resolves the connection (from `url` or the redis parameters) and checks the queue names. */
export function buildCeleryMeta(f: CeleryFields, ctx: BuildContext): CeleryMeta {
  const queues = [...new Set(f.queues)];
  if (queues.length === 0) ctx.issue('queues', 'must name at least one queue');
  for (const q of queues)
    if (q.includes(SEP))
      ctx.issue('queues', `queue "${q}" contains kombu's priority separator \\x06\\x16`);
  return {
    queues,
    includeInFlight: f.includeInFlight,
    tasksPerReplica: f.tasksPerReplica,
    activationTasks: f.activationTasks,
    connection: f.url ? fromUrl(f, f.url, ctx) : buildConnection(f, 'standalone', ctx),
  };
}

function fromUrl(f: CeleryFields, url: Secret, ctx: BuildContext): RedisConnection {
  if (f.address !== undefined || f.host !== undefined) {
    ctx.issue(
      f.address !== undefined ? 'address' : 'host',
      'cannot be combined with `url`: give the broker URL or the address, not both',
    );
  }
  const parsed = parseBrokerUrl(url.reveal());
  if (typeof parsed === 'string') {
    ctx.issue('url', parsed);
    // Never used: the issue fails the parse.
    return { mode: 'standalone', addresses: [], databaseIndex: 0 };
  }
  const conn = buildConnection(
    {
      ...f,
      address: [parsed.address],
      host: undefined,
      port: undefined,
      // What the URL says wins; the separate parameters fill its gaps.
      username: parsed.username ?? f.username,
      password: parsed.password !== undefined ? new Secret(parsed.password) : f.password,
      databaseIndex: parsed.databaseIndex ?? (ctx.origin('databaseIndex') ? f.databaseIndex : 0),
    },
    'standalone',
    ctx,
  );
  if (parsed.tls && !conn.tls) conn.tls = { unsafeSsl: f.unsafeSsl };
  return conn;
}
