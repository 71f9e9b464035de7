import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findGroup,
  majorVersion,
  redisClusterStreams,
  redisSentinelStreams,
  redisStreams,
} from './streams.js';
import type { ParseResult, TriggerInputs } from '../core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv: {}, triggerIndex: 0 };
}
function ok<M>(r: ParseResult<M>): M {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.meta;
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}

const modes: { name: string; md: Record<string, string>; want: object }[] = [
  {
    name: 'no consumerGroup selects stream length with streamLength (default 5)',
    md: {},
    want: { mode: 'length', target: 5 },
  },
  {
    name: 'streamLength sets the length target',
    md: { streamLength: '8', pendingEntriesCount: '3' },
    want: { mode: 'length', target: 8 },
  },
  {
    name: 'consumerGroup selects pending entries with pendingEntriesCount (default 5)',
    md: { consumerGroup: 'g' },
    want: { mode: 'pending', target: 5 },
  },
  {
    name: 'consumerGroup with a non-zero lagCount selects lag mode',
    md: { consumerGroup: 'g', lagCount: '7', pendingEntriesCount: '3' },
    want: { mode: 'lag', target: 7 },
  },
  {
    name: 'lagCount 0 keeps pending mode',
    md: { consumerGroup: 'g', lagCount: '0', pendingEntriesCount: '3' },
    want: { mode: 'pending', target: 3 },
  },
  {
    name: 'lagCount without consumerGroup is stream length',
    md: { lagCount: '7' },
    want: { mode: 'length', target: 5 },
  },
];
for (const c of modes) {
  test(c.name, () => {
    const m = ok(redisStreams.parse(inputs({ stream: 's', address: 'h:1', ...c.md })));
    assert.deepEqual({ mode: m.mode, target: m.target }, c.want);
    assert.equal(m.activationLagCount, 0);
  });
}

const failures: { name: string; md: Record<string, string>; want: string[] }[] = [
  {
    name: 'stream is required',
    md: { address: 'h:1' },
    want: ['metadata.stream: missing required parameter "stream" (looked in metadata)'],
  },
  {
    name: 'a non-integer lagCount is rejected',
    md: { stream: 's', address: 'h:1', consumerGroup: 'g', lagCount: 'many' },
    want: ['metadata.lagCount: must be an integer, got "many"'],
  },
  {
    name: 'a non-integer activationLagCount is rejected',
    md: { stream: 's', address: 'h:1', activationLagCount: '1.5' },
    want: ['metadata.activationLagCount: must be an integer, got "1.5"'],
  },
  {
    name: 'the connection rules of the list triggers apply (no address)',
    md: { stream: 's' },
    want: [
      'metadata.address: no addresses or hosts given: set address (a comma-separated list of host:port) or host and port',
    ],
  },
];
for (const c of failures)
  test(c.name, () => assert.deepEqual(issues(redisStreams.parse(inputs(c.md))), c.want));

test('redis-cluster-streams uses every address as a seed', () => {
  const m = ok(redisClusterStreams.parse(inputs({ stream: 's', addresses: 'a:1,b:2' })));
  assert.equal(m.connection.mode, 'cluster');
  assert.equal(m.connection.addresses.length, 2);
});

test('redis-sentinel-streams without sentinelMaster is accepted (as by KEDA) with a warning', () => {
  const r = redisSentinelStreams.parse(inputs({ stream: 's', address: 's:26379' }));
  assert.ok(r.ok);
  if (r.ok)
    assert.deepEqual(
      r.warnings.map((w) => w.path),
      ['metadata.sentinelMaster'],
    );
});

test('majorVersion reads redis_version from INFO', () => {
  assert.equal(majorVersion('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n'), 7);
  assert.equal(majorVersion('redis_version:6.2.1\n'), 6);
  assert.equal(majorVersion('nothing'), undefined);
});

test('findGroup picks the named group from XINFO GROUPS', () => {
  const reply = [
    ['name', 'a', 'consumers', 0, 'lag', 3],
    ['name', 'b', 'consumers', 1, 'lag', null],
  ];
  assert.equal(findGroup(reply, 'a')?.get('lag'), 3);
  assert.equal(findGroup(reply, 'b')?.get('lag'), null);
  assert.equal(findGroup(reply, 'c'), undefined);
});
