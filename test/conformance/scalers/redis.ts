/**
 * redis / redis-cluster / redis-sentinel (lists), from KEDA `pkg/scalers/redis_scaler_test.go`:
 * TestRedisParseMetadata (`testRedisMetadata`), TestParseRedisClusterMetadata,
 * TestParseRedisSentinelMetadata and TestRedisGetMetricSpecForScaling (`redisMetricIdentifiers`).
 */
import type { RedisConnection, RedisListMeta } from '../../../src/scalers/redis/metadata.js';
import { redis, redisCluster, redisSentinel } from '../../../src/scalers/redis/redis.js';
import { reveal } from '../../../src/secret.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case } from '../harness.js';
import { TARGET_ZERO } from './differences.js';
import { metricSpecWith, parseWith, type ParseOutcome, type TriggerInput } from './run.js';

/** `testRedisResolvedEnv`. */
const ENV = {
  REDIS_HOST: 'none',
  REDIS_PORT: '6379',
  REDIS_USERNAME: 'none',
  REDIS_PASSWORD: 'none',
  REDIS_SENTINEL_MASTER: 'none',
  REDIS_SENTINEL_USERNAME: 'none',
  REDIS_SENTINEL_PASSWORD: 'none',
};

/** The connection as KEDA's `redisConnectionInfo` shows it. */
export function connectionView(c: RedisConnection): Record<string, unknown> {
  return {
    addresses: c.addresses.map((a) => `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`),
    username: c.username ?? '',
    password: c.password ? reveal(c.password) : '',
    sentinelMaster: c.sentinel?.master ?? '',
    sentinelUsername: c.sentinel?.username ?? '',
    sentinelPassword: c.sentinel?.password ? reveal(c.sentinel.password) : '',
    enableTLS: c.tls !== undefined,
    unsafeSsl: c.tls?.unsafeSsl ?? false,
  };
}

const view = (m: RedisListMeta) => ({
  listLength: m.listLength,
  listName: m.listName,
  ...connectionView(m.connection),
});

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestRedisParseMetadata testRedisMetadata[0] nothing passed',
    input: { metadata: {}, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[1] properly formed listName',
    input: {
      metadata: {
        addressFromEnv: 'REDIS_HOST',
        listLength: '10',
        listName: 'mylist',
        passwordFromEnv: 'REDIS_PASSWORD',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[2] properly formed hostPort',
    input: {
      metadata: {
        hostFromEnv: 'REDIS_HOST',
        listLength: '10',
        listName: 'mylist',
        passwordFromEnv: 'REDIS_PASSWORD',
        portFromEnv: 'REDIS_PORT',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[3] properly formed hostPort',
    input: {
      metadata: {
        addressFromEnv: 'REDIS_HOST',
        host: 'REDIS_HOST',
        listLength: '10',
        listName: 'mylist',
        passwordFromEnv: 'REDIS_PASSWORD',
        port: 'REDIS_PORT',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[4] improperly formed hostPort',
    input: {
      metadata: {
        hostFromEnv: 'REDIS_HOST',
        listLength: '10',
        listName: 'mylist',
        passwordFromEnv: 'REDIS_PASSWORD',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[5] properly formed listName, empty address',
    input: {
      metadata: { address: '', listLength: '10', listName: 'mylist', password: '' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[6] improperly formed listLength',
    input: {
      metadata: {
        addressFromEnv: 'REDIS_HOST',
        listLength: 'AA',
        listName: 'mylist',
        password: '',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[7] improperly formed activationListLength',
    input: {
      metadata: {
        activationListLength: 'AA',
        addressFromEnv: 'REDIS_HOST',
        listLength: '1',
        listName: 'mylist',
        password: '',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[8] address does not resolve',
    input: {
      metadata: {
        addressFromEnv: 'REDIS_WRONG',
        listLength: '0',
        listName: 'mylist',
        password: '',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[9] password is defined in the authParams',
    input: {
      metadata: { addressFromEnv: 'REDIS_WRONG', listLength: '0', listName: 'mylist' },
      authParams: { password: '' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[10] address is defined in the authParams',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: { address: 'localhost:6379' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: false },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[11] host and port is defined in the authParams',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: { host: 'localhost', port: '6379' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: false },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[12] enableTLS, TLS defined in the authParams only',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: {
        address: 'localhost:6379',
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        tls: 'enable',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: true },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[13] enableTLS, TLS cert/key and assumed public CA',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: { address: 'localhost:6379', cert: 'ceert', key: 'keey', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: true },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[14] enableTLS, TLS cert/key + key password and assumed public CA',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: {
        address: 'localhost:6379',
        cert: 'ceert',
        key: 'keey',
        keyPassword: 'keeyPassword',
        tls: 'enable',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: true },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[15] enableTLS, TLS CA only',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: { address: 'localhost:6379', ca: 'caaa', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: true },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[16] enableTLS is enabled by metadata',
    input: {
      metadata: { enableTLS: 'true', listLength: '0', listName: 'mylist' },
      authParams: { address: 'localhost:6379' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', enableTLS: true },
    differs: TARGET_ZERO,
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[17] enableTLS is defined both in authParams and metadata',
    input: {
      metadata: { enableTLS: 'true', listLength: '0', listName: 'mylist' },
      authParams: { address: 'localhost:6379', tls: 'disable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRedisParseMetadata testRedisMetadata[18] host only is defined in the authParams',
    input: {
      metadata: { listLength: '0', listName: 'mylist' },
      authParams: { host: 'localhost' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
];
const clusterCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestParseRedisClusterMetadata "empty metadata"',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisClusterMetadata "unequal number of Hosts/Ports"',
    input: { metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisClusterMetadata "no list name"',
    input: { metadata: { hosts: 'a, b, c', listLength: '5', ports: '1, 2, 3' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisClusterMetadata "invalid list length"',
    input: {
      metadata: { hosts: 'a, b, c', listLength: 'invalid', listName: 'mylist', ports: '1, 2, 3' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisClusterMetadata "address is defined in auth params"',
    input: { metadata: { listName: 'mylist' }, authParams: { addresses: ':7001, :7002' } },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: [':7001', ':7002'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "Hosts and Ports given in auth params"',
    input: {
      metadata: { listName: 'mylist' },
      authParams: { hosts: '   a, b,    c ', ports: '1, 2, 3' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "Username given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { username: 'username' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: 'username',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "Username given in metadata"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3', username: 'username' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: 'username',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "Username given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        usernameFromEnv: 'REDIS_USERNAME',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: 'none',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "Password given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { password: 'password' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: 'password',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "Password given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        passwordFromEnv: 'REDIS_PASSWORD',
        ports: '1, 2, 3',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: 'none',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "tls enabled without setting UnsafeSsl"',
    input: {
      metadata: { enableTLS: 'true', listName: 'mylist' },
      authParams: { addresses: ':7001, :7002' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: [':7001', ':7002'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: true,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisClusterMetadata "tls enabled with UnsafeSsl true"',
    input: {
      metadata: { enableTLS: 'true', listName: 'mylist', unsafeSsl: 'true' },
      authParams: { addresses: ':7001, :7002' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: [':7001', ':7002'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: true,
      unsafeSsl: true,
    },
  },
];
const sentinelCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestParseRedisSentinelMetadata "empty metadata"',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisSentinelMetadata "unequal number of Hosts/Ports"',
    input: { metadata: { hosts: 'a, b, c', ports: '1, 2' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisSentinelMetadata "no list name"',
    input: { metadata: { hosts: 'a, b, c', listLength: '5', ports: '1, 2, 3' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisSentinelMetadata "invalid list length"',
    input: {
      metadata: { hosts: 'a, b, c', listLength: 'invalid', listName: 'mylist', ports: '1, 2, 3' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseRedisSentinelMetadata "address is defined in auth params"',
    input: { metadata: { listName: 'mylist' }, authParams: { addresses: ':7001, :7002' } },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: [':7001', ':7002'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Hosts and Ports given in auth params" (#1)',
    input: {
      metadata: { listName: 'mylist' },
      authParams: { hosts: '   a, b,    c ', ports: '1, 2, 3' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Hosts and Ports given in auth params" (#2)',
    input: {
      metadata: { listName: 'mylist' },
      authParams: { hosts: '   a, b,    c ', ports: '1, 2, 3' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Username given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { username: 'username' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: 'username',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Username given in metadata"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3', username: 'username' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: 'username',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Username given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        usernameFromEnv: 'REDIS_USERNAME',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: 'none',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Password given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { password: 'password' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: 'password',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "Password given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        passwordFromEnv: 'REDIS_PASSWORD',
        ports: '1, 2, 3',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: 'none',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelUsername given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { sentinelUsername: 'sentinelUsername' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: 'sentinelUsername',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelUsername given in metadata"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        sentinelUsername: 'sentinelUsername',
      },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: 'sentinelUsername',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelUsername given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        sentinelUsernameFromEnv: 'REDIS_SENTINEL_USERNAME',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: 'none',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelPassword given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { sentinelPassword: 'sentinelPassword' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: 'sentinelPassword',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelPassword given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        sentinelPasswordFromEnv: 'REDIS_SENTINEL_PASSWORD',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: 'none',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelMaster given in authParams"',
    input: {
      metadata: { hosts: 'a, b, c', listName: 'mylist', ports: '1, 2, 3' },
      authParams: { sentinelMaster: 'sentinelMaster' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: 'sentinelMaster',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelMaster given in metadata"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        sentinelMaster: 'sentinelMaster',
      },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: 'sentinelMaster',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "sentinelMaster given in metadata from env"',
    input: {
      metadata: {
        hosts: 'a, b, c',
        listName: 'mylist',
        ports: '1, 2, 3',
        sentinelMasterFromEnv: 'REDIS_SENTINEL_MASTER',
      },
      resolvedEnv: ENV,
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: ['a:1', 'b:2', 'c:3'],
      username: '',
      password: '',
      sentinelMaster: 'none',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: false,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "tls enabled without setting UnsafeSsl"',
    input: {
      metadata: { enableTLS: 'true', listName: 'mylist' },
      authParams: { addresses: ':7001, :7002' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: [':7001', ':7002'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: true,
      unsafeSsl: false,
    },
  },
  {
    go: 'TestParseRedisSentinelMetadata "tls enabled with UnsafeSsl true"',
    input: {
      metadata: { enableTLS: 'true', listName: 'mylist', unsafeSsl: 'true' },
      authParams: { addresses: ':7001, :7002' },
    },
    keda: {
      result: 'ok',
      listLength: 5,
      listName: 'mylist',
      addresses: [':7001', ':7002'],
      username: '',
      password: '',
      sentinelMaster: '',
      sentinelUsername: '',
      sentinelPassword: '',
      enableTLS: true,
      unsafeSsl: true,
    },
  },
];

// End of the transcribed cases.

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  {
    go: 'TestRedisGetMetricSpecForScaling redisMetricIdentifiers[0] (testRedisMetadata[1], index 0)',
    input: { metadata: parseCases[1]!.input.metadata, resolvedEnv: ENV, triggerIndex: 0 },
    keda: { name: 's0-redis-mylist' },
  },
  {
    go: 'TestRedisGetMetricSpecForScaling redisMetricIdentifiers[1] (testRedisMetadata[1], index 1)',
    input: { metadata: parseCases[1]!.input.metadata, resolvedEnv: ENV, triggerIndex: 1 },
    keda: { name: 's1-redis-mylist' },
  },
];

export const redisTables = [
  table({
    name: 'redis: TestRedisParseMetadata',
    goFile: 'pkg/scalers/redis_scaler_test.go',
    cases: parseCases,
    run: parseWith(redis, view),
  }),
  table({
    name: 'redis-cluster: TestParseRedisClusterMetadata',
    goFile: 'pkg/scalers/redis_scaler_test.go',
    cases: clusterCases,
    run: parseWith(redisCluster, view),
  }),
  table({
    name: 'redis-sentinel: TestParseRedisSentinelMetadata',
    goFile: 'pkg/scalers/redis_scaler_test.go',
    cases: sentinelCases,
    run: parseWith(redisSentinel, view),
  }),
  table({
    name: 'redis: TestRedisGetMetricSpecForScaling',
    goFile: 'pkg/scalers/redis_scaler_test.go',
    cases: metricCases,
    run: metricSpecWith(redis),
  }),
];
