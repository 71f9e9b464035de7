/**
 * The `rabbitmq` trigger, KEDA rabbitmq_scaler.go. AMQP: a passive queue declare per poll, whose
 * message count is the ready messages only (unacked are invisible, a missing queue is an error).
 * HTTP: the management API (rabbitmq-http.ts), which also serves the rate modes. AMQP
 * connections are shared by triggers with the same URL and TLS material and reopened when lost.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { errorMessage } from '../../errors.js';
import { Secret } from '../../secret.js';
import { defineScaler } from '../core/define.js';
import { metricName } from '../core/metric-name.js';
import { poolKey } from '../core/pool.js';
import { readQueueHttp, type QueueStats } from './http.js';
import {
  buildRabbitMeta,
  maskUserInfo,
  queryEscape,
  rabbitmqSchema,
  type RabbitMeta,
} from './metadata.js';
import { TokenSource } from './oauth.js';
import { sourceScaler } from '../core/source-scaler.js';
import type { ScalerContext } from '../core/types.js';

/** KEDA's metric and activity per mode (getMetricsAndActivity). */
export function measure(
  meta: Pick<RabbitMeta, 'mode' | 'activationValue'>,
  s: QueueStats,
): { value: number; isActive: boolean } {
  const act = meta.activationValue;
  switch (meta.mode) {
    case 'QueueLength':
      return { value: s.messages, isActive: s.messages > act };
    case 'MessageRate':
      // A queue with a backlog but no publishing is still active.
      return { value: s.publishRate, isActive: s.publishRate > act || s.messages > act };
    case 'DeliverGetRate':
      return { value: s.deliverRate, isActive: s.deliverRate > act };
    case 'PublishedToDeliveredRatio': {
      // Publishing with nobody consuming: report the activation value and wake the target.
      if (s.deliverRate === 0)
        return s.publishRate > 0 ? { value: act, isActive: true } : { value: 0, isActive: false };
      const ratio = s.publishRate / s.deliverRate;
      return { value: ratio, isActive: ratio > act };
    }
    case 'ExpectedQueueConsumptionTime': {
      if (s.messages === 0) return { value: 0, isActive: false };
      if (s.deliverRate === 0) return { value: act, isActive: true };
      const t = (s.publishRate - s.deliverRate) / s.deliverRate + s.messages / s.deliverRate;
      return { value: t, isActive: t > act };
    }
  }
}

/**
 * tide shares one AMQP connection between the triggers with the same URL and TLS material, so
 * it cannot carry KEDA's per-object name (`keda-<namespace>-<name>`).
 */
export const AMQP_CONNECTION_NAME = 'tide';

/**
 * KEDA buildAMQPConfig: with TLS, a client certificate and key, and no password (neither from
 * the TriggerAuthentication nor in the host URL), authenticate with SASL EXTERNAL, the
 * certificate being the credential.
 */
export function usesExternalAuth(meta: Pick<RabbitMeta, 'url' | 'tls'>): boolean {
  if (!meta.tls?.cert || !meta.tls.key) return false;
  try {
    return new URL(meta.url.reveal()).password === '';
  } catch {
    return true;
  }
}

/** A shared AMQP connection that reopens lazily after the broker dropped it. */
class AmqpLink {
  #conn: Promise<ChannelModel> | undefined;
  constructor(
    private readonly meta: RabbitMeta,
    private readonly ctx: ScalerContext,
  ) {}

  get(): Promise<ChannelModel> {
    this.#conn ??= this.#open();
    return this.#conn;
  }

  async #open(): Promise<ChannelModel> {
    const tls = this.meta.tls;
    const { connect, credentials } = await import('amqplib');
    const p = connect(amqpUrl(this.meta), {
      clientProperties: { connection_name: AMQP_CONNECTION_NAME },
      ...(usesExternalAuth(this.meta) ? { credentials: credentials.external() } : {}),
      timeout: 10_000,
      ...(this.meta.unsafeSsl ? { rejectUnauthorized: false } : {}),
      ...(tls?.ca ? { ca: [tls.ca] } : {}),
      ...(tls?.cert ? { cert: tls.cert } : {}),
      ...(tls?.key ? { key: tls.key.reveal() } : {}),
      ...(tls?.keyPassword ? { passphrase: tls.keyPassword.reveal() } : {}),
    });
    p.catch(() => (this.#conn = undefined));
    const conn = await p;
    conn.on('error', (e) =>
      this.ctx.logger.debug({ err: errorMessage(e) }, 'amqp connection error'),
    );
    conn.on('close', () => (this.#conn = undefined));
    return conn;
  }

  async close(): Promise<void> {
    const c = this.#conn;
    this.#conn = undefined;
    if (c) await (await c).close().catch(() => undefined);
  }
}

/** The password in the host URL, raw and decoded, to scrub from driver messages. */
function urlPasswords(meta: RabbitMeta): Secret[] {
  try {
    const raw = new URL(meta.url.reveal()).password;
    return raw ? [new Secret(raw), new Secret(decodeURIComponent(raw))] : [];
  } catch {
    return [];
  }
}

/** The host URL, with `vhostName` replacing the vhost in its path (KEDA does the same). */
function amqpUrl(meta: RabbitMeta): string {
  if (meta.vhostName === undefined) return meta.url.reveal();
  const u = new URL(meta.url.reveal());
  u.pathname = `/${encodeURIComponent(meta.vhostName)}`;
  return u.toString();
}

/** Opens a channel, declares the queue passively, closes the channel; a 404 closes only the channel. */
async function readQueueAmqp(link: AmqpLink, queue: string): Promise<QueueStats> {
  const conn = await link.get();
  let ch: Channel | undefined;
  try {
    ch = await conn.createChannel();
    ch.on('error', () => undefined); // the rejection below carries the reason
    const ok = await ch.checkQueue(queue);
    return { messages: ok.messageCount, publishRate: 0, deliverRate: 0 };
  } finally {
    await ch?.close().catch(() => undefined);
  }
}

export const rabbitmq = defineScaler({
  type: 'rabbitmq',
  description:
    'Messages in a RabbitMQ queue (AMQP or management API), or its publish/deliver rates.',
  notes: [
    'AMQP (`amqp://`, `amqps://`): a passive queue declare per poll; only ready messages are counted',
    'and a missing queue is an error. HTTP (`http://`, `https://`, management plugin):',
    '`GET /api/queues/<vhost>/<queue>` (vhost = last path segment of `host`, root = `%2F`);',
    'QueueLength counts `messages` (or `messages_ready` with `excludeUnacknowledged`), MessageRate',
    '`publish_details.rate`, DeliverGetRate `deliver_get_details.rate`. With neither `mode`/`value`',
    'nor `queueLength` the trigger is QueueLength 20. Metric name `s<index>-rabbitmq-<queueName>`',
    '(URL-escaped, normalized). OAuth2 client credentials (HTTP) send a bearer token, refreshed',
    '10 s before it expires. Azure workload identity is not supported.',
  ].join('\n'),
  metadata: rabbitmqSchema,
  build: buildRabbitMeta,
  async create(meta, ctx) {
    const name = metricName(ctx.triggerIndex, `rabbitmq-${queryEscape(meta.queueName)}`);
    // The host URL itself is not scrubbed (it names the server in every message); its password is.
    const secrets = [
      ...urlPasswords(meta),
      meta.tls?.key,
      meta.tls?.keyPassword,
      meta.oauth?.clientSecret,
    ];
    const tokens = meta.oauth ? new TokenSource(meta.oauth, ctx.now) : undefined;
    const where = maskUserInfo(meta.url.reveal());
    // AMQP shares one connection per server and credentials; HTTP asks the management API per read.
    const amqp = {
      key: poolKey(
        'rabbitmq',
        meta.url.reveal(),
        meta.unsafeSsl,
        meta.tls?.ca ?? '',
        meta.tls?.cert ?? '',
        meta.tls?.key?.reveal() ?? '',
      ),
      open: async () => {
        const l = new AmqpLink(meta, ctx);
        await l.get(); // KEDA connects when the scaler is built
        return l;
      },
      close: (l: AmqpLink) => l.close(),
      failure: `cannot connect to RabbitMQ at ${where}`,
    };
    return sourceScaler<AmqpLink | undefined>({
      ctx,
      secrets,
      clean: maskUserInfo, // user info in any URL a client library quotes
      metricSpecs: [{ name, targetType: ctx.metricType, target: meta.value }],
      ...(meta.protocol === 'amqp' ? { connection: amqp } : {}),
      async read({ client: link, call, signal }) {
        const s = await call(
          `reading queue "${meta.queueName}" at ${where} failed`,
          link ? readQueueAmqp(link, meta.queueName) : readQueueHttp(meta, signal, tokens),
        );
        const m = measure(meta, s);
        return { metrics: [{ name, value: m.value }], isActive: m.isActive };
      },
    });
  },
});
