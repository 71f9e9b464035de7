/**
 * A kafkajs admin client for the `kafka` trigger: brokers, SASL (PLAIN, SCRAM, OAUTHBEARER with a
 * client-credentials token) and TLS, shared through the pool by triggers with the same cluster and
 * credentials. Like KEDA's Sarama client it connects at build, so a cluster that is down or
 * rejects the credentials fails the trigger at once with a clear error. Secrets are revealed here
 * only, where the client options are built.
 */
import type { Admin, KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from 'pino';
import { errorMessage } from '../../errors.js';
import type { Secret } from '../../secret.js';
import type { KafkaMeta, KafkaOAuth } from './metadata.js';
import { poolKey } from '../core/pool.js';

/** Connect and request timeouts: a poll during an outage fails instead of hanging. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

export function kafkaSecrets(m: KafkaMeta): (Secret | undefined)[] {
  return [m.password, m.tls?.key, m.tls?.keyPassword];
}

export function kafkaPoolKey(m: KafkaMeta): string {
  return poolKey(
    'kafka',
    [...m.brokers].sort(),
    m.sasl,
    m.username ?? '',
    m.password?.reveal() ?? '',
    m.oauth ?? null,
    m.tls
      ? [
          m.tls.ca ?? '',
          m.tls.cert ?? '',
          m.tls.key?.reveal() ?? '',
          m.tls.keyPassword?.reveal() ?? '',
          m.tls.unsafeSsl,
        ]
      : null,
  );
}

function ssl(m: KafkaMeta): ConnectionOptions | undefined {
  if (!m.tls) return undefined;
  const t: ConnectionOptions = { rejectUnauthorized: !m.tls.unsafeSsl };
  if (m.tls.ca) t.ca = m.tls.ca;
  if (m.tls.cert) t.cert = m.tls.cert;
  if (m.tls.key) t.key = m.tls.key.reveal();
  if (m.tls.keyPassword) t.passphrase = m.tls.keyPassword.reveal();
  return t;
}

/** The OAuth2 client-credentials grant KEDA's bearer token provider performs. */
async function fetchToken(o: KafkaOAuth, id: string, secret: string): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (o.scopes.length) body.set('scope', o.scopes.join(' '));
  const res = await fetch(o.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`OAuth token endpoint answered HTTP ${res.status}`);
  const json = (await res.json()) as { access_token?: unknown };
  if (typeof json.access_token !== 'string')
    throw new Error('OAuth token endpoint answered without access_token');
  return json.access_token;
}

function sasl(m: KafkaMeta): SASLOptions | undefined {
  const username = m.username ?? '';
  const password = m.password?.reveal() ?? '';
  switch (m.sasl) {
    case 'none':
      return undefined;
    case 'plaintext':
      return { mechanism: 'plain', username, password };
    case 'scram_sha256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram_sha512':
      return { mechanism: 'scram-sha-512', username, password };
    case 'oauthbearer': {
      const o = m.oauth;
      if (!o) return undefined;
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({
          value: await fetchToken(o, username, password),
          ...(Object.keys(o.extensions).length ? { extensions: o.extensions } : {}),
        }),
      };
    }
  }
}

/** kafkajs logs to the console by default; route it to the trigger's logger at debug. */
function logCreator(logger: Logger): KafkaConfig['logCreator'] {
  return () =>
    ({ namespace, log }) => {
      logger.debug({ namespace, kafka: log.message }, 'kafkajs');
    };
}

/** Builds the admin client and connects it; rejects with the library's error. */
export async function openKafkaAdmin(m: KafkaMeta, logger: Logger): Promise<Admin> {
  const { Kafka, logLevel } = await import('kafkajs');
  const s = sasl(m);
  const t = ssl(m);
  const kafka = new Kafka({
    clientId: 'tide',
    brokers: m.brokers,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // A scaler retries at the next poll; long in-client retries would only delay the error.
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
    logLevel: logLevel.WARN,
    logCreator: logCreator(logger),
    ...(s ? { sasl: s } : {}),
    ...(t ? { ssl: t } : {}),
  });
  const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 } });
  try {
    await admin.connect();
    return admin;
  } catch (e) {
    await admin.disconnect().catch(() => undefined);
    throw e;
  }
}

export async function closeKafkaAdmin(admin: Admin): Promise<void> {
  try {
    await admin.disconnect();
  } catch (e) {
    // Nothing to do: the connection is gone either way.
    void errorMessage(e);
  }
}
