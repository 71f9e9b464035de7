import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../../secret.js';
import { redis, redisCluster, redisSentinel } from './redis.js';
import { getScalerDefinition } from '../registry.js';
import { redisPoolKey } from './client.js';
import type { ParseResult, TriggerInputs } from '../core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  resolvedEnv: TriggerInputs['resolvedEnv'] = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv, triggerIndex: 0 };
}
function ok<M>(r: ParseResult<M>): M {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.meta;
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}

test('defaults follow KEDA: listLength 5, activation 0, database 0, no TLS', () => {
  const m = ok(redis.parse(inputs({ listName: 'jobs', address: 'localhost:6379' })));
  assert.equal(m.listLength, 5);
  assert.equal(m.activationListLength, 0);
  assert.equal(m.connection.databaseIndex, 0);
  assert.equal(m.connection.tls, undefined);
  assert.deepEqual(m.connection.addresses, [{ host: 'localhost', port: 6379 }]);
});

test('a listLength of 0 or below is refused naming the field (the HPA would refuse it)', () => {
  for (const listLength of ['0', '-10']) {
    const r = redis.parse(inputs({ listName: 'l', address: 'h:1', listLength }));
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.deepEqual(
        r.issues.map((i) => `${i.path}: ${i.message}`),
        [`metadata.listLength: must be a positive number, got "${listLength}"`],
      );
  }
});

test('a negative activationListLength is accepted with a warning: the trigger is always active', () => {
  const r = redis.parse(
    inputs({ listName: 'l', address: 'h:1', listLength: '5', activationListLength: '-1' }),
  );
  assert.equal(r.ok, true);
  if (r.ok)
    assert.deepEqual(
      r.warnings.map((i) => `${i.path}: ${i.message}`),
      [
        'metadata.activationListLength: is negative, so the trigger is always active (activity is value > activationListLength), got "-1"',
      ],
    );
});

const failures: { name: string; md: Record<string, string>; want: string[] }[] = [
  {
    name: 'a non-integer listLength names the field and the value',
    md: { listName: 'l', address: 'h:1', listLength: 'ten' },
    want: ['metadata.listLength: must be an integer, got "ten"'],
  },
  {
    name: 'a fractional activationListLength is rejected',
    md: { listName: 'l', address: 'h:1', activationListLength: '5.5' },
    want: ['metadata.activationListLength: must be an integer, got "5.5"'],
  },
  {
    name: 'listName is required',
    md: { address: 'h:1' },
    want: ['metadata.listName: missing required parameter "listName" (looked in metadata)'],
  },
  {
    name: 'no address and no host is an error',
    md: { listName: 'l' },
    want: [
      'metadata.address: no addresses or hosts given: set address (a comma-separated list of host:port) or host and port',
    ],
  },
  {
    name: 'host without port is an error (KEDA: no address)',
    md: { listName: 'l', host: 'h' },
    want: [
      'metadata.port: host is set but port is not: give both host and port, or address as host:port',
    ],
  },
  {
    name: 'unequal host and port counts are an error',
    md: { listName: 'l', hosts: 'a,b', ports: '1' },
    want: [
      'metadata.hosts: 2 host(s) but 1 port(s): the number of hosts must equal the number of ports',
    ],
  },
  {
    name: 'enableTLS must be a Go boolean',
    md: { listName: 'l', address: 'h:1', enableTLS: 'yes' },
    want: ['metadata.enableTLS: must be a boolean (true or false), got "yes"'],
  },
];
for (const c of failures)
  test(c.name, () => assert.deepEqual(issues(redis.parse(inputs(c.md))), c.want));

test('host and port pairs are appended after address', () => {
  const m = ok(
    redisCluster.parse(inputs({ listName: 'l', addresses: 'a:1', hosts: 'b, c', ports: '2,3' })),
  );
  assert.deepEqual(
    m.connection.addresses.map((a) => `${a.host}:${a.port}`),
    ['a:1', 'b:2', 'c:3'],
  );
});

test('address comes from metadata, then the TriggerAuthentication, then addressFromEnv', () => {
  const fromAuth = ok(
    redis.parse(
      inputs({ listName: 'l', addressFromEnv: 'A' }, { address: 'auth:1' }, { A: 'env:2' }),
    ),
  );
  assert.equal(fromAuth.connection.addresses[0]?.host, 'auth');
  const fromEnv = ok(
    redis.parse(inputs({ listName: 'l', addressFromEnv: 'A' }, {}, { A: 'env:2' })),
  );
  assert.equal(fromEnv.connection.addresses[0]?.host, 'env');
});

test('password comes from metadata, then passwordFromEnv, then the TriggerAuthentication, as a Secret', () => {
  const env = ok(
    redis.parse(
      inputs(
        { listName: 'l', address: 'h:1', passwordFromEnv: 'P' },
        { password: new Secret('auth') },
        { P: new Secret('env') },
      ),
    ),
  );
  assert.equal(env.connection.password?.reveal(), 'env');
  const auth = ok(
    redis.parse(
      inputs({ listName: 'l', address: 'h:1' }, { password: new Secret('auth'), username: 'u' }),
    ),
  );
  assert.equal(auth.connection.password?.reveal(), 'auth');
  assert.equal(auth.connection.username, 'u');
  assert.equal(JSON.stringify(auth).includes('auth"'), false);
});

test('enableTLS together with the auth parameter tls is an error', () => {
  assert.deepEqual(
    issues(
      redis.parse(inputs({ listName: 'l', address: 'h:1', enableTLS: 'false' }, { tls: 'enable' })),
    ),
    [
      'metadata.enableTLS: cannot be set when the TriggerAuthentication also sets `tls`; use one of them',
    ],
  );
});

test('auth tls must be enable or disable, reported on the authenticationRef', () => {
  assert.deepEqual(issues(redis.parse(inputs({ listName: 'l', address: 'h:1' }, { tls: 'on' }))), [
    'authenticationRef: parameter "tls": must be one of enable, disable, got "on"',
  ]);
});

test('TLS material comes from auth params; key and keyPassword stay secret', () => {
  const m = ok(
    redis.parse(
      inputs(
        { listName: 'l', address: 'h:1', enableTLS: 'true', unsafeSsl: 'true' },
        { ca: 'CA', Cert: 'CERT', key: new Secret('KEY'), keyPassword: 'pw' },
      ),
    ),
  );
  assert.equal(m.connection.tls?.ca, 'CA');
  assert.equal(m.connection.tls?.cert, 'CERT');
  assert.equal(m.connection.tls?.key?.reveal(), 'KEY');
  assert.ok(m.connection.tls?.keyPassword instanceof Secret);
  assert.equal(m.connection.tls?.unsafeSsl, true);
  const off = ok(
    redis.parse(inputs({ listName: 'l', address: 'h:1' }, { tls: 'disable', ca: 'CA' })),
  );
  assert.equal(off.connection.tls, undefined);
});

test('cert without key is an error', () => {
  assert.deepEqual(
    issues(
      redis.parse(inputs({ listName: 'l', address: 'h:1', enableTLS: 'true' }, { cert: 'C' })),
    ),
    ['authenticationRef: parameter "cert": cert and key must be given together'],
  );
});

test('redis-sentinel reads sentinelMaster and the sentinel credentials', () => {
  const m = ok(
    redisSentinel.parse(
      inputs(
        { listName: 'l', address: 's:26379', sentinelMaster: 'mymaster' },
        { sentinelPassword: new Secret('sp') },
      ),
    ),
  );
  assert.equal(m.connection.sentinel?.master, 'mymaster');
  assert.equal(m.connection.sentinel?.password?.reveal(), 'sp');
});

test('sentinel parameters are unknown (warned) on plain redis', () => {
  const r = redis.parse(inputs({ listName: 'l', address: 'h:1', sentinelMaster: 'm' }));
  assert.ok(r.ok);
  assert.deepEqual(
    r.warnings.map((w) => w.path),
    ['metadata.sentinelMaster'],
  );
});

test('the pool key differs by password and never contains it', () => {
  const a = ok(redis.parse(inputs({ listName: 'a', address: 'h:1', password: 'pw-one' })));
  const b = ok(redis.parse(inputs({ listName: 'b', address: 'h:1', password: 'pw-one' })));
  const c = ok(redis.parse(inputs({ listName: 'a', address: 'h:1', password: 'pw-two' })));
  assert.equal(redisPoolKey(a.connection), redisPoolKey(b.connection));
  assert.notEqual(redisPoolKey(a.connection), redisPoolKey(c.connection));
  assert.ok(!redisPoolKey(a.connection).includes('pw-one'));
});

/** Accepted as KEDA accepts it, with a warning; building the scaler fails with the reason. */
async function acceptedButFails(
  type: string,
  md: Record<string, string>,
): Promise<{ warning: string; failure: string }> {
  const def = getScalerDefinition(type);
  assert.ok(def);
  const r = def.parse(inputs(md));
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  const w = r.warnings.map((i) => `${i.path}: ${i.message}`);
  assert.equal(w.length, 1, w.join('\n'));
  const ctx = { triggerRef: 'ScaledObject default/so trigger 0 (x)' } as Parameters<
    typeof def.create
  >[1];
  const failure = await def.create(r.meta, ctx).then(
    () => assert.fail('create should fail'),
    (e: Error) => e.message,
  );
  return { warning: w[0] ?? '', failure };
}

test('an address without a port is accepted with a warning, as KEDA accepts it, and fails at build', async () => {
  const r = await acceptedButFails('redis', { listName: 'l', address: 'localhost' });
  assert.equal(
    r.warning,
    'metadata.address: address "localhost" cannot be dialed (missing port in address); write host:port. KEDA accepts this manifest, but the trigger fails there too',
  );
  assert.equal(
    r.failure,
    'ScaledObject default/so trigger 0 (x): address "localhost" cannot be dialed (missing port in address); write host:port',
  );
});

test('redis-sentinel without sentinelMaster is accepted with a warning and fails at build', async () => {
  const r = await acceptedButFails('redis-sentinel', { listName: 'l', address: 's:26379' });
  assert.match(r.warning, /^metadata\.sentinelMaster: sentinelMaster is not set/);
  assert.match(r.failure, /sentinelMaster is not set, so the sentinels cannot be asked/);
});

test('an address with the host left out (:7001) dials the local system, as Go does', () => {
  const m = ok(
    redisCluster.parse(inputs({ listName: 'l' }, { addresses: new Secret(':7001, :7002') })),
  );
  assert.deepEqual(m.connection.addresses, [
    { host: '', port: 7001 },
    { host: '', port: 7002 },
  ]);
});

test('standalone redis dials only the first address, so a bad second one is not a problem', () => {
  const r = redis.parse(inputs({ listName: 'l', address: 'h:1, nonsense' }));
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.warnings, []);
});
