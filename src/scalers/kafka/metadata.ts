/**
 * Metadata of the `kafka` trigger, KEDA kafka_scaler.go `parseKafkaMetadata` /
 * `parseKafkaAuthParams`: every parameter with KEDA's lookup order and default, then the
 * cross-field rules (topic needed by limitToPartitionsWithLag, ensureEvenDistributionOfPartitions
 * and fullMetadata false; SASL needs username and password; TLS cert and key together).
 */
import { z } from 'zod';
import type { Secret } from '../../secret.js';
import { field, type BuildContext } from '../core/define.js';
import { bool, int, list, oneOf, secret, text } from '../core/params.js';

export type KafkaSasl = 'none' | 'plaintext' | 'scram_sha256' | 'scram_sha512' | 'oauthbearer';

export interface KafkaTls {
  ca?: string;
  cert?: string;
  key?: Secret;
  keyPassword?: Secret;
  unsafeSsl: boolean;
}

export interface KafkaOAuth {
  tokenEndpoint: string;
  scopes: string[];
  extensions: Record<string, string>;
}

export interface KafkaMeta {
  brokers: string[];
  group: string;
  /** Unset: every topic the group has committed offsets for. */
  topic?: string;
  /** Only these partitions are read (only with a topic). */
  partitionLimitation?: number[];
  lagThreshold: number;
  activationLagThreshold: number;
  offsetResetPolicy: 'latest' | 'earliest';
  allowIdleConsumers: boolean;
  excludePersistentLag: boolean;
  scaleToZeroOnInvalidOffset: boolean;
  limitToPartitionsWithLag: boolean;
  ensureEvenDistributionOfPartitions: boolean;
  /** Sarama's `Metadata.Full`; kafkajs fetches the metadata it needs, so only kept as given. */
  fullMetadata: boolean;
  sasl: KafkaSasl;
  username?: string;
  password?: Secret;
  oauth?: KafkaOAuth;
  tls?: KafkaTls;
}

const META_ENV = ['metadata', 'env'] as const;
const META_AUTH = ['metadata', 'auth'] as const;
const AUTH = ['auth'] as const;

const SASL = [
  'none',
  'plaintext',
  'scram_sha256',
  'scram_sha512',
  'oauthbearer',
  'gssapi',
] as const;

export const kafkaSchema = z.object({
  bootstrapServers: field(list(), { doc: 'Comma-separated `host:port` brokers.', from: META_ENV }),
  consumerGroup: field(text(), { doc: 'Consumer group whose lag is measured.', from: META_ENV }),
  topic: field(text().optional(), {
    doc: 'Topic; unset: every topic the group has committed offsets for.',
    from: META_ENV,
  }),
  lagThreshold: field(int().default(10), {
    role: 'target',
    doc: 'Target lag per replica; must be greater than 0.',
  }),
  activationLagThreshold: field(int().default(0), {
    doc: 'Active when the total lag is greater than this; must not be negative.',
  }),
  offsetResetPolicy: field(oneOf(['latest', 'earliest']).default('latest'), {
    doc: 'Where a consumer without a committed offset would start: decides the lag of such a partition.',
  }),
  allowIdleConsumers: field(bool().default(false), {
    doc: 'Allow more replicas than partitions.',
  }),
  excludePersistentLag: field(bool().default(false), {
    doc: 'A partition whose committed offset did not move since the last poll counts 0 for the metric (still counts for activation).',
  }),
  scaleToZeroOnInvalidOffset: field(bool().default(false), {
    doc: 'A partition without a committed offset counts 0 instead of 1 (latest) or the whole partition (earliest).',
  }),
  limitToPartitionsWithLag: field(bool().default(false), {
    doc: 'Cap replicas at the number of partitions with lag; needs `topic`, not with `allowIdleConsumers`.',
  }),
  ensureEvenDistributionOfPartitions: field(bool().default(false), {
    doc: 'Round the metric up so replicas divide the partition count; needs `topic`.',
  }),
  partitionLimitation: field(text().optional(), {
    doc: 'Partitions to read, as ids and ranges (`1,2,5-7`); ignored without `topic`.',
  }),
  fullMetadata: field(bool().default(true), {
    doc: 'Sarama setting kept for compatibility (kafkajs fetches what it needs); false requires `topic`.',
  }),
  version: field(text().default('1.0.0'), {
    doc: 'Kafka protocol version (validated for compatibility; kafkajs negotiates versions itself).',
  }),
  tls: field(oneOf(['enable', 'disable']).default('disable'), {
    doc: 'TLS switch.',
    from: META_AUTH,
  }),
  unsafeSsl: field(bool().default(false), { doc: "Do not verify the brokers' certificates." }),
  sasl: field(oneOf(SASL).default('none'), {
    doc: 'SASL mechanism. `gssapi` is accepted as KEDA accepts it, with a warning: tide cannot connect with it.',
    from: META_AUTH,
  }),
  username: field(text().optional(), { doc: 'SASL user (or OAuth client id).', from: AUTH }),
  password: field(secret().optional(), {
    doc: 'SASL password (or OAuth client secret).',
    from: AUTH,
    secret: true,
  }),
  saslTokenProvider: field(oneOf(['bearer', 'aws_msk_iam']).optional(), {
    doc: 'With `sasl: oauthbearer`: `bearer` (client-credentials token); `aws_msk_iam` is accepted as KEDA accepts it, with a warning: tide cannot connect with it.',
    from: META_AUTH,
  }),
  oauthTokenEndpointUri: field(text().optional(), {
    doc: 'OAuth token endpoint (bearer).',
    from: AUTH,
  }),
  scopes: field(list().optional(), { doc: 'OAuth scopes, comma-separated.', from: AUTH }),
  oauthExtensions: field(list().optional(), {
    doc: 'SASL/OAUTHBEARER extensions as `k=v,k=v`.',
    from: AUTH,
  }),
  keytab: field(secret().optional(), {
    doc: 'gssapi: keytab (gssapi is accepted as KEDA accepts it, but not supported by tide).',
    from: AUTH,
    secret: true,
  }),
  realm: field(text().optional(), { doc: 'gssapi: Kerberos realm.', from: AUTH }),
  kerberosConfig: field(text().optional(), { doc: 'gssapi: krb5.conf contents.', from: AUTH }),
  kerberosServiceName: field(text().optional(), {
    doc: 'gssapi: service name.',
    from: AUTH,
  }),
  kerberosDisableFAST: field(bool().default(false), {
    doc: 'gssapi: disable FAST negotiation.',
    from: AUTH,
  }),
  awsRegion: field(text().optional(), { doc: 'aws_msk_iam: AWS region.' }),
  awsRoleArn: field(text().optional(), { doc: 'aws_msk_iam: role to assume.', from: AUTH }),
  awsAccessKeyID: field(text().optional(), {
    doc: 'aws_msk_iam: access key id.',
    from: AUTH,
    aliases: ['awsAccessKeyId'],
  }),
  awsSecretAccessKey: field(secret().optional(), {
    doc: 'aws_msk_iam: secret access key.',
    from: AUTH,
    secret: true,
  }),
  ca: field(text().optional(), { doc: 'PEM CA certificate.', from: AUTH }),
  cert: field(text().optional(), { doc: 'PEM client certificate (with `key`).', from: AUTH }),
  key: field(secret().optional(), {
    doc: 'PEM client key (with `cert`).',
    from: AUTH,
    secret: true,
  }),
  keyPassword: field(secret().optional(), {
    doc: 'Passphrase of `key`.',
    from: AUTH,
    secret: true,
  }),
});

type Fields = z.output<typeof kafkaSchema>;

/** KEDA ParseInt32List: `1,2,5-7` → [1,2,5,6,7]; undefined plus a reason when malformed. */
export function parsePartitionList(s: string): { ok: number[] } | { error: string } {
  const out: number[] = [];
  for (const raw of s.split(',')) {
    const term = raw.trim();
    const parts = term.split('-').map((p) => p.trim());
    const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
    if (parts.length > 2 || nums.some((n) => !Number.isSafeInteger(n) || n > 2 ** 31 - 1))
      return { error: `"${term}" is not a partition id or a range like 1-4` };
    const [a, b] = nums as [number, number | undefined];
    // A range whose start is after its end adds nothing, as in KEDA.
    if (b === undefined) out.push(a);
    else for (let i = a; i <= b; i++) out.push(i);
  }
  return { ok: out };
}

/** Sarama ParseKafkaVersion: `0.x.y.z` before Kafka 1.0, `x.y.z` from 1.0 on. */
export function isKafkaVersion(v: string): boolean {
  return v.length >= 5 && (v.startsWith('0') ? /^0\.\d+\.\d+\.\d+$/ : /^\d+\.\d+\.\d+$/).test(v);
}

/** KEDA's cross-field checks; every message names the field it is about. */
export function buildKafkaMeta(f: Fields, ctx: BuildContext): KafkaMeta {
  if (f.bootstrapServers.length === 0) ctx.issue('bootstrapServers', 'no bootstrapServers given');
  if (f.activationLagThreshold < 0)
    ctx.issue('activationLagThreshold', `must not be negative, got "${f.activationLagThreshold}"`);
  if (!isKafkaVersion(f.version))
    ctx.issue(
      'version',
      `must be a Kafka version like 2.8.0 (or 0.11.0.2 before 1.0), got "${f.version}"`,
    );
  const needsTopic = (p: string) =>
    ctx.issue(p, `topic must be set when ${p} is used (there is no topic to read partitions of)`);
  if (f.topic === undefined) {
    if (f.limitToPartitionsWithLag) needsTopic('limitToPartitionsWithLag');
    if (f.ensureEvenDistributionOfPartitions) needsTopic('ensureEvenDistributionOfPartitions');
    if (!f.fullMetadata) ctx.issue('fullMetadata', 'topic must be set when fullMetadata is false');
  }
  if (f.limitToPartitionsWithLag && f.allowIdleConsumers)
    ctx.issue(
      'limitToPartitionsWithLag',
      'cannot be used together with allowIdleConsumers; use one of them',
    );
  if (f.limitToPartitionsWithLag && f.ensureEvenDistributionOfPartitions)
    ctx.issue(
      'ensureEvenDistributionOfPartitions',
      'cannot be used together with limitToPartitionsWithLag; use one of them',
    );
  // KEDA parses the limitation even without a topic, then ignores it.
  let partitionLimitation: number[] | undefined;
  if (f.partitionLimitation !== undefined) {
    const r = parsePartitionList(f.partitionLimitation);
    if ('error' in r) ctx.issue('partitionLimitation', r.error);
    else if (f.topic !== undefined) partitionLimitation = r.ok;
  }

  const meta: KafkaMeta = {
    brokers: f.bootstrapServers,
    group: f.consumerGroup,
    lagThreshold: f.lagThreshold,
    activationLagThreshold: f.activationLagThreshold,
    offsetResetPolicy: f.offsetResetPolicy,
    allowIdleConsumers: f.allowIdleConsumers,
    excludePersistentLag: f.excludePersistentLag,
    scaleToZeroOnInvalidOffset: f.scaleToZeroOnInvalidOffset,
    limitToPartitionsWithLag: f.limitToPartitionsWithLag,
    ensureEvenDistributionOfPartitions: f.ensureEvenDistributionOfPartitions,
    fullMetadata: f.fullMetadata,
    sasl: 'none',
  };
  if (f.topic !== undefined) meta.topic = f.topic;
  if (partitionLimitation) meta.partitionLimitation = partitionLimitation;
  buildSasl(f, meta, ctx);
  if (f.tls === 'enable') {
    if ((f.cert === undefined) !== (f.key === undefined))
      ctx.issue(f.cert === undefined ? 'key' : 'cert', 'cert and key must be given together');
    const tls: KafkaTls = { unsafeSsl: f.unsafeSsl };
    if (f.ca !== undefined) tls.ca = f.ca;
    if (f.cert !== undefined) tls.cert = f.cert;
    if (f.key !== undefined) tls.key = f.key;
    if (f.keyPassword !== undefined) tls.keyPassword = f.keyPassword;
    meta.tls = tls;
  }
  return meta;
}

function buildSasl(f: Fields, meta: KafkaMeta, ctx: BuildContext): void {
  switch (f.sasl) {
    case 'none':
      return;
    case 'gssapi':
      // KEDA's checks first, so a configuration KEDA refuses is refused here too.
      if (f.username === undefined)
        ctx.issue('sasl', 'gssapi needs username in the TriggerAuthentication');
      if ((f.password === undefined) === (f.keytab === undefined))
        ctx.issue(
          'sasl',
          "gssapi needs exactly one of 'password' or 'keytab' in the TriggerAuthentication",
        );
      if (f.realm === undefined)
        ctx.issue('sasl', 'gssapi needs realm in the TriggerAuthentication');
      if (f.kerberosConfig === undefined)
        ctx.issue('sasl', 'gssapi needs kerberosConfig in the TriggerAuthentication');
      ctx.willFail('sasl', UNSUPPORTED_GSSAPI);
      return;
    case 'plaintext':
    case 'scram_sha256':
    case 'scram_sha512':
      if (f.username === undefined)
        ctx.issue('sasl', `${f.sasl} needs username in the TriggerAuthentication`);
      if (f.password === undefined)
        ctx.issue('sasl', `${f.sasl} needs password in the TriggerAuthentication`);
      break;
    case 'oauthbearer': {
      const provider = f.saslTokenProvider ?? 'bearer';
      if (provider === 'aws_msk_iam') {
        if (f.tls !== 'enable')
          ctx.issue('saslTokenProvider', 'aws_msk_iam needs tls: enable (AWS MSK requires TLS)');
        if (f.awsRegion === undefined)
          ctx.issue('saslTokenProvider', 'aws_msk_iam needs awsRegion in the trigger metadata');
        if (!hasAwsCredentials(f))
          ctx.issue(
            'saslTokenProvider',
            'aws_msk_iam needs awsRoleArn, or awsAccessKeyID and awsSecretAccessKey, in the TriggerAuthentication',
          );
        ctx.willFail('saslTokenProvider', UNSUPPORTED_MSK);
        return;
      }
      if (
        f.username === undefined ||
        f.password === undefined ||
        f.oauthTokenEndpointUri === undefined
      )
        ctx.issue(
          'sasl',
          'oauthbearer needs username, password and oauthTokenEndpointUri in the TriggerAuthentication',
        );
      const extensions: Record<string, string> = {};
      for (const kv of f.oauthExtensions ?? []) {
        const at = kv.indexOf('=');
        if (at <= 0) ctx.issue('oauthExtensions', `"${kv}" is not key=value`);
        else extensions[kv.slice(0, at).trim()] = kv.slice(at + 1).trim();
      }
      meta.oauth = {
        tokenEndpoint: f.oauthTokenEndpointUri ?? '',
        scopes: f.scopes ?? [],
        extensions,
      };
      break;
    }
  }
  meta.sasl = f.sasl;
  if (f.username !== undefined) meta.username = f.username;
  if (f.password !== undefined) meta.password = f.password;
}

const UNSUPPORTED_GSSAPI =
  'SASL gssapi (Kerberos) is not supported by tide: its Kafka client (kafkajs) has no Kerberos';
const UNSUPPORTED_MSK =
  'the aws_msk_iam token provider is not supported by tide: it has no AWS credentials client';

/** KEDA GetAwsAuthorization (without pod identity): a role, or an access key with its secret. */
function hasAwsCredentials(f: Fields): boolean {
  if (f.awsRoleArn !== undefined) return true;
  return f.awsAccessKeyID !== undefined && f.awsSecretAccessKey !== undefined;
}
