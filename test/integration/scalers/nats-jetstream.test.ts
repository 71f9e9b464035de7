/**
 * The `nats-jetstream` trigger against a private `nats-server -js` started here with its monitoring
 * port (the machine's NATS on 4222 has none), on free ports with a temporary store directory.
 * Streams and consumers are created with the `nats` client; the consumer lags by publishing and
 * catches up by fetching and acknowledging.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AckPolicy, connect, type JetStreamClient, type NatsConnection } from 'nats';
import { pino } from 'pino';
import { ScalerError } from '../../../src/errors.js';
import { natsJetStream } from '../../../src/scalers/nats-jetstream.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import type { Scaler, ScalerContext } from '../../../src/scalers/core/types.js';
import { freePort } from '../../support/ports.js';
import { scalerContract } from '../scaler-contract.js';
import { startServer, type ServerProcess } from './redis-servers.js';

const signal = () => AbortSignal.timeout(30_000);
let server: ServerProcess;
let monitor: number;
let nc: NatsConnection;
let js: JetStreamClient;

function context(triggerIndex = 0): ScalerContext {
  return {
    triggerIndex,
    triggerRef: `ScaledObject default/test-so trigger ${triggerIndex} (nats-jetstream)`,
    logger: pino({ level: 'silent' }),
    pool: new SharedConnectionPool(),
    metricType: 'AverageValue',
    now: () => Date.now(),
  };
}

async function build(
  metadata: Record<string, string>,
  ctx: ScalerContext = context(),
): Promise<Scaler> {
  const r = natsJetStream.parse({
    metadata: { natsServerMonitoringEndpoint: `127.0.0.1:${monitor}`, account: '$G', ...metadata },
    authParams: {},
    resolvedEnv: {},
    triggerIndex: ctx.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return natsJetStream.create(r.meta, ctx);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

/** A fresh stream `S<uuid>` on subject `<stream>.jobs` with a durable explicit-ack consumer `worker`. */
async function streamWithConsumer(): Promise<string> {
  const name = `S${randomUUID().replaceAll('-', '')}`;
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name, subjects: [`${name}.jobs`] });
  await jsm.consumers.add(name, { durable_name: 'worker', ack_policy: AckPolicy.Explicit });
  return name;
}

async function publish(stream: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await js.publish(`${stream}.jobs`, `job ${i}`);
}

/** Delivers `n` messages to the consumer; acknowledges them when `ack`. */
async function take(stream: string, n: number, ack: boolean): Promise<void> {
  const c = await js.consumers.get(stream, 'worker');
  for (let i = 0; i < n; i++) {
    const m = await c.next({ expires: 5_000 });
    if (!m) assert.fail('expected a message');
    if (ack) await m.ackAck();
  }
}

before(async () => {
  const port = await freePort();
  monitor = await freePort();
  server = await startServer(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-sd', '.'],
    monitor,
    'nats-server',
  );
  nc = await connect({ servers: `127.0.0.1:${port}` });
  js = nc.jetstream();
});

after(async () => {
  await nc?.close();
  await server?.stop();
});

describe('nats-jetstream trigger on a private nats-server -js -m', () => {
  test('the metric is num_pending + num_ack_pending, named s<i>-nats-jetstream-<stream>', async () => {
    const stream = await streamWithConsumer();
    await publish(stream, 6);
    await take(stream, 2, false);
    const s = await build({ stream, consumer: 'worker', lagThreshold: '3' }, context(4));
    assert.deepEqual(s.metricSpecs, [
      { name: `s4-nats-jetstream-${stream}`, targetType: 'AverageValue', target: 3 },
    ]);
    assert.deepEqual(await read(s), { value: 6, active: true }, '4 pending + 2 unacked');
    await s.close();
  });

  test('follows the consumer out and back to zero as it acknowledges', async () => {
    const stream = await streamWithConsumer();
    const s = await build({ stream, consumer: 'worker' });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await publish(stream, 12);
    assert.deepEqual(await read(s), { value: 12, active: true });
    await take(stream, 12, true);
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  const activation = [
    { name: 'lag equal to activationLagThreshold is inactive', n: 3, active: false },
    { name: 'lag above activationLagThreshold is active', n: 4, active: true },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const stream = await streamWithConsumer();
      await publish(stream, c.n);
      const s = await build({ stream, consumer: 'worker', activationLagThreshold: '3' });
      assert.deepEqual(await read(s), { value: c.n, active: c.active });
      await s.close();
    });
  }

  const missing: { name: string; md: Record<string, string>; want: RegExp }[] = [
    {
      name: 'a consumer',
      md: { consumer: 'nobody' },
      want: /consumer "nobody" not found on stream/,
    },
    {
      name: 'a stream',
      md: { stream: 'NOSTREAM' },
      want: /stream "NOSTREAM" not found in account "\$G"/,
    },
    { name: 'an account', md: { account: 'NOACC' }, want: /account "NOACC" not found/ },
  ];
  for (const c of missing) {
    test(`${c.name} that does not exist is a ScalerError naming it`, async () => {
      const stream = await streamWithConsumer();
      const s = await build({ stream, consumer: 'worker', ...c.md });
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(e.message, c.want);
        return true;
      });
      await s.close();
    });
  }

  test('a monitoring endpoint that is down is a ScalerError naming it', async () => {
    const port = await freePort();
    const s = await build({
      natsServerMonitoringEndpoint: `127.0.0.1:${port}`,
      stream: 'S',
      consumer: 'c',
    });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(
        e.message,
        new RegExp(
          `reading NATS monitoring endpoint http://127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`,
        ),
      );
      return true;
    });
    await s.close();
  });
});

scalerContract('nats-jetstream', () => ({
  secrets: [],
  working: async (i) =>
    build({ stream: await streamWithConsumer(), consumer: 'worker' }, context(i)),
  down: async () =>
    build({
      natsServerMonitoringEndpoint: `127.0.0.1:${await freePort()}`,
      stream: 'S',
      consumer: 'c',
    }),
}));
