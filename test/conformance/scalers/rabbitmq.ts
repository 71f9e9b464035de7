/**
 * rabbitmq, from KEDA `pkg/scalers/rabbitmq_scaler_test.go`: TestRabbitMQParseMetadata,
 * TestRabbitMQParseAuthParamData, TestParseDefaultQueueLength, Test_getVhostAndPathFromURL,
 * TestGetQueueInfo, TestExpectedQueueConsumptionTime, TestGetQueueInfoWithRegex,
 * TestGetPageSizeWithRegex, TestRabbitMQGetMetricSpecForScaling,
 * TestRabbitMQAnonymizeRabbitMQError, TestRegexQueueMissingError, TestConnectionName,
 * TestRabbitMQBuildAMQPConfig, TestGetSum, TestGetAverage, TestGetMaximum, TestGetComposedQueue.
 *
 * The HTTP cases run the real scaler against a local server answering what KEDA's httptest
 * server answers; they are built as KEDA's tests build them, each queue-info row crossed with
 * every row of the vhost table.
 */
import { Secret } from '../../../src/secret.js';
import { compose, vhostAndPath, type QueueInfo } from '../../../src/scalers/rabbitmq/http.js';
import { maskUserInfo } from '../../../src/scalers/rabbitmq/metadata.js';
import { AMQP_CONNECTION_NAME, rabbitmq, usesExternalAuth } from '../../../src/scalers/rabbitmq/rabbitmq.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case, type Differs } from '../harness.js';
import { stub } from '../http-stub.js';
import {
  activityWith,
  metricSpecWith,
  parseWith,
  type ParseOutcome,
  type TriggerInput,
} from './run.js';

/** `sampleRabbitMqResolvedEnv` (`host` = "myHostSecret", ...). */
const ENV = {
  myHostSecret: 'amqp://user:sercet@somehost.com:5236/vhost',
  myUsernameSecret: 'user',
  myPasswordSecret: 'Password',
};

/** KEDA accepts Azure workload identity; tide does not support it. */
const AZURE_WORKLOAD: Differs<ParseOutcome> = {
  id: 'azure-workload-identity',
  tide: { result: 'error' },
};

interface QueueInfoRow {
  response: string;
  status: number;
  isActive: boolean;
  metadata: Record<string, string>;
  vhostPath?: string;
}
interface ComposeInput {
  queues: QueueInfo[];
  operation: string;
}
type ComposeOutcome = QueueInfo | { error: true };

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[0] nothing passed',
    input: { metadata: {}, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[1] properly formed metadata',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueLength: '10', queueName: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[2] malformed queueLength',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueLength: 'AA', queueName: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[3] missing host',
    input: { metadata: { queueLength: 'AA', queueName: 'sample' }, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[4] missing queueName',
    input: { metadata: { hostFromEnv: 'myHostSecret', queueLength: '10' }, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[5] host defined in authParams',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueLength: '10' },
      authParams: { host: 'myHostSecret' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[6] properly formed metadata with http protocol',
    input: {
      metadata: { host: 'myHostSecret', protocol: 'http', queueLength: '10', queueName: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[7] queue name with slashes',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueLength: '10', queueName: 'namespace/name' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[8] vhost passed',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'namespace/name', vhostName: 'myVhost' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[9] vhost passed but empty',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'namespace/name', vhostName: '' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[10] protocol defined in authParams',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      authParams: { protocol: 'http' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[11] auto protocol and a bad URL',
    input: { metadata: { host: 'something://', queueName: 'sample' }, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[12] auto protocol and an HTTP URL',
    input: { metadata: { host: 'http://', queueName: 'sample' }, resolvedEnv: ENV },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[13] auto protocol and an HTTPS URL',
    input: { metadata: { host: 'https://', queueName: 'sample' }, resolvedEnv: ENV },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[14] queueLength and mode',
    input: {
      metadata: { host: 'https://', mode: 'QueueLength', queueLength: '10', queueName: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[15] queueLength and value',
    input: {
      metadata: { host: 'https://', queueLength: '10', queueName: 'sample', value: '20' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[16] queueLength and mode and value',
    input: {
      metadata: {
        host: 'https://',
        mode: 'QueueLength',
        queueLength: '10',
        queueName: 'sample',
        value: '20',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[17] only mode',
    input: {
      metadata: { host: 'https://', mode: 'QueueLength', queueName: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[18] only value',
    input: { metadata: { host: 'https://', queueName: 'sample', value: '20' }, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[19] mode and value',
    input: {
      metadata: { host: 'https://', mode: 'QueueLength', queueName: 'sample', value: '20' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[20] invalid mode',
    input: {
      metadata: { host: 'https://', mode: 'Feelings', queueName: 'sample', value: '20' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[21] invalid value',
    input: {
      metadata: { host: 'https://', mode: 'QueueLength', queueName: 'sample', value: 'lots' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[22] queue length amqp',
    input: {
      metadata: { host: 'amqps://', mode: 'QueueLength', queueName: 'sample', value: '20' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[23] message rate amqp',
    input: {
      metadata: { host: 'amqps://', mode: 'MessageRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[24] message rate amqp',
    input: {
      metadata: { host: 'amqp://', mode: 'MessageRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[25] message rate amqp',
    input: {
      metadata: { host: 'http://', mode: 'MessageRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[26] message rate amqp',
    input: {
      metadata: { host: 'https://', mode: 'MessageRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[27] deliverGet rate amqps',
    input: {
      metadata: { host: 'amqps://', mode: 'DeliverGetRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[28] deliverGet rate amqp',
    input: {
      metadata: { host: 'amqp://', mode: 'DeliverGetRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[29] deliverGet rate http',
    input: {
      metadata: { host: 'http://', mode: 'DeliverGetRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[30] deliverGet rate https',
    input: {
      metadata: { host: 'https://', mode: 'DeliverGetRate', queueName: 'sample', value: '1000' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[31] amqp host and useRegex',
    input: {
      metadata: { host: 'amqps://', queueName: 'sample', useRegex: 'true' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[32] http host and useRegex',
    input: {
      metadata: { host: 'http://', queueName: 'sample', useRegex: 'true' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[33] message rate and useRegex',
    input: {
      metadata: {
        host: 'http://',
        mode: 'MessageRate',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[34] deliverGet rate and useRegex',
    input: {
      metadata: {
        host: 'http://',
        mode: 'DeliverGetRate',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[35] queue length and useRegex',
    input: {
      metadata: {
        host: 'http://',
        mode: 'QueueLength',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[36] http valid timeout',
    input: {
      metadata: {
        host: 'http://',
        mode: 'QueueLength',
        queueName: 'sample',
        timeout: '1000',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[37] http invalid timeout',
    input: {
      metadata: {
        host: 'http://',
        mode: 'QueueLength',
        queueName: 'sample',
        timeout: '-10',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[38] http wrong timeout',
    input: {
      metadata: {
        host: 'http://',
        mode: 'QueueLength',
        queueName: 'sample',
        timeout: 'error',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[39] amqp timeout',
    input: {
      metadata: {
        host: 'amqp://',
        mode: 'QueueLength',
        queueName: 'sample',
        timeout: '10',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[40] valid pageSize',
    input: {
      metadata: {
        host: 'http://',
        mode: 'MessageRate',
        pageSize: '100',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[41] pageSize less than 1',
    input: {
      metadata: {
        host: 'http://',
        mode: 'MessageRate',
        pageSize: '-1',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[42] invalid pageSize',
    input: {
      metadata: {
        host: 'http://',
        mode: 'MessageRate',
        pageSize: 'a',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[43] valid pageSize',
    input: {
      metadata: {
        host: 'http://',
        mode: 'DeliverGetRate',
        pageSize: '100',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[44] pageSize less than 1',
    input: {
      metadata: {
        host: 'http://',
        mode: 'DeliverGetRate',
        pageSize: '-1',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[45] invalid pageSize',
    input: {
      metadata: {
        host: 'http://',
        mode: 'DeliverGetRate',
        pageSize: 'a',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[46] activationValue passed',
    input: {
      metadata: {
        activationValue: '10',
        hostFromEnv: 'myHostSecret',
        queueLength: '20',
        queueName: 'sample',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[47] malformed activationValue',
    input: {
      metadata: {
        activationValue: 'AA',
        hostFromEnv: 'myHostSecret',
        queueLength: '10',
        queueName: 'sample',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[48] http and excludeUnacknowledged',
    input: {
      metadata: {
        excludeUnacknowledged: 'true',
        host: 'http://',
        mode: 'QueueLength',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[49] amqp and excludeUnacknowledged',
    input: {
      metadata: {
        excludeUnacknowledged: 'true',
        host: 'amqp://',
        mode: 'QueueLength',
        queueName: 'sample',
        useRegex: 'true',
        value: '1000',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[50] unsafeSsl true',
    input: {
      metadata: { host: 'https://', queueName: 'sample', unsafeSsl: 'true' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', unsafeSsl: true },
  },
  {
    go: 'TestRabbitMQParseMetadata testRabbitMQMetadata[51] unsafeSsl wrong input',
    input: {
      metadata: { host: 'https://', queueName: 'sample', unsafeSsl: 'random' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
];
const authParamCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[0]',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', tls: 'enable' },
    },
    keda: { result: 'ok', tls: 'enable', ca: 'caaa', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[1] success, TLS cert/key and assumed public CA',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { cert: 'ceert', key: 'keey', tls: 'enable' },
    },
    keda: { result: 'ok', tls: 'enable', ca: '', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[2] success, TLS cert/key + key password and assumed public CA',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword', tls: 'enable' },
    },
    keda: {
      result: 'ok',
      tls: 'enable',
      ca: '',
      cert: 'ceert',
      key: 'keey',
      keyPassword: 'keeyPassword',
    },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[3] success, TLS CA only',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { ca: 'caaa', tls: 'enable' },
    },
    keda: { result: 'ok', tls: 'enable', ca: 'caaa', cert: '', key: '', keyPassword: '' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[4] failure, TLS missing cert',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { ca: 'caaa', key: 'kee', tls: 'enable' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[5] failure, TLS missing key',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { ca: 'caaa', cert: 'ceert', tls: 'enable' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[6] failure, TLS invalid',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { ca: 'caaa', cert: 'ceert', key: 'kee', tls: 'yes' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[7] success, username and password',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { password: 'PASSWORD', username: 'user' },
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[8] failure, username but no password',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { username: 'user' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[9] failure, password but no username',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { password: 'PASSWORD' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[10] success, vhostName',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { vhostName: 'myVhost' },
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[11] success, vhostName but empty',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { vhostName: '' },
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[12] success, username and password from env',
    input: {
      metadata: {
        hostFromEnv: 'myHostSecret',
        passwordFromEnv: 'myPasswordSecret',
        queueName: 'sample',
        usernameFromEnv: 'myUsernameSecret',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[13] failure, username from env but not password',
    input: {
      metadata: {
        hostFromEnv: 'myHostSecret',
        queueName: 'sample',
        usernameFromEnv: 'myUsernameSecret',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[14] failure, password from env but not username',
    input: {
      metadata: {
        hostFromEnv: 'myHostSecret',
        passwordFromEnv: 'myPasswordSecret',
        queueName: 'sample',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[15] success, WorkloadIdentity',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { workloadIdentityResource: 'rabbitmq-resource-id' },
    },
    keda: { result: 'ok', tls: 'disable' },
    differs: AZURE_WORKLOAD,
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[16] failure, WorkloadIdentity not supported for amqp',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', protocol: 'amqp', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { workloadIdentityResource: 'rabbitmq-resource-id' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[17] success, OAuth2 with HTTP protocol (minimal config)',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        clientID: 'my-client',
        clientSecret: 'my-secret',
        oauthTokenURI: 'https://oauth.example.com/token',
      },
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[18] success, OAuth2 with scopes',
    input: {
      metadata: { host: 'https://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        clientID: 'my-client',
        clientSecret: 'my-secret',
        oauthTokenURI: 'https://oauth.example.com/token',
        scopes: 'rabbitmq.read,rabbitmq.write',
      },
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[19] success, OAuth2 with endpoint params',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        clientID: 'my-client',
        clientSecret: 'my-secret',
        endpointParams: 'audience=rabbitmq&resource=api',
        oauthTokenURI: 'https://oauth.example.com/token',
      },
    },
    keda: { result: 'ok', tls: 'disable' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[20] success, OAuth2 with TLS',
    input: {
      metadata: { host: 'https://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        ca: 'caaa',
        clientID: 'my-client',
        clientSecret: 'my-secret',
        oauthTokenURI: 'https://oauth.example.com/token',
        tls: 'enable',
      },
    },
    keda: { result: 'ok', tls: 'enable', ca: 'caaa', cert: '', key: '', keyPassword: '' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[21] failure, OAuth2 with AMQP protocol',
    input: {
      metadata: { host: 'amqp://localhost:5672', protocol: 'amqp', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        clientID: 'my-client',
        clientSecret: 'my-secret',
        oauthTokenURI: 'https://oauth.example.com/token',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[22] failure, OAuth2 + basic auth',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        clientID: 'my-client',
        clientSecret: 'my-secret',
        oauthTokenURI: 'https://oauth.example.com/token',
        password: 'pass',
        username: 'user',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[23] failure, OAuth2 + workload identity',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: {
        clientID: 'my-client',
        clientSecret: 'my-secret',
        oauthTokenURI: 'https://oauth.example.com/token',
        workloadIdentityResource: 'rabbitmq-resource-id',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[24] failure, OAuth2 missing tokenUrl',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { clientID: 'my-client', clientSecret: 'my-secret' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[25] failure, OAuth2 missing clientId',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { clientSecret: 'my-secret', oauthTokenURI: 'https://oauth.example.com/token' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestRabbitMQParseAuthParamData testRabbitMQAuthParamData[26] failure, OAuth2 missing clientSecret',
    input: {
      metadata: { host: 'http://localhost:15672', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
      authParams: { clientID: 'my-client', oauthTokenURI: 'https://oauth.example.com/token' },
    },
    keda: { result: 'error' },
  },
];
const defaultQueueLengthCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestParseDefaultQueueLength testDefaultQueueLength[0] use default queueLength',
    input: { metadata: { hostFromEnv: 'myHostSecret', queueName: 'sample' }, resolvedEnv: ENV },
    keda: { result: 'ok', value: 20 },
  },
  {
    go: 'TestParseDefaultQueueLength testDefaultQueueLength[1] use default queueLength with includeUnacked',
    input: {
      metadata: { hostFromEnv: 'myHostSecret', protocol: 'http', queueName: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', value: 20 },
  },
];
/** `getVhostAndPathFromURLTestData`: rawPath, overrideVhost, resolvedVhostPath, resolvedPath. */
const VHOSTS: [string, string, string, string][] = [
  ['myVhost', '', '/myVhost', ''],
  ['%2FmyVhost', '', '/%2FmyVhost', ''],
  ['/', '', '/%2F', ''],
  ['//', '', '/%2F', ''],
  ['/%2F', '', '/%2F', ''],
  ['', '', '/%2F', ''],
  ['sub1/myVhost', '', '/myVhost', '/sub1'],
  ['sub1/', 'overridenVhost', '/overridenVhost', '/sub1'],
  ['myVhost', 'overridenVhost', '/overridenVhost', ''],
  ['sub1/%2FmyVhost', '', '/%2FmyVhost', '/sub1'],
  ['sub1/', '', '/%2F', '/sub1'],
  ['sub1/', 'myVhost', '/myVhost', '/sub1'],
  ['myVhost', 'overridenVhost', '/overridenVhost', ''],
  ['sub1//', '', '/%2F', '/sub1'],
  ['sub1/%2F', '', '/%2F', '/sub1'],
  ['sub1/sub2/myVhost', '', '/myVhost', '/sub1/sub2'],
  ['sub1/sub2/myVhost', 'overridenVhost', '/overridenVhost', '/sub1/sub2'],
  ['myVhost', 'overridenVhost', '/overridenVhost', ''],
  ['sub1/sub2/%2FmyVhost', '', '/%2FmyVhost', '/sub1/sub2'],
  ['sub1/sub2/', '', '/%2F', '/sub1/sub2'],
  ['sub1/sub2/', 'myVhost', '/myVhost', '/sub1/sub2'],
  ['sub1/myVhost', 'overridenVhost', '/overridenVhost', '/sub1'],
  ['sub1/sub2//', '', '/%2F', '/sub1/sub2'],
  ['sub1/sub2/%2F', '', '/%2F', '/sub1/sub2'],
];
/** `testQueueInfoTestData`. */
const QUEUE_INFO: QueueInfoRow[] = [
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 0.8}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1.2}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1.6}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { queueLength: '10' },
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 1.3}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1.3}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { mode: 'QueueLength', value: '100' },
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 1.3}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1.3}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 1, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', value: '100' },
  },
  {
    response:
      '{"messages": 30, "messages_unacknowledged": 10, "message_stats": {"publish_details": {"rate": 5}, "deliver_get_details": {"rate": 1}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 20, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 10}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 10, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 12.5}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 45, "messages_unacknowledged": 5, "message_stats": {"publish_details": {"rate": 5.5}, "deliver_get_details": {"rate": 1.5}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 22, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 1.5}, "deliver_get_details": {"rate": 23}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 3, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 18.5}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  {
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', value: '100' },
  },
  { response: 'Password is incorrect', status: 401, isActive: false, metadata: {} },
];
/** `testQueueInfoTestDataSingleVhost`. */
const QUEUE_INFO_SINGLE_VHOST: QueueInfoRow[] = [
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 1.6}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { hostFromEnv: 'plainHost', vhostName: 'myhost' },
    vhostPath: '/myhost',
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { hostFromEnv: 'plainHost', vhostName: '/' },
    vhostPath: '//',
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 1.4}, "deliver_get_details": {"rate": 2.5}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { hostFromEnv: 'plainHost', vhostName: '' },
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { hostFromEnv: 'plainHost', vhostName: 'myhost' },
    vhostPath: '/myhost',
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { hostFromEnv: 'plainHost', vhostName: '/' },
    vhostPath: '/%2F',
  },
  {
    response:
      '{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    status: 200,
    isActive: true,
    metadata: { hostFromEnv: 'plainHost', vhostName: '' },
    vhostPath: '/',
  },
];
/** `testRegexQueueInfoTestData`. */
const REGEX_QUEUE_INFO: QueueInfoRow[] = [
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'sum',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'sum',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'sum',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'sum',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'sum', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'max',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'max',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'max',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'max',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'max', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'avg',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'avg',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'avg',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_ready": 3, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_ready": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: {
      excludeUnacknowledged: 'true',
      operation: 'avg',
      queueLength: '10',
      useRegex: 'true',
    },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { operation: 'avg', queueLength: '10', useRegex: 'true' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'MessageRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"},{"messages": 0, "messages_unacknowledged": 1, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'MessageRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}, {"messages": 2, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}, {"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trials"}, {"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}, {"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', operation: 'sum', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 8, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}, {"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}, {"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trials"}, {"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}, {"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', operation: 'max', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 8, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trials"}, {"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}, {"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trials"}, {"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 4}, "deliver_get_details": {"rate": 4}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: true,
    metadata: { mode: 'DeliverGetRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response:
      '{"items":[{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}, {"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trial2"}]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
  {
    response: '{"items":[]}',
    status: 200,
    isActive: false,
    metadata: { mode: 'DeliverGetRate', operation: 'avg', useRegex: 'true', value: '1000' },
  },
];
/** `testExpectedQueueConsumptionTimeTestData`. */
const CONSUMPTION_TIME = [
  {
    name: 'empty idle queue',
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    expectedMilli: 0,
    isActive: false,
  },
  {
    name: 'empty queue with decaying delivery rate',
    response:
      '{"messages": 0, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}',
    expectedMilli: 0,
    isActive: false,
  },
  {
    name: 'backlog without consumers',
    response:
      '{"messages": 10, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 3}, "deliver_get_details": {"rate": 0}}, "name": "evaluate_trials"}',
    expectedMilli: 1000,
    isActive: true,
  },
  {
    name: 'backlog with consumers',
    response:
      '{"messages": 10, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 3}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}',
    expectedMilli: 5500,
    isActive: true,
  },
  {
    name: 'draining backlog',
    response:
      '{"messages": 4, "messages_unacknowledged": 0, "message_stats": {"publish_details": {"rate": 0}, "deliver_get_details": {"rate": 2}}, "name": "evaluate_trials"}',
    expectedMilli: 1000,
    isActive: false,
  },
];
/** `anonymizeRabbitMQErrorTestData`: the error, and KEDA's message. */
const ANONYMIZE: [string, string][] = [
  [
    'https://user1:password1@domain.com',
    'error inspecting RabbitMQ: https://user:password@domain.com',
  ],
  [
    'https://fdasr345_-:password1@domain.com',
    'error inspecting RabbitMQ: https://user:password@domain.com',
  ],
  [
    'https://user1:fdasr345_-@domain.com',
    'error inspecting RabbitMQ: https://user:password@domain.com',
  ],
  [
    'https://fdakls_dsa:password1@domain.com',
    'error inspecting RabbitMQ: https://user:password@domain.com',
  ],
  ['fdasr345_-:password1@domain.com', 'error inspecting RabbitMQ: user:password@domain.com'],
  [
    'this user1:password1@domain.com fails',
    'error inspecting RabbitMQ: this user:password@domain.com fails',
  ],
  [
    'this https://user1:password1@domain.com fails also',
    'error inspecting RabbitMQ: this https://user:password@domain.com fails also',
  ],
  ['nothing to replace here', 'error inspecting RabbitMQ: nothing to replace here'],
  [
    'the queue https://user1:fdasr345_-@domain.com/api/virtual is unavailable',
    'error inspecting RabbitMQ: the queue https://user:password@domain.com/api/virtual is unavailable',
  ],
];
/** `testRegexQueueInfoNavigationTestData`: response, isError. */
const NAVIGATION: [string, boolean][] = [
  ['{"items":[], "filtered_count": 250, "page": 1, "page_count": 3}', true],
  ['{"items":[], "filtered_count": 250, "page": 1, "page_count": 1}', false],
];
const sumCases: Case<ComposeInput, ComposeOutcome>[] = [
  {
    go: 'TestGetSum "empty"',
    input: { queues: [], operation: 'sum' },
    keda: { messages: 0, messagesReady: 0, publishRate: 0, deliverRate: 0 },
  },
  {
    go: 'TestGetSum "single queue"',
    input: {
      queues: [{ messages: 10, messagesReady: 5, publishRate: 1.5, deliverRate: 2.5 }],
      operation: 'sum',
    },
    keda: { messages: 10, messagesReady: 5, publishRate: 1.5, deliverRate: 2.5 },
  },
  {
    go: 'TestGetSum "multiple queues"',
    input: {
      queues: [
        { messages: 10, messagesReady: 5, publishRate: 1, deliverRate: 2 },
        { messages: 20, messagesReady: 15, publishRate: 3, deliverRate: 4 },
      ],
      operation: 'sum',
    },
    keda: { messages: 30, messagesReady: 20, publishRate: 4, deliverRate: 6 },
  },
];
const avgCases: Case<ComposeInput, ComposeOutcome>[] = [
  {
    go: 'TestGetAverage "single queue"',
    input: {
      queues: [{ messages: 10, messagesReady: 6, publishRate: 2, deliverRate: 4 }],
      operation: 'avg',
    },
    keda: { messages: 10, messagesReady: 6, publishRate: 2, deliverRate: 4 },
  },
  {
    go: 'TestGetAverage "two queues integer truncation"',
    input: {
      queues: [
        { messages: 5, messagesReady: 3, publishRate: 1, deliverRate: 3 },
        { messages: 6, messagesReady: 4, publishRate: 3, deliverRate: 5 },
      ],
      operation: 'avg',
    },
    keda: { messages: 5, messagesReady: 3, publishRate: 2, deliverRate: 4 },
  },
];
const maxCases: Case<ComposeInput, ComposeOutcome>[] = [
  {
    go: 'TestGetMaximum "single queue"',
    input: {
      queues: [{ messages: 7, messagesReady: 3, publishRate: 1.5, deliverRate: 2.5 }],
      operation: 'max',
    },
    keda: { messages: 7, messagesReady: 3, publishRate: 1.5, deliverRate: 2.5 },
  },
  {
    go: 'TestGetMaximum "max picked independently per field"',
    input: {
      queues: [
        { messages: 30, messagesReady: 5, publishRate: 1, deliverRate: 9 },
        { messages: 10, messagesReady: 20, publishRate: 7, deliverRate: 3 },
      ],
      operation: 'max',
    },
    keda: { messages: 30, messagesReady: 20, publishRate: 7, deliverRate: 9 },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/rabbitmq_scaler_test.go';

const vhostCases: Case<[string, string], { vhost: string; prefix: string }>[] = VHOSTS.map(
  ([raw, override, vhost, prefix], i) => ({
    go: `Test_getVhostAndPathFromURL getVhostAndPathFromURLTestData[${i}] ("${raw}", "${override}")`,
    input: [raw, override],
    keda: { vhost, prefix },
  }),
);

/** One read through the management API; what the server was asked and what the scaler said. */
interface HttpInput {
  metadata: Record<string, string>;
  resolvedEnv: Record<string, string>;
  status: number;
  response: string;
}
interface HttpOutcome {
  requestURI?: string;
  isActive?: boolean;
  valueMilli?: number;
  /** The error message quotes the server's response (KEDA's check on failures). */
  errorQuotesResponse?: boolean;
  error?: boolean;
}
const PLACEHOLDER = '{{stub}}';
async function readOnce(i: HttpInput): Promise<HttpOutcome> {
  const url = await stub.url();
  stub.answer(() => ({ status: i.status, body: i.response }));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.resolvedEnv)) env[k] = v.replace(PLACEHOLDER, url);
  try {
    const r = await activityWith(rabbitmq)({ metadata: i.metadata, resolvedEnv: env }, {});
    return {
      requestURI: stub.requests[0] ?? '',
      isActive: r.isActive,
      valueMilli: Math.round(r.value * 1000),
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      requestURI: stub.requests[0] ?? '',
      error: true,
      errorQuotesResponse: message.includes(i.response),
    };
  }
}

/** TestGetQueueInfo: the single-vhost rows, then every queue-info row × every vhost row. */
function queueInfoCases(): Case<HttpInput, HttpOutcome>[] {
  const out: Case<HttpInput, HttpOutcome>[] = [];
  QUEUE_INFO_SINGLE_VHOST.forEach((row, i) => {
    const { vhost, prefix } = keda(['', row.metadata.vhostName ?? '']);
    out.push(
      httpCase(
        `TestGetQueueInfo testQueueInfoTestDataSingleVhost[${i}]`,
        row,
        vhost,
        prefix,
        '/evaluate_trials',
      ),
    );
  });
  QUEUE_INFO.forEach((row, i) =>
    VHOSTS.forEach(([raw, override, vhost, prefix], j) =>
      out.push(
        httpCase(
          `TestGetQueueInfo testQueueInfoTestData[${i}] × getVhostAndPathFromURLTestData[${j}] ("${raw}", "${override}")`,
          { ...row, metadata: { ...row.metadata, vhostName: override } },
          vhost,
          prefix,
          '/evaluate_trials',
        ),
      ),
    ),
  );
  return out;
}

/** KEDA's resolved vhost and path for (rawPath, override): the row of the vhost table. */
function keda([raw, override]: [string, string]): { vhost: string; prefix: string } {
  const row = VHOSTS.find(([r, o]) => r === raw && o === override);
  if (row) return { vhost: row[2], prefix: row[3] };
  // Rows the vhost table lacks: the empty path with an override (single-vhost data).
  return { vhost: override === '' || override === '/' ? '/%2F' : `/${override}`, prefix: '' };
}

function httpCase(
  go: string,
  row: QueueInfoRow,
  vhost: string,
  prefix: string,
  query: string,
  base: Record<string, string> = { queueName: 'evaluate_trials' },
): Case<HttpInput, HttpOutcome> {
  const metadata = { ...base, hostFromEnv: 'myHostSecret', protocol: 'http', ...row.metadata };
  return {
    go,
    input: {
      metadata,
      resolvedEnv: {
        myHostSecret: `${PLACEHOLDER}${prefix}${vhost}`,
        plainHost: PLACEHOLDER,
      },
      status: row.status,
      response: row.response,
    },
    keda:
      row.status === 200
        ? { requestURI: `${prefix}/api/queues${vhost}${query}`, isActive: row.isActive }
        : {
            requestURI: `${prefix}/api/queues${vhost}${query}`,
            error: true,
            errorQuotesResponse: true,
          },
  };
}

const REGEX_QUERY = (pageSize: number) =>
  `?page=1&use_regex=true&pagination=false&name=%5Eevaluate_trials%24&page_size=${pageSize}`;

function regexCases(): Case<HttpInput, HttpOutcome>[] {
  const out: Case<HttpInput, HttpOutcome>[] = [];
  REGEX_QUEUE_INFO.forEach((row, i) =>
    VHOSTS.forEach(([raw, override, vhost, prefix], j) =>
      out.push(
        httpCase(
          `TestGetQueueInfoWithRegex testRegexQueueInfoTestData[${i}] × getVhostAndPathFromURLTestData[${j}] ("${raw}", "${override}")`,
          { ...row, metadata: { ...row.metadata, vhostName: override } },
          vhost,
          prefix,
          REGEX_QUERY(100),
          { queueName: '^evaluate_trials$' },
        ),
      ),
    ),
  );
  return out;
}

/** TestGetPageSizeWithRegex: `testRegexQueueInfoTestData[0]` with page sizes 100, 200, 500. */
function pageSizeCases(): Case<HttpInput, HttpOutcome>[] {
  const out: Case<HttpInput, HttpOutcome>[] = [];
  const row = REGEX_QUEUE_INFO[0]!;
  [100, 200, 500].forEach((pageSize, i) =>
    VHOSTS.forEach(([raw, override, vhost, prefix], j) =>
      out.push(
        httpCase(
          `TestGetPageSizeWithRegex testRegexPageSizeTestData[${i}] (pageSize ${pageSize}) × getVhostAndPathFromURLTestData[${j}] ("${raw}", "${override}")`,
          {
            ...row,
            isActive: true,
            // The Go test passes only these keys (not the row's own metadata).
            metadata: { vhostName: override, useRegex: 'true', pageSize: String(pageSize) },
          },
          vhost,
          prefix,
          REGEX_QUERY(pageSize),
          { queueName: '^evaluate_trials$' },
        ),
      ),
    ),
  );
  return out;
}

const consumptionTimeCases: Case<HttpInput, HttpOutcome>[] = CONSUMPTION_TIME.map((c) => ({
  go: `TestExpectedQueueConsumptionTime "${c.name}"`,
  input: {
    metadata: {
      queueName: 'evaluate_trials',
      hostFromEnv: 'myHostSecret',
      protocol: 'http',
      mode: 'ExpectedQueueConsumptionTime',
      value: '1',
      activationValue: '1',
    },
    resolvedEnv: { myHostSecret: PLACEHOLDER },
    status: 200,
    response: c.response,
  },
  keda: { valueMilli: c.expectedMilli, isActive: c.isActive },
}));

const navigationCases: Case<HttpInput, HttpOutcome>[] = NAVIGATION.map(
  ([response, isError], i) => ({
    go: `TestRegexQueueMissingError testRegexQueueInfoNavigationTestData[${i}]`,
    input: {
      metadata: {
        queueName: 'evaluate_trials',
        hostFromEnv: 'myHostSecret',
        protocol: 'http',
        useRegex: 'true',
      },
      resolvedEnv: { myHostSecret: PLACEHOLDER },
      status: 200,
      response,
    },
    keda: {
      requestURI:
        '/api/queues/%2F?page=1&use_regex=true&pagination=false&name=evaluate_trials&page_size=100',
      ...(isError ? { error: true } : { isActive: false }),
    },
  }),
);

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  {
    go: 'TestRabbitMQGetMetricSpecForScaling rabbitMQMetricIdentifiers[0] (testRabbitMQMetadata[1])',
    input: { ...parseCases[1]!.input, triggerIndex: 0 },
    keda: { name: 's0-rabbitmq-sample' },
  },
  {
    go: 'TestRabbitMQGetMetricSpecForScaling rabbitMQMetricIdentifiers[1] (testRabbitMQMetadata[7])',
    input: { ...parseCases[7]!.input, triggerIndex: 1 },
    keda: { name: 's1-rabbitmq-namespace-2Fname' },
  },
];

// KEDA prefixes its message with "error inspecting RabbitMQ: "; the masking is what is compared.
const PREFIX = 'error inspecting RabbitMQ: ';
const anonymizeCases: Case<string, string>[] = ANONYMIZE.map(([err, message], i) => ({
  go: `TestRabbitMQAnonymizeRabbitMQError anonymizeRabbitMQErrorTestData[${i}]`,
  input: err,
  keda: message.slice(PREFIX.length),
}));

const connectionNameCases: Case<null, string>[] = [
  {
    go: 'TestConnectionName',
    input: null,
    keda: 'keda-test-namespace-test-name',
    differs: { id: 'amqp-connection-name', tide: 'tide' },
  },
];

/** TestRabbitMQBuildAMQPConfig: the SASL mechanism (EXTERNAL, or none = PLAIN from the URL). */
interface AmqpConfigInput {
  host: string;
  username?: string;
  password?: string;
  tls: 'enable' | 'disable';
  cert?: string;
  key?: string;
  ca?: string;
}
const amqpConfigCases: Case<AmqpConfigInput, { external: boolean }>[] = [
  [
    'TLS enabled without credentials uses EXTERNAL SASL',
    { host: '', tls: 'enable', cert: 'C', key: 'K' },
    true,
  ],
  [
    'TLS enabled with credentials does not set SASL',
    { host: '', tls: 'enable', username: 'user', password: 'pass' },
    false,
  ],
  ['TLS disabled does not set SASL', { host: '', tls: 'disable' }, false],
  ['TLS enabled with CA only does not set EXTERNAL', { host: '', tls: 'enable', ca: 'CA' }, false],
  [
    'TLS enabled with credentials in host URI does not set EXTERNAL',
    { host: 'amqps://user:pass@rabbit:5671/', tls: 'enable', cert: 'C', key: 'K' },
    false,
  ],
  [
    'TLS enabled with username-only userinfo in host URI uses EXTERNAL SASL',
    { host: 'amqps://CN=username@rabbit:5671/', tls: 'enable', cert: 'C', key: 'K' },
    true,
  ],
  [
    'TLS enabled, no credentials in host URI, uses EXTERNAL',
    { host: 'amqps://rabbit.namespace.svc:5671/', tls: 'enable', cert: 'C', key: 'K' },
    true,
  ],
].map(([name, input, external]) => ({
  go: `TestRabbitMQBuildAMQPConfig "${name as string}"`,
  input: input as AmqpConfigInput,
  keda: { external: Boolean(external) },
}));

/** tide keeps the TriggerAuthentication's username and password in the URL it connects with. */
function externalAuth(i: AmqpConfigInput): { external: boolean } {
  const u = new URL(i.host || 'amqps://rabbit:5671/');
  if (i.username) u.username = i.username;
  if (i.password) u.password = i.password;
  const tls =
    i.tls === 'enable'
      ? {
          ...(i.cert ? { cert: i.cert } : {}),
          ...(i.key ? { key: new Secret(i.key) } : {}),
          ...(i.ca ? { ca: i.ca } : {}),
        }
      : undefined;
  return { external: usesExternalAuth({ url: new Secret(u.toString()), ...(tls ? { tls } : {}) }) };
}

const q = (messages: number, messagesReady: number, publishRate: number, deliverRate: number) => ({
  messages,
  messagesReady,
  publishRate,
  deliverRate,
});
/** TestGetComposedQueue's `queues`. */
const QUEUES = [q(10, 4, 2, 6), q(20, 8, 4, 2)];
const composedCases: Case<ComposeInput, ComposeOutcome>[] = [
  {
    go: 'TestGetComposedQueue "sum operation"',
    input: { operation: 'sum', queues: QUEUES },
    keda: q(30, 12, 6, 8),
  },
  {
    go: 'TestGetComposedQueue "avg operation"',
    input: { operation: 'avg', queues: QUEUES },
    keda: q(15, 6, 3, 4),
  },
  {
    go: 'TestGetComposedQueue "max operation"',
    input: { operation: 'max', queues: QUEUES },
    keda: q(20, 8, 4, 6),
  },
  {
    go: 'TestGetComposedQueue "empty queue list returns zeros"',
    input: { operation: 'sum', queues: [] },
    keda: q(0, 0, 0, 0),
  },
  {
    go: 'TestGetComposedQueue "invalid operation returns error"',
    input: { operation: 'invalid', queues: QUEUES },
    keda: { error: true },
  },
];
function composeOnce(i: ComposeInput): ComposeOutcome {
  try {
    return compose(i.queues, i.operation);
  } catch {
    return { error: true };
  }
}

const tlsView = (m: {
  tls?: { ca?: string; cert?: string; key?: Secret; keyPassword?: Secret };
}) => ({
  tls: m.tls ? 'enable' : 'disable',
  ...(m.tls
    ? {
        ca: m.tls.ca ?? '',
        cert: m.tls.cert ?? '',
        key: m.tls.key?.reveal() ?? '',
        keyPassword: m.tls.keyPassword?.reveal() ?? '',
      }
    : {}),
});

export const rabbitmqTables = [
  table({
    name: 'rabbitmq: TestRabbitMQParseMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(rabbitmq, (m) => ({ unsafeSsl: m.unsafeSsl })),
  }),
  table({
    name: 'rabbitmq: TestRabbitMQParseAuthParamData',
    goFile: go,
    cases: authParamCases,
    run: parseWith(rabbitmq, tlsView),
  }),
  table({
    name: 'rabbitmq: TestParseDefaultQueueLength',
    goFile: go,
    cases: defaultQueueLengthCases,
    run: parseWith(rabbitmq, (m) => ({ value: m.value })),
  }),
  table({
    name: 'rabbitmq: Test_getVhostAndPathFromURL',
    goFile: go,
    cases: vhostCases,
    run: ([raw, override]) => vhostAndPath(raw, override || undefined),
  }),
  table({ name: 'rabbitmq: TestGetQueueInfo', goFile: go, cases: queueInfoCases(), run: readOnce }),
  table({
    name: 'rabbitmq: TestExpectedQueueConsumptionTime',
    goFile: go,
    cases: consumptionTimeCases,
    run: readOnce,
  }),
  table({
    name: 'rabbitmq: TestGetQueueInfoWithRegex',
    goFile: go,
    cases: regexCases(),
    run: readOnce,
  }),
  table({
    name: 'rabbitmq: TestGetPageSizeWithRegex',
    goFile: go,
    cases: pageSizeCases(),
    run: readOnce,
  }),
  table({
    name: 'rabbitmq: TestRegexQueueMissingError',
    goFile: go,
    cases: navigationCases,
    run: readOnce,
  }),
  table({
    name: 'rabbitmq: TestRabbitMQGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(rabbitmq),
  }),
  table({
    name: 'rabbitmq: TestRabbitMQAnonymizeRabbitMQError',
    goFile: go,
    cases: anonymizeCases,
    run: maskUserInfo,
  }),
  table({
    name: 'rabbitmq: TestConnectionName',
    goFile: go,
    cases: connectionNameCases,
    run: () => AMQP_CONNECTION_NAME,
  }),
  table({
    name: 'rabbitmq: TestRabbitMQBuildAMQPConfig',
    goFile: go,
    cases: amqpConfigCases,
    run: externalAuth,
  }),
  table({ name: 'rabbitmq: TestGetSum', goFile: go, cases: sumCases, run: composeOnce }),
  table({ name: 'rabbitmq: TestGetAverage', goFile: go, cases: avgCases, run: composeOnce }),
  table({ name: 'rabbitmq: TestGetMaximum', goFile: go, cases: maxCases, run: composeOnce }),
  table({
    name: 'rabbitmq: TestGetComposedQueue',
    goFile: go,
    cases: composedCases,
    run: composeOnce,
  }),
];
