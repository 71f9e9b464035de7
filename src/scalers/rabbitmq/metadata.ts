/**
 * Metadata of the `rabbitmq` trigger, KEDA rabbitmq_scaler.go `rabbitMQMetadata` and its
 * `Validate()`: mode/value (or the deprecated queueLength), protocol inferred from the host's
 * scheme, HTTP-only options, credentials given together, TLS material.
 */
import { z } from 'zod';
import { Secret } from '../../secret.js';
import type { BuildContext } from '../core/define.js';
import { field } from '../core/define.js';
import { bool, duration, float, int, list, oneOf, secret, text } from '../core/params.js';
import type { OAuthConfig } from './oauth.js';

export const MODES = [
  'QueueLength',
  'MessageRate',
  'DeliverGetRate',
  'PublishedToDeliveredRatio',
  'ExpectedQueueConsumptionTime',
] as const;
export type RabbitMode = (typeof MODES)[number];

export interface RabbitMeta {
  queueName: string;
  /** The host URL with username/password (from auth) put into the user info; secret. */
  url: Secret;
  protocol: 'amqp' | 'http';
  mode: RabbitMode;
  value: number;
  activationValue: number;
  vhostName?: string;
  useRegex: boolean;
  operation: string;
  pageSize: number;
  excludeUnacknowledged: boolean;
  /** HTTP timeout (ms); KEDA's global HTTP timeout (3 s) when not set. */
  timeoutMs: number;
  unsafeSsl: boolean;
  tls?: { ca?: string; cert?: string; key?: Secret; keyPassword?: Secret };
  /** OAuth2 client credentials for the management API (HTTP only). */
  oauth?: OAuthConfig;
}

const OPERATIONS: readonly string[] = ['sum', 'avg', 'max'];

/** Default KEDA target when neither mode/value nor queueLength is set. */
export const DEFAULT_QUEUE_LENGTH = 20;
export const DEFAULT_HTTP_TIMEOUT_MS = 3000;

export const rabbitmqSchema = z.object({
  queueName: field(text(), { doc: 'Queue to measure (a regex with `useRegex`).' }),
  host: field(secret(), {
    doc: '`amqp(s)://user:pass@host:port/vhost` or `http(s)://user:pass@host:15672/vhost` (management API).',
    from: ['metadata', 'auth', 'env'],
    secret: true,
  }),
  protocol: field(oneOf(['auto', 'amqp', 'http']).default('auto'), {
    doc: '`auto` infers it from the host scheme.',
    from: ['metadata', 'auth'],
  }),
  mode: field(oneOf(MODES).optional(), {
    doc: 'What is measured; non-QueueLength modes need HTTP. Given with `value`.',
  }),
  value: field(float().optional(), {
    doc: 'Target for `mode` (given with `mode`).',
    role: 'target',
  }),
  queueLength: field(float().optional(), {
    role: 'target',
    doc: 'Deprecated: mode QueueLength with this value; not with mode/value.',
  }),
  activationValue: field(float().default(0), {
    role: 'activation',
    doc: 'Active when the metric is greater than this.',
  }),
  vhostName: field(text().optional(), {
    doc: 'Virtual host; overrides the one in the host URL.',
    from: ['metadata', 'auth'],
  }),
  useRegex: field(bool().default(false), { doc: 'queueName is a regex (HTTP only).' }),
  operation: field(text().default('sum'), {
    doc: 'How queues matched by a regex combine: `sum`, `avg` or `max`.',
  }),
  pageSize: field(int().default(100), { doc: 'Queues per page with useRegex (at least 1).' }),
  excludeUnacknowledged: field(bool().default(false), {
    doc: 'Count ready messages only (HTTP only).',
  }),
  timeout: field(duration().optional(), { doc: 'HTTP request timeout (HTTP only).' }),
  unsafeSsl: field(bool().default(false), { doc: 'Skip TLS certificate verification.' }),
  username: field(text().optional(), { doc: 'User (with password).', from: ['auth', 'env'] }),
  password: field(secret().optional(), {
    doc: 'Password (with username).',
    from: ['auth', 'env'],
    secret: true,
  }),
  tls: field(oneOf(['enable', 'disable']).default('disable'), {
    doc: 'TLS with client material.',
    from: ['auth'],
  }),
  ca: field(text().optional(), { doc: 'PEM CA certificate.', from: ['auth'] }),
  cert: field(text().optional(), { doc: 'PEM client certificate (with key).', from: ['auth'] }),
  key: field(secret().optional(), {
    doc: 'PEM client key (with cert).',
    from: ['auth'],
    secret: true,
  }),
  keyPassword: field(secret().optional(), {
    doc: 'Passphrase of key.',
    from: ['auth'],
    secret: true,
  }),
  workloadIdentityResource: field(text().optional(), {
    doc: 'Azure workload identity (not supported by tide).',
    from: ['auth'],
  }),
  oauthTokenURI: field(text().optional(), {
    doc: 'OAuth2 client-credentials token endpoint (HTTP only; with clientID and clientSecret).',
    from: ['auth'],
  }),
  clientID: field(text().optional(), { doc: 'OAuth2 client id.', from: ['auth'] }),
  clientSecret: field(secret().optional(), {
    doc: 'OAuth2 client secret.',
    from: ['auth'],
    secret: true,
  }),
  scopes: field(list().optional(), { doc: 'OAuth2 scopes, comma-separated.', from: ['auth'] }),
  endpointParams: field(text().optional(), {
    doc: 'Extra token request parameters as a query string (`audience=x&resource=y`).',
    from: ['auth'],
  }),
});

type Fields = z.output<typeof rabbitmqSchema>;

/** Mode and value per KEDA validateTrigger. */
function modeAndValue(f: Fields, ctx: BuildContext): { mode: RabbitMode; value: number } {
  if (f.queueLength === undefined && f.mode === undefined && f.value === undefined)
    return { mode: 'QueueLength', value: DEFAULT_QUEUE_LENGTH };
  if (f.queueLength !== undefined) {
    if (f.mode !== undefined || f.value !== undefined)
      ctx.issue('queueLength', 'queueLength is deprecated; configure only mode and value');
    return { mode: 'QueueLength', value: f.queueLength };
  }
  if (f.mode === undefined) ctx.issue('mode', 'mode must be specified (value is set)');
  if (f.value === undefined) ctx.issue('value', 'value must be specified (mode is set)');
  return { mode: f.mode ?? 'QueueLength', value: f.value ?? DEFAULT_QUEUE_LENGTH };
}

/**
 * The protocol from `protocol` or, with `auto`, the host's URL scheme (an unknown scheme is an
 * error, as in KEDA). A host KEDA accepts but no client can connect to (`http://`, or any
 * non-URL with an explicit protocol) is a warning, and the trigger fails when built. The host
 * is secret (it may hold credentials), so messages never quote it.
 */
function protocolOf(f: Fields, ctx: BuildContext): 'amqp' | 'http' {
  const host = f.host.reveal();
  const unusable = () =>
    ctx.willFail(
      'host',
      'names no server to connect to (expected a URL like amqp://host:5672/vhost or http://host:15672/vhost)',
    );
  if (!URL.canParse(host)) unusable();
  if (f.protocol !== 'auto') return f.protocol;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(host)?.[1]?.toLowerCase() ?? '';
  if (scheme === 'amqp' || scheme === 'amqps') return 'amqp';
  if (scheme === 'http' || scheme === 'https') return 'http';
  ctx.issue('host', `unknown host URL scheme \`${scheme}\` (expected amqp, amqps, http or https)`);
  return 'amqp';
}

export function buildRabbitMeta(f: Fields, ctx: BuildContext): RabbitMeta {
  const protocol = protocolOf(f, ctx);
  if (protocol === 'amqp' && f.timeout !== undefined)
    ctx.issue('timeout', "amqp protocol doesn't support custom timeouts");
  if (f.useRegex && protocol !== 'http')
    ctx.issue('useRegex', 'configure only useRegex with http protocol');
  if (f.excludeUnacknowledged && protocol !== 'http')
    ctx.issue(
      'excludeUnacknowledged',
      'configure excludeUnacknowledged=true with http protocol only',
    );
  const { mode, value } = modeAndValue(f, ctx);
  if (mode !== 'QueueLength' && protocol !== 'http')
    ctx.issue('mode', `protocol ${protocol} not supported; must be http to use mode ${mode}`);
  if (f.pageSize < 1) ctx.issue('pageSize', 'pageSize should be 1 or greater');
  // KEDA checks the operation only when it composes the queues a regex matched.
  if (!OPERATIONS.includes(f.operation)) {
    const what = `must be one of ${OPERATIONS.join(', ')}, got "${f.operation}"`;
    if (f.useRegex) ctx.willFail('operation', what);
    else ctx.warn('operation', `${what} (ignored: only used with useRegex)`);
  }
  if ((f.username === undefined) !== (f.password === undefined))
    ctx.issue(
      f.username === undefined ? 'password' : 'username',
      'username and password must be given together',
    );
  if (f.workloadIdentityResource !== undefined)
    ctx.issue('workloadIdentityResource', 'Azure workload identity is not supported by tide');
  const oauth = oauthOf(f, protocol, ctx);
  const meta: RabbitMeta = {
    queueName: f.queueName,
    url: withCredentials(f.host, f.username, f.password),
    protocol,
    mode,
    value,
    activationValue: f.activationValue,
    useRegex: f.useRegex,
    operation: f.operation,
    pageSize: f.pageSize,
    excludeUnacknowledged: f.excludeUnacknowledged,
    timeoutMs: f.timeout ?? DEFAULT_HTTP_TIMEOUT_MS,
    unsafeSsl: f.unsafeSsl,
    ...(f.vhostName !== undefined ? { vhostName: f.vhostName } : {}),
    ...(oauth ? { oauth } : {}),
  };
  if (f.tls === 'enable') {
    if ((f.cert === undefined) !== (f.key === undefined))
      ctx.issue(f.cert === undefined ? 'key' : 'cert', 'cert and key must be given together');
    meta.tls = {
      ...(f.ca ? { ca: f.ca } : {}),
      ...(f.cert ? { cert: f.cert } : {}),
      ...(f.key ? { key: f.key } : {}),
      ...(f.keyPassword ? { keyPassword: f.keyPassword } : {}),
    };
  }
  return meta;
}

/** OAuth2 client credentials: all three given, HTTP only, not with username/password. */
function oauthOf(f: Fields, protocol: string, ctx: BuildContext): OAuthConfig | undefined {
  const given = (['oauthTokenURI', 'clientID', 'clientSecret'] as const).filter(
    (k) => f[k] !== undefined,
  );
  if (given.length === 0) return undefined;
  const first = given[0] ?? 'oauthTokenURI';
  if (given.length < 3)
    ctx.issue(first, 'oauthTokenURI, clientID and clientSecret must be given together');
  if (protocol !== 'http') ctx.issue(first, 'OAuth2 is only supported with the http protocol');
  if (f.username !== undefined)
    ctx.issue(first, 'OAuth2 cannot be combined with username and password');
  if (!f.oauthTokenURI || !f.clientID || !f.clientSecret) return undefined;
  return {
    tokenUri: f.oauthTokenURI,
    clientId: f.clientID,
    clientSecret: f.clientSecret,
    scopes: f.scopes ?? [],
    endpointParams: new URLSearchParams(f.endpointParams ?? ''),
  };
}

/** KEDA puts username/password from auth into the host URL's user info. */
function withCredentials(host: Secret, user?: string, password?: Secret): Secret {
  if (user === undefined || password === undefined) return host;
  try {
    const u = new URL(host.reveal());
    u.username = encodeURIComponent(user);
    u.password = encodeURIComponent(password.reveal());
    return new Secret(u.toString());
  } catch {
    return host; // reported by protocolOf
  }
}

/** Go url.QueryEscape: unreserved bytes kept, space as `+`, the rest `%XX`. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * KEDA anonymizeRabbitMQError: every `name:secret@`, with or without a URL scheme before it,
 * becomes `user:password@`.
 */
export function maskUserInfo(s: string): string {
  return s.replace(/[^ /:]+:[^/:]+@/g, 'user:password@');
}
