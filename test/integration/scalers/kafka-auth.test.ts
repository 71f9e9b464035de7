/**
 * The `kafka` trigger's credentials and transport against real kfake clusters: SASL PLAIN and
 * SCRAM-SHA-256 (right and wrong passwords), TLS with a self-signed certificate (CA given, unsafeSsl,
 * unknown CA), and the scaler contract suite on the SASL cluster.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { ScalerError } from '../../../src/errors.js';
import { kafka } from '../../../src/scalers/kafka/kafka.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { startKafka, type KafkaCluster } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';
import { scalerContract } from '../scaler-contract.js';

const PASSWORD = `kpw-${randomUUID()}`;
const signal = () => AbortSignal.timeout(30_000);
let saslCluster: KafkaCluster;

function context(triggerIndex = 0): ScalerContext {
  return {
    triggerIndex,
    triggerRef: `ScaledObject default/test-so trigger ${triggerIndex} (kafka)`,
    logger: pino({ level: 'silent' }),
    pool: new SharedConnectionPool(),
    metricType: 'AverageValue',
    now: () => Date.now(),
  };
}

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  ctx: ScalerContext = context(),
): Promise<Scaler> {
  const r = kafka.parse({ metadata, authParams, resolvedEnv: {}, triggerIndex: ctx.triggerIndex });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return kafka.create(r.meta, ctx);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

before(async () => {
  saslCluster = await startKafka({
    sasl: [
      { mechanism: 'PLAIN', username: 'tide', password: PASSWORD },
      { mechanism: 'SCRAM-SHA-256', username: 'scram', password: PASSWORD },
    ],
  });
});

after(async () => {
  await saslCluster?.stop();
});

describe('kafka trigger with SASL (kfake requiring PLAIN and SCRAM-SHA-256)', () => {
  const sasl = [
    { name: 'plaintext', sasl: 'plaintext', username: 'tide' },
    { name: 'scram_sha256', sasl: 'scram_sha256', username: 'scram' },
  ];
  for (const c of sasl) {
    test(`${c.name} with the right password connects and reads`, async () => {
      const s = await build(
        { bootstrapServers: saslCluster.brokers[0] ?? '', consumerGroup: 'g', sasl: c.sasl },
        { username: c.username, password: new Secret(PASSWORD) },
      );
      assert.deepEqual(await read(s), { value: 0, active: false });
      await s.close();
    });
  }

  test('a wrong password fails creation with a ScalerError that does not print it', async () => {
    await assert.rejects(
      build(
        {
          bootstrapServers: saslCluster.brokers[0] ?? '',
          consumerGroup: 'g',
          topic: 't',
          sasl: 'plaintext',
        },
        { username: 'tide', password: new Secret('wrong-kafka-pw') },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(e.message, /cannot connect to Kafka at .*SASL PLAIN authentication failed/i);
        assert.ok(!e.message.includes('wrong-kafka-pw'));
        return true;
      },
    );
  });
});

describe('kafka trigger with TLS (kfake serving a self-signed certificate for 127.0.0.1)', () => {
  let dir: string;
  let tlsCluster: KafkaCluster;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tide-kafka-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tlsCluster = await startKafka({
      tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    });
  });

  after(async () => {
    await tlsCluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; md: Record<string, string>; withCa: boolean; ok: boolean }[] = [
    {
      name: 'tls enable with the CA from the TriggerAuthentication reads',
      md: {},
      withCa: true,
      ok: true,
    },
    { name: 'unsafeSsl reads without the CA', md: { unsafeSsl: 'true' }, withCa: false, ok: true },
    { name: 'an unknown CA fails creation with a ScalerError', md: {}, withCa: false, ok: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const make = () =>
        build(
          {
            bootstrapServers: tlsCluster.brokers[0] ?? '',
            consumerGroup: 'g',
            tls: 'enable',
            ...c.md,
          },
          c.withCa ? { ca } : {},
        );
      if (!c.ok) {
        await assert.rejects(make(), (e: unknown) => {
          assert.ok(e instanceof ScalerError, String(e));
          assert.match(e.message, /cannot connect to Kafka at .*(self-signed|certificate)/i);
          return true;
        });
        return;
      }
      const s = await make();
      assert.deepEqual(await read(s), { value: 0, active: false });
      await s.close();
    });
  }
});

scalerContract('kafka', () => ({
  secrets: [PASSWORD, 'bad-kafka-password'],
  working: (i) =>
    build(
      { bootstrapServers: saslCluster.brokers[0] ?? '', consumerGroup: 'g', sasl: 'plaintext' },
      { username: 'tide', password: new Secret(PASSWORD) },
      context(i),
    ),
  down: async () =>
    build({ bootstrapServers: `127.0.0.1:${await freePort()}`, consumerGroup: 'g', topic: 't' }),
  badCredentials: () =>
    build(
      { bootstrapServers: saslCluster.brokers[0] ?? '', consumerGroup: 'g', sasl: 'plaintext' },
      { username: 'tide', password: new Secret('bad-kafka-password') },
    ),
}));
