/**
 * The `nats-jetstream` trigger, KEDA nats_jetstream_scaler.go: one HTTP GET of the server's
 * monitoring endpoint, `/jsz?acc=<account>&config=true&consumers=true`, finds the account (by id
 * or name), the stream and the consumer, and reports `num_pending + num_ack_pending`: messages
 * not yet delivered plus delivered but not acknowledged. No connection is held between polls.
 */
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import { defineScaler, field, type BuildContext } from './core/define.js';
import { metricName } from './core/metric-name.js';
import { bool, int, text } from './core/params.js';
import { sourceScaler } from './core/source-scaler.js';
import type { Scaler, ScalerContext } from './core/types.js';

export interface NatsJetStreamMeta {
  /** `host:port` of the monitoring endpoint (no scheme). */
  endpoint: string;
  account: string;
  stream: string;
  consumer: string;
  lagThreshold: number;
  activationLagThreshold: number;
  useHttps: boolean;
}

const AUTH_META = ['auth', 'metadata'] as const;

const metadata = z.object({
  natsServerMonitoringEndpoint: field(text(), {
    doc: 'Monitoring endpoint `host:port` of a NATS server (its `-m` / `http` port), without scheme.',
    from: AUTH_META,
  }),
  account: field(text().optional(), {
    doc: 'Account id or name holding the stream (`$G` without accounts); `accountID` is accepted too.',
    from: AUTH_META,
    aliases: ['accountID'],
  }),
  stream: field(text(), { doc: 'JetStream stream name.' }),
  consumer: field(text(), { doc: 'Consumer (durable) name.' }),
  lagThreshold: field(int().default(10), {
    doc: 'Target pending messages per replica.',
    role: 'target',
  }),
  activationLagThreshold: field(int().default(0), {
    role: 'activation',
    doc: 'Active when pending + ack-pending is greater than this.',
  }),
  useHttps: field(bool().default(false), { doc: 'Query the monitoring endpoint over HTTPS.' }),
});

function build(f: z.output<typeof metadata>, ctx: BuildContext): NatsJetStreamMeta {
  if (f.account === undefined)
    ctx.issue('account', 'missing required parameter "account" (or "accountID")');
  // KEDA prefixes the scheme itself: `http://http://...` is accepted, then every read fails.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(f.natsServerMonitoringEndpoint))
    ctx.willFail(
      'natsServerMonitoringEndpoint',
      `must be host:port without a scheme (use useHttps for https), got "${f.natsServerMonitoringEndpoint}"`,
    );
  return {
    endpoint: f.natsServerMonitoringEndpoint,
    account: f.account ?? '',
    stream: f.stream,
    consumer: f.consumer,
    lagThreshold: f.lagThreshold,
    activationLagThreshold: f.activationLagThreshold,
    useHttps: f.useHttps,
  };
}

/** The parts of the /jsz answer the trigger reads. */
interface Jsz {
  account_details?: {
    name?: string;
    id?: string;
    stream_detail?: {
      name?: string;
      config?: { name?: string };
      consumer_detail?: { name?: string; num_pending?: number; num_ack_pending?: number }[];
    }[];
  }[];
}

export function jszUrl(m: NatsJetStreamMeta): string {
  const acc = encodeURIComponent(m.account);
  return `${m.useHttps ? 'https' : 'http'}://${m.endpoint}/jsz?acc=${acc}&config=true&consumers=true`;
}

/** Finds the consumer's pending count in a /jsz answer; throws naming what is missing. */
export function consumerLag(jsz: Jsz, m: NatsJetStreamMeta): number {
  const account = jsz.account_details?.find((a) => a.id === m.account || a.name === m.account);
  if (!account)
    throw new Error(`account "${m.account}" not found (or it has no JetStream streams)`);
  const stream = account.stream_detail?.find((s) => (s.config?.name ?? s.name) === m.stream);
  if (!stream) throw new Error(`stream "${m.stream}" not found in account "${m.account}"`);
  const consumer = stream.consumer_detail?.find((c) => c.name === m.consumer);
  if (!consumer) throw new Error(`consumer "${m.consumer}" not found on stream "${m.stream}"`);
  return (consumer.num_pending ?? 0) + (consumer.num_ack_pending ?? 0);
}

const TIMEOUT_MS = 10_000;

function create(meta: NatsJetStreamMeta, ctx: ScalerContext): Promise<Scaler> {
  const name = metricName(ctx.triggerIndex, `nats-jetstream-${meta.stream}`);
  const url = jszUrl(meta);
  const where = `NATS monitoring endpoint ${meta.useHttps ? 'https' : 'http'}://${meta.endpoint}`;
  const readJsz = async (signal: AbortSignal) => {
    const res = await fetch(url, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    return (await res.json()) as Jsz;
  };
  return sourceScaler({
    ctx,
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.lagThreshold }],
    // fetch's own message is a bare "fetch failed"; the reason (ECONNREFUSED) is its cause.
    describe: (e) => {
      const cause = (e as { cause?: unknown }).cause;
      return cause ? `${errorMessage(e)}: ${errorMessage(cause)}` : errorMessage(e);
    },
    async read({ call, fail, signal }) {
      const jsz = await call(`reading ${where} failed`, readJsz(signal));
      let value: number;
      try {
        value = consumerLag(jsz, meta);
      } catch (e) {
        throw fail(`${where}: ${errorMessage(e)}`, e);
      }
      return { metrics: [{ name, value }], isActive: value > meta.activationLagThreshold };
    },
  });
}

export const natsJetStream = defineScaler({
  type: 'nats-jetstream',
  description: 'Pending plus unacknowledged messages of a NATS JetStream consumer.',
  notes: [
    'Per poll one `GET <endpoint>/jsz?acc=<account>&config=true&consumers=true`; the metric is the',
    "consumer's `num_pending + num_ack_pending`. A missing account, stream or consumer is an error",
    'naming it. tide reads the one server given; in a NATS cluster, point it at a server that',
    "reports the consumer (KEDA re-queries the consumer's leader node).",
  ].join('\n'),
  metadata,
  build,
  create,
});
