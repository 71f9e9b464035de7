/**
 * The `mongodb` trigger, KEDA mongo_scaler.go: `countDocuments(query)` on
 * `dbName.collection`, active when the count > activationQueryValue, target `queryValue`.
 * The connection is `connectionString`, or a URI built from scheme/host/port/username/password
 * with the user info percent-escaped as Go's url.UserPassword does.
 */
import type { BSON, Document, MongoClient } from 'mongodb';
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { Secret } from '../secret.js';
import { defineScaler, field } from './core/define.js';
import { metricName } from './core/metric-name.js';
import { requireOnFirstUse } from './core/lazy-library.js';
import { float, oneOf, secret, text } from './core/params.js';
import { poolKey } from './core/pool.js';
import { sourceScaler } from './core/source-scaler.js';

export interface MongoMeta {
  /** The full URI: secret, it holds the password. */
  uri: Secret;
  dbName: string;
  collection: string;
  query: Document;
  queryValue: number;
  activationQueryValue: number;
  tls?: { ca?: string; cert?: string; key?: Secret; keyPassword?: Secret };
}

/** The driver's own BSON library: a query parses as the driver will send it, without loading the driver. */
const bson = requireOnFirstUse<typeof BSON>('bson', 'mongodb');

const AUTH_META = ['auth', 'metadata'] as const;
const AUTH_META_ENV = ['auth', 'metadata', 'env'] as const;

const metadata = z.object({
  connectionString: field(secret().optional(), {
    doc: 'Full MongoDB URI; when set, host/port/username/password are not used.',
    from: AUTH_META_ENV,
    secret: true,
  }),
  scheme: field(text().default('mongodb'), {
    doc: '`mongodb` or `mongodb+srv` (no port).',
    from: AUTH_META,
  }),
  host: field(text().optional(), {
    doc: 'Server host (required without connectionString).',
    from: AUTH_META,
  }),
  port: field(text().optional(), {
    doc: 'Server port (required without connectionString, except for mongodb+srv).',
    from: AUTH_META,
  }),
  username: field(text().optional(), {
    doc: 'User (required without connectionString).',
    from: AUTH_META,
  }),
  password: field(secret().optional(), {
    doc: 'Password (required without connectionString).',
    from: AUTH_META_ENV,
    secret: true,
  }),
  dbName: field(text(), { doc: 'Database holding the collection.', from: AUTH_META }),
  collection: field(text(), { doc: 'Collection to count in.' }),
  query: field(text(), {
    doc: 'Filter as (Extended) JSON. `{}` or invalid JSON fails every read, as in KEDA (tide warns at validate).',
  }),
  queryValue: field(float(), {
    doc: 'Target number of matching documents per replica.',
    role: 'target',
  }),
  activationQueryValue: field(float().default(0), {
    role: 'activation',
    doc: 'Active when the count is greater than this.',
  }),
  tls: field(oneOf(['enable', 'disable']).default('disable'), {
    doc: 'TLS switch.',
    from: ['auth'],
  }),
  ca: field(text().optional(), { doc: 'PEM CA certificate.', from: ['auth'] }),
  cert: field(text().optional(), { doc: 'PEM client certificate (with `key`).', from: ['auth'] }),
  key: field(secret().optional(), {
    doc: 'PEM client key (with `cert`).',
    from: ['auth'],
    secret: true,
  }),
  keyPassword: field(secret().optional(), {
    doc: 'Passphrase of `key`.',
    from: ['auth'],
    secret: true,
  }),
});

/** Go url.UserPassword escaping: unreserved and `$&+,;=` stay, everything else is %XX (UTF-8). */
export function escapeUserInfo(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,;=]/.test(c)
      ? c
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `<scheme>://<user>:<pass>@<host>[:<port>]/<dbName>` as KEDA builds it. */
export function buildMongoUri(p: {
  scheme: string;
  host: string;
  port?: string;
  username: string;
  password: string;
  dbName: string;
}): string {
  const host = p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]` : p.host;
  const addr = p.scheme === 'mongodb+srv' || !p.port ? host : `${host}:${p.port}`;
  return `${p.scheme}://${escapeUserInfo(p.username)}:${escapeUserInfo(p.password)}@${addr}/${encodeURIComponent(p.dbName)}`;
}

/** Parses the filter: JSON (Extended JSON accepted), an object, not `{}`. */
export function parseQuery(q: string): { filter: Document } | { error: string } {
  let v: unknown;
  try {
    v = bson().EJSON.parse(q);
  } catch (e) {
    return { error: `must be a JSON document (${errorMessage(e)}), got ${JSON.stringify(q)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { error: `must be a JSON object, got ${JSON.stringify(q)}` };
  if (Object.keys(v).length === 0)
    return {
      error:
        'must not be the empty document {} (every read fails with "empty bson document"; match something, e.g. {"status": "pending"})',
    };
  return { filter: v };
}

export const mongodb = defineScaler({
  type: 'mongodb',
  description: 'Number of documents matching a query in a MongoDB collection.',
  notes: [
    '`countDocuments(query)` on `dbName.collection`, 10 s timeouts; active when the count is greater',
    'than `activationQueryValue`. Without `connectionString` the URI is',
    '`<scheme>://<username>:<password>@<host>[:<port>]/<dbName>` with the user info percent-escaped.',
  ].join('\n'),
  metadata,
  build(f, ctx): MongoMeta {
    // KEDA parses the query at each poll, so a bad one is accepted and then fails every read.
    const q = parseQuery(f.query);
    if ('error' in q) ctx.willFail('query', q.error);
    let uri = f.connectionString;
    if (!uri) {
      const need: [string, unknown][] = [
        ['host', f.host],
        ['username', f.username],
        ['password', f.password],
      ];
      if (f.scheme !== 'mongodb+srv') need.splice(1, 0, ['port', f.port]);
      for (const [k, v] of need)
        if (v === undefined)
          ctx.issue(k, `is required when connectionString is not set (no ${k} given)`);
      if (f.host && f.username && f.password && (f.port || f.scheme === 'mongodb+srv')) {
        uri = new Secret(
          buildMongoUri({
            scheme: f.scheme,
            host: f.host,
            username: f.username,
            password: f.password.reveal(),
            dbName: f.dbName,
            ...(f.port ? { port: f.port } : {}),
          }),
        );
      }
    }
    const meta: MongoMeta = {
      uri: uri ?? new Secret(''),
      dbName: f.dbName,
      collection: f.collection,
      query: 'filter' in q ? q.filter : {},
      queryValue: f.queryValue,
      activationQueryValue: f.activationQueryValue,
    };
    if (f.tls === 'enable') {
      if ((f.cert === undefined) !== (f.key === undefined))
        ctx.issue(f.cert === undefined ? 'key' : 'cert', 'cert and key must be given together');
      if (!f.cert && !f.key && !f.ca)
        ctx.issue('tls', 'tls is enable but none of ca, cert/key is given');
      meta.tls = {
        ...(f.ca ? { ca: f.ca } : {}),
        ...(f.cert ? { cert: f.cert } : {}),
        ...(f.key ? { key: f.key } : {}),
        ...(f.keyPassword ? { keyPassword: f.keyPassword } : {}),
      };
    }
    return meta;
  },
  async create(meta, ctx) {
    const name = metricName(ctx.triggerIndex, `mongodb-${meta.collection}`);
    const secrets = [meta.uri, meta.tls?.key, meta.tls?.keyPassword];
    const key = poolKey(
      'mongodb',
      meta.uri.reveal(),
      meta.tls?.ca ?? '',
      meta.tls?.cert ?? '',
      meta.tls?.key?.reveal() ?? '',
    );
    const open = async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(meta.uri.reveal(), {
        serverSelectionTimeoutMS: 10_000,
        connectTimeoutMS: 10_000,
        ...(meta.tls
          ? {
              tls: true,
              ...(meta.tls.ca ? { ca: meta.tls.ca } : {}),
              ...(meta.tls.cert ? { cert: meta.tls.cert } : {}),
              ...(meta.tls.key ? { key: meta.tls.key.reveal() } : {}),
              ...(meta.tls.keyPassword ? { passphrase: meta.tls.keyPassword.reveal() } : {}),
            }
          : {}),
      });
      await client.connect();
      await client.db(meta.dbName).command({ ping: 1 });
      return client;
    };
    return sourceScaler<MongoClient>({
      ctx,
      secrets,
      metricSpecs: [{ name, targetType: ctx.metricType, target: meta.queryValue }],
      connection: {
        key,
        open,
        close: (c) => c.close(),
        failure: `cannot connect to MongoDB database "${meta.dbName}"`,
      },
      async read({ client, call, signal }) {
        const count = await call(
          `counting documents in ${meta.dbName}.${meta.collection} failed`,
          client
            .db(meta.dbName)
            .collection(meta.collection)
            .countDocuments(meta.query, { maxTimeMS: 10_000, signal }),
        );
        return { metrics: [{ name, value: count }], isActive: count > meta.activationQueryValue };
      },
    });
  },
});
