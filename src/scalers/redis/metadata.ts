/**
 * Metadata of the Redis list triggers (`redis`, `redis-cluster`, `redis-sentinel`), KEDA's
 * redis_scaler.go `redisMetadata` + `redisConnectionInfo`: every parameter with KEDA's lookup
 * order and default, then KEDA's `Validate()` (address/host/port pairing, the `enableTLS` vs auth
 * `tls` conflict) in `buildRedisMeta`.
 */
import { z } from 'zod';
import type { Secret } from '../../secret.js';
import type { BuildContext } from '../core/define.js';
import { field } from '../core/define.js';
import { bool, int, list, oneOf, secret, text } from '../core/params.js';

export type RedisMode = 'standalone' | 'cluster' | 'sentinel';

export interface RedisAddress {
  host: string;
  port: number;
}

export interface RedisTls {
  ca?: string;
  cert?: string;
  key?: Secret;
  keyPassword?: Secret;
  /** Skip server certificate verification (`unsafeSsl`). */
  unsafeSsl: boolean;
}

/** Where and how to connect: shared by every Redis-based trigger. */
export interface RedisConnection {
  mode: RedisMode;
  /** Standalone: the first one only; cluster: seeds; sentinel: the sentinels. */
  addresses: RedisAddress[];
  username?: string;
  password?: Secret;
  /** Ignored by redis-cluster (a cluster has only database 0). */
  databaseIndex: number;
  tls?: RedisTls;
  sentinel?: { master: string; username?: string; password?: Secret };
}

export interface RedisListMeta {
  listName: string;
  listLength: number;
  activationListLength: number;
  connection: RedisConnection;
}

const ENV_AUTH = ['metadata', 'env', 'auth'] as const;
const AUTH_ENV = ['metadata', 'auth', 'env'] as const;

/** Connection fields common to the three modes. */
export const connectionFields = {
  address: field(list().optional(), {
    doc: 'Comma-separated `host:port` list (redis uses the first; redis-cluster: seeds; redis-sentinel: sentinels).',
    from: AUTH_ENV,
    aliases: ['addresses'],
  }),
  host: field(list().optional(), {
    doc: 'Host names, paired one-to-one with `port`; the pairs are appended after `address`.',
    from: ENV_AUTH,
    aliases: ['hosts'],
  }),
  port: field(list().optional(), {
    doc: 'Ports, paired with `host`.',
    from: ENV_AUTH,
    aliases: ['ports'],
  }),
  username: field(text().optional(), { doc: 'Redis ACL user.', from: ENV_AUTH }),
  password: field(secret().optional(), { doc: 'Redis password.', from: ENV_AUTH, secret: true }),
  databaseIndex: field(int().default(0), { doc: 'Database number (not used by redis-cluster).' }),
  enableTLS: field(bool().optional(), {
    doc: 'Connect with TLS. Cannot be combined with the TriggerAuthentication parameter `tls`.',
  }),
  tls: field(oneOf(['enable', 'disable']).optional(), {
    doc: 'TLS switch set by a TriggerAuthentication.',
    from: ['auth'],
  }),
  unsafeSsl: field(bool().default(false), { doc: "Do not verify the server's certificate." }),
  ca: field(text().optional(), {
    doc: 'PEM CA certificate that signs the server certificate.',
    from: ['auth'],
  }),
  cert: field(text().optional(), {
    doc: 'PEM client certificate (with `key`).',
    from: ['auth'],
    aliases: ['Cert'],
  }),
  key: field(secret().optional(), {
    doc: 'PEM client private key (with `cert`).',
    from: ['auth'],
    secret: true,
  }),
  keyPassword: field(secret().optional(), {
    doc: 'Passphrase of `key`.',
    from: ['auth'],
    secret: true,
  }),
};

export const sentinelFields = {
  sentinelMaster: field(text().optional(), {
    doc: 'Name of the master the sentinels monitor (needed to connect; KEDA accepts it missing, so tide warns).',
    from: AUTH_ENV,
  }),
  sentinelUsername: field(text().optional(), { doc: 'User for the sentinels.', from: AUTH_ENV }),
  sentinelPassword: field(secret().optional(), {
    doc: 'Password for the sentinels.',
    from: AUTH_ENV,
    secret: true,
  }),
};

export const listFields = {
  listName: field(text(), {
    doc: 'Key to measure: a list (LLEN), set, sorted set or hash; a missing key counts 0.',
  }),
  listLength: field(int().default(5), {
    doc: 'Target number of items per replica.',
    role: 'target',
  }),
  activationListLength: field(int().default(0), {
    role: 'activation',
    doc: 'The trigger is active when the count is greater than this.',
  }),
};

export const redisListSchema = z.object({ ...listFields, ...connectionFields });
export const redisSentinelListSchema = z.object({
  ...listFields,
  ...connectionFields,
  ...sentinelFields,
});

type ConnectionInput = z.output<z.ZodObject<typeof connectionFields>> &
  Partial<z.output<z.ZodObject<typeof sentinelFields>>>;

/**
 * `host:port`, `[v6]:port` or `:port` (host left out: the local system, as Go dials it). Returns
 * why it cannot be dialed otherwise, in Go's words where Go has them.
 */
export function parseAddress(a: string): RedisAddress | { problem: string } {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(a) ?? /^([^:[\]]*):([^:]*)$/.exec(a);
  if (!m)
    return { problem: a.includes(':') ? 'too many colons in address' : 'missing port in address' };
  const port = /^\d+$/.test(m[2] ?? '') ? Number(m[2]) : NaN;
  if (!(port >= 1 && port <= 65535)) return { problem: `invalid port "${m[2] ?? ''}"` };
  return { host: m[1] ?? '', port };
}

/** KEDA's validateRedisAddress + Validate(): resolves the address list and TLS. */
export function buildConnection(
  f: ConnectionInput,
  mode: RedisMode,
  ctx: BuildContext,
): RedisConnection {
  const raw = [...(f.address ?? [])];
  const hosts = f.host ?? [];
  const ports = f.port ?? [];
  // One message per mistake: a pairing error explains the empty address list by itself.
  let explained = false;
  if (hosts.length > 0 && ports.length > 0) {
    if (hosts.length !== ports.length) {
      ctx.issue(
        'host',
        `${hosts.length} host(s) but ${ports.length} port(s): the number of hosts must equal the number of ports`,
      );
      explained = true;
    } else {
      hosts.forEach((h, i) =>
        raw.push(h.includes(':') ? `[${h}]:${ports[i]}` : `${h}:${ports[i]}`),
      );
    }
  } else if (hosts.length > 0 && raw.length === 0) {
    ctx.issue(
      'port',
      'host is set but port is not: give both host and port, or address as host:port',
    );
    explained = true;
  }
  if (raw.length === 0 && !explained) {
    ctx.issue(
      'address',
      'no addresses or hosts given: set address (a comma-separated list of host:port) or host and port',
    );
  }
  const addresses: RedisAddress[] = [];
  // KEDA checks only that an address is given; a standalone server dials the first one only.
  const dialed = mode === 'standalone' ? raw.slice(0, 1) : raw;
  for (const a of dialed) {
    const parsed = parseAddress(a);
    if ('problem' in parsed)
      ctx.willFail(
        f.address?.includes(a) ? 'address' : 'host',
        `address "${a}" cannot be dialed (${parsed.problem}); write host:port`,
      );
    else addresses.push(parsed);
  }
  if (f.enableTLS !== undefined && f.tls !== undefined) {
    ctx.issue(
      'enableTLS',
      'cannot be set when the TriggerAuthentication also sets `tls`; use one of them',
    );
  }
  if ((f.cert === undefined) !== (f.key === undefined)) {
    ctx.issue(f.cert === undefined ? 'key' : 'cert', 'cert and key must be given together');
  }
  const tlsOn = f.tls !== undefined ? f.tls === 'enable' : (f.enableTLS ?? false);
  const conn: RedisConnection = { mode, addresses, databaseIndex: f.databaseIndex };
  if (f.username !== undefined) conn.username = f.username;
  if (f.password !== undefined) conn.password = f.password;
  if (tlsOn) {
    conn.tls = { unsafeSsl: f.unsafeSsl };
    if (f.ca !== undefined) conn.tls.ca = f.ca;
    if (f.cert !== undefined) conn.tls.cert = f.cert;
    if (f.key !== undefined) conn.tls.key = f.key;
    if (f.keyPassword !== undefined) conn.tls.keyPassword = f.keyPassword;
  }
  if (mode === 'sentinel') {
    if (f.sentinelMaster === undefined)
      ctx.willFail(
        'sentinelMaster',
        'sentinelMaster is not set, so the sentinels cannot be asked for the master to connect to',
      );
    conn.sentinel = { master: f.sentinelMaster ?? '' };
    if (f.sentinelUsername !== undefined) conn.sentinel.username = f.sentinelUsername;
    if (f.sentinelPassword !== undefined) conn.sentinel.password = f.sentinelPassword;
  }
  return conn;
}

export function buildListMeta(
  f: z.output<typeof redisListSchema> & Partial<z.output<z.ZodObject<typeof sentinelFields>>>,
  mode: RedisMode,
  ctx: BuildContext,
): RedisListMeta {
  return {
    listName: f.listName,
    listLength: f.listLength,
    activationListLength: f.activationListLength,
    connection: buildConnection(f, mode, ctx),
  };
}
