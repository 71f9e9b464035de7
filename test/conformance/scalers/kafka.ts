/**
 * kafka, from KEDA `pkg/scalers/kafka_scaler_test.go`: TestGetBrokers
 * (`parseKafkaMetadataTestDataset`, with and without SASL auth params),
 * TestKafkaAuthParamsInTriggerAuthentication, TestKafkaAuthParamsInScaledObject,
 * TestKafkaOAuthbearerAuthParams, TestKafkaClientsOAuthTokenProvider,
 * TestKafkaClientConfigFullMetadata, TestKafkaGetMetricSpecForScaling, TestGetTopicPartitions,
 * TestKafkaParsePartitionLimitation, TestFindFactors, TestGetNextFactor and
 * TestGetLagForPartition_MissingPartition.
 */
import {
  factors,
  INVALID_OFFSET,
  nextFactor,
  partitionLag,
} from '../../../src/scalers/kafka/lag.js';
import { parsePartitionList, type KafkaMeta } from '../../../src/scalers/kafka/metadata.js';
import { kafka, selectPartitions } from '../../../src/scalers/kafka/kafka.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case, type Differs } from '../harness.js';
import { metricSpecWith, parseWith, type ParseOutcome, type TriggerInput } from './run.js';

/**
 * SASL gssapi and the aws_msk_iam token provider: validated as KEDA validates them and accepted
 * with a warning, but tide's Kafka client cannot connect with them.
 */
const UNSUPPORTED_SASL: Differs<ParseOutcome> = {
  id: 'kafka-gssapi-msk',
  tide: { result: 'ok', warns: true },
};

type PartitionListOutcome = { ok: number[] } | { error: true };

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const brokerCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[0] with validWithAuthParams failure, no bootstrapServers',
    input: {
      metadata: {},
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[0] with validWithoutAuthParams failure, no bootstrapServers',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[1] with validWithAuthParams failure, no consumer group',
    input: {
      metadata: { bootstrapServers: 'foobar:9092' },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[1] with validWithoutAuthParams failure, no consumer group',
    input: { metadata: { bootstrapServers: 'foobar:9092' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[2] with validWithAuthParams success, no topic',
    input: {
      metadata: { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group' },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[2] with validWithoutAuthParams success, no topic',
    input: { metadata: { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group' } },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[3] with validWithAuthParams success, ignore partitionLimitation if no topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1,2,3,4,5,6',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[3] with validWithoutAuthParams success, ignore partitionLimitation if no topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1,2,3,4,5,6',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[4] with validWithAuthParams success, no limitation with whitespaced limitation value',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '           ',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[4] with validWithoutAuthParams success, no limitation with whitespaced limitation value',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '           ',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[5] with validWithAuthParams success, no limitation',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[5] with validWithoutAuthParams success, no limitation',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[6] with validWithAuthParams failure, version not supported',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.2.3.4',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[6] with validWithoutAuthParams failure, version not supported',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.2.3.4',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[7] with validWithAuthParams failure, lagThreshold is negative value',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '-1',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[7] with validWithoutAuthParams failure, lagThreshold is negative value',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '-1',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[8] with validWithAuthParams failure, lagThreshold is 0',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '0',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[8] with validWithoutAuthParams failure, lagThreshold is 0',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '0',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[9] with validWithAuthParams success, lagThreshold is 1000000',
    input: {
      metadata: {
        activationLagThreshold: '0',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '1000000',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[9] with validWithoutAuthParams success, lagThreshold is 1000000',
    input: {
      metadata: {
        activationLagThreshold: '0',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '1000000',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[10] with validWithAuthParams failure, activationLagThreshold is not int',
    input: {
      metadata: {
        activationLagThreshold: 'AA',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '10',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[10] with validWithoutAuthParams failure, activationLagThreshold is not int',
    input: {
      metadata: {
        activationLagThreshold: 'AA',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '10',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[11] with validWithAuthParams success, activationLagThreshold is 0',
    input: {
      metadata: {
        activationLagThreshold: '0',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '10',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[11] with validWithoutAuthParams success, activationLagThreshold is 0',
    input: {
      metadata: {
        activationLagThreshold: '0',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        lagThreshold: '10',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[12] with validWithAuthParams success',
    input: {
      metadata: { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topic' },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[12] with validWithoutAuthParams success',
    input: {
      metadata: { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topic' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[13] with validWithAuthParams success, partitionLimitation as list',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1,2,3,4',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: [1, 2, 3, 4],
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[13] with validWithoutAuthParams success, partitionLimitation as list',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1,2,3,4',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: [1, 2, 3, 4],
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[14] with validWithAuthParams success, partitionLimitation as range',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1-4',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: [1, 2, 3, 4],
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[14] with validWithoutAuthParams success, partitionLimitation as range',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1-4',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: [1, 2, 3, 4],
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[15] with validWithAuthParams success, partitionLimitation mixed list + ranges',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1-4,8,10-12',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: [1, 2, 3, 4, 8, 10, 11, 12],
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[15] with validWithoutAuthParams success, partitionLimitation mixed list + ranges',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1-4,8,10-12',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: [1, 2, 3, 4, 8, 10, 11, 12],
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[16] with validWithAuthParams failure, partitionLimitation wrong data type',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: 'a,b,c,d',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[16] with validWithoutAuthParams failure, partitionLimitation wrong data type',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: 'a,b,c,d',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[17] with validWithAuthParams success, more brokers',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foo:9092', 'bar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[17] with validWithoutAuthParams success, more brokers',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foo:9092', 'bar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[18] with validWithAuthParams success, offsetResetPolicy policy latest',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        offsetResetPolicy: 'latest',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foo:9092', 'bar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[18] with validWithoutAuthParams success, offsetResetPolicy policy latest',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        offsetResetPolicy: 'latest',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foo:9092', 'bar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[19] with validWithAuthParams failure, offsetResetPolicy policy wrong',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        offsetResetPolicy: 'foo',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[19] with validWithoutAuthParams failure, offsetResetPolicy policy wrong',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        offsetResetPolicy: 'foo',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[20] with validWithAuthParams success, offsetResetPolicy policy earliest',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        offsetResetPolicy: 'earliest',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foo:9092', 'bar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'earliest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[20] with validWithoutAuthParams success, offsetResetPolicy policy earliest',
    input: {
      metadata: {
        bootstrapServers: 'foo:9092,bar:9092',
        consumerGroup: 'my-group',
        offsetResetPolicy: 'earliest',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foo:9092', 'bar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'earliest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[21] with validWithAuthParams failure, allowIdleConsumers malformed',
    input: {
      metadata: {
        allowIdleConsumers: 'notvalid',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[21] with validWithoutAuthParams failure, allowIdleConsumers malformed',
    input: {
      metadata: {
        allowIdleConsumers: 'notvalid',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[22] with validWithAuthParams success, allowIdleConsumers is true',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: true,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[22] with validWithoutAuthParams success, allowIdleConsumers is true',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: true,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[23] with validWithAuthParams failure, excludePersistentLag is malformed',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        excludePersistentLag: 'notvalid',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[23] with validWithoutAuthParams failure, excludePersistentLag is malformed',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        excludePersistentLag: 'notvalid',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[24] with validWithAuthParams success, excludePersistentLag is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        excludePersistentLag: 'true',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: true,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[24] with validWithoutAuthParams success, excludePersistentLag is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        excludePersistentLag: 'true',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: true,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[25] with validWithAuthParams success, version supported',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: true,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[25] with validWithoutAuthParams success, version supported',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: true,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[26] with validWithAuthParams success, limitToPartitionsWithLag is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'true',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: true,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[26] with validWithoutAuthParams success, limitToPartitionsWithLag is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'true',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: true,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[27] with validWithAuthParams failure, limitToPartitionsWithLag is malformed',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'notvalid',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[27] with validWithoutAuthParams failure, limitToPartitionsWithLag is malformed',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'notvalid',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[28] with validWithAuthParams failure, allowIdleConsumers and limitToPartitionsWithLag cannot be set to true simultaneously',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'true',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[28] with validWithoutAuthParams failure, allowIdleConsumers and limitToPartitionsWithLag cannot be set to true simultaneously',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'true',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[29] with validWithAuthParams success, allowIdleConsumers can be set when limitToPartitionsWithLag is false',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'false',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: true,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[29] with validWithoutAuthParams success, allowIdleConsumers can be set when limitToPartitionsWithLag is false',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'false',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: true,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[30] with validWithAuthParams failure, topic must be specified when limitToPartitionsWithLag is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'true',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[30] with validWithoutAuthParams failure, topic must be specified when limitToPartitionsWithLag is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        limitToPartitionsWithLag: 'true',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[31] with validWithAuthParams success, ensureEvenDistributionOfPartitions is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        ensureEvenDistributionOfPartitions: 'true',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: true,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[31] with validWithoutAuthParams success, ensureEvenDistributionOfPartitions is true',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        ensureEvenDistributionOfPartitions: 'true',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: true,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[32] with validWithAuthParams failure, limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set to true simultaneously',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        ensureEvenDistributionOfPartitions: 'true',
        limitToPartitionsWithLag: 'true',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[32] with validWithoutAuthParams failure, limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set to true simultaneously',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        ensureEvenDistributionOfPartitions: 'true',
        limitToPartitionsWithLag: 'true',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[33] with validWithAuthParams success, fullMetadata true with topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'true',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[33] with validWithoutAuthParams success, fullMetadata true with topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'true',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[34] with validWithAuthParams success, fullMetadata true without topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'true',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[34] with validWithoutAuthParams success, fullMetadata true without topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'true',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: '',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: true,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[35] with validWithAuthParams success, fullMetadata false with topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'false',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: false,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[35] with validWithoutAuthParams success, fullMetadata false with topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'false',
        topic: 'my-topic',
      },
    },
    keda: {
      result: 'ok',
      brokers: ['foobar:9092'],
      group: 'my-group',
      topic: 'my-topic',
      partitionLimitation: null,
      offsetResetPolicy: 'latest',
      allowIdleConsumers: false,
      excludePersistentLag: false,
      limitToPartitionsWithLag: false,
      ensureEvenDistributionOfPartitions: false,
      fullMetadata: false,
    },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[36] with validWithAuthParams failure, fullMetadata false without topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'false',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[36] with validWithoutAuthParams failure, fullMetadata false without topic',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'false',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[37] with validWithAuthParams failure, fullMetadata malformed',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'notabool',
        topic: 'my-topic',
      },
      authParams: { sasl: 'plaintext', username: 'admin', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestGetBrokers parseKafkaMetadataTestDataset[37] with validWithoutAuthParams failure, fullMetadata malformed',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        fullMetadata: 'notabool',
        topic: 'my-topic',
      },
    },
    keda: { result: 'error' },
  },
];
const triggerAuthCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[0] success, SASL only',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { password: 'admin', sasl: 'plaintext', username: 'admin' },
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[1] success, SASL only',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { password: 'admin', sasl: 'scram_sha256', username: 'admin' },
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[2] success, SASL only',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { password: 'admin', sasl: 'scram_sha512', username: 'admin' },
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[3] success, TLS only',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', tls: 'enable' },
    },
    keda: {
      result: 'ok',
      enableTLS: true,
      ca: 'caaa',
      cert: 'ceert',
      key: 'keey',
      keyPassword: '',
    },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[4] success, TLS cert/key and assumed public CA',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { cert: 'ceert', key: 'keey', tls: 'enable' },
    },
    keda: { result: 'ok', enableTLS: true, ca: '', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[5] success, TLS cert/key + key password and assumed public CA',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword', tls: 'enable' },
    },
    keda: {
      result: 'ok',
      enableTLS: true,
      ca: '',
      cert: 'ceert',
      key: 'keey',
      keyPassword: 'keeyPassword',
    },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[6] success, TLS CA only',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { ca: 'caaa', tls: 'enable' },
    },
    keda: { result: 'ok', enableTLS: true, ca: 'caaa', cert: '', key: '', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[7] success, SASL + TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        password: 'admin',
        sasl: 'plaintext',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: {
      result: 'ok',
      enableTLS: true,
      ca: 'caaa',
      cert: 'ceert',
      key: 'keey',
      keyPassword: '',
    },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[8] success, SASL + TLS explicitly disabled',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { password: 'admin', sasl: 'plaintext', tls: 'disable', username: 'admin' },
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[9] success, SASL OAUTHBEARER + TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[10] success, SASL GSSAPI/password',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        password: 'admin',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[11] success, SASL GSSAPI/keytab',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        keytab: '/path/to/keytab',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[12] success, SASL GSSAPI/password + TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        kerberosConfig: '<config>',
        key: 'keey',
        password: 'admin',
        realm: 'tst.com',
        sasl: 'gssapi',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: {
      result: 'ok',
      enableTLS: true,
      ca: 'caaa',
      cert: 'ceert',
      key: 'keey',
      keyPassword: '',
    },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[13] success, SASL GSSAPI/keytab + TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        kerberosConfig: '<config>',
        key: 'keey',
        keytab: '/path/to/keytab',
        realm: 'tst.com',
        sasl: 'gssapi',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: {
      result: 'ok',
      enableTLS: true,
      ca: 'caaa',
      cert: 'ceert',
      key: 'keey',
      keyPassword: '',
    },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[14] success, SASL GSSAPI, KerberosServiceName supported',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        kerberosServiceName: 'srckafka',
        keytab: '/path/to/keytab',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[15] failure, SASL OAUTHBEARER + TLS bad sasl type',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'foo',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[16] success, SASL OAUTHBEARER + TLS missing scope',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[17] failure, SASL OAUTHBEARER + TLS missing oauthTokenEndpointUri',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: '',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[18] failure, SASL incorrect type',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { password: 'admin', sasl: 'foo', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[19] failure, SASL missing username',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { password: 'admin', sasl: 'plaintext' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[20] failure, SASL missing password',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { sasl: 'plaintext', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[21] failure, TLS missing cert',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { ca: 'caaa', key: 'keey', tls: 'enable' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[22] failure, TLS missing key',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { ca: 'caaa', cert: 'ceert', tls: 'enable' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[23] failure, TLS invalid',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', tls: 'yes' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[24] failure, SASL + TLS, incorrect sasl',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        password: 'admin',
        sasl: 'foo',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[25] failure, SASL + TLS, incorrect tls',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        password: 'admin',
        sasl: 'plaintext',
        tls: 'foo',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[26] failure, SASL + TLS, missing username',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        password: 'admin',
        sasl: 'plaintext',
        tls: 'enable',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[27] failure, SASL + TLS, missing password',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        sasl: 'plaintext',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[28] failure, SASL + TLS, missing cert',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        key: 'keey',
        password: 'admin',
        sasl: 'plaintext',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[29] failure, SASL + TLS, missing key',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        password: 'admin',
        sasl: 'plaintext',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[30] failure, SASL GSSAPI missing password and keytab',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[31] failure, SASL GSSAPI provided both password and keytab',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        keytab: '/path/to/keytab',
        password: 'admin',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[32] failure, SASL GSSAPI/password + TLS missing realm',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        kerberosConfig: '<config>',
        key: 'keey',
        password: 'admin',
        sasl: 'gssapi',
        tls: 'enable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[33] failure, SASL GSSAPI/keytab + TLS missing username',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        kerberosConfig: '<config>',
        key: 'keey',
        keytab: '/path/to/keytab',
        realm: 'tst.com',
        sasl: 'gssapi',
        tls: 'enable',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[34] success, SASL GSSAPI/disableFast',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        kerberosDisableFAST: 'true',
        keytab: '/path/to/keytab',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[35] failure, SASL GSSAPI/disableFast incorrect',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        kerberosConfig: '<config>',
        kerberosDisableFAST: 'notabool',
        keytab: '/path/to/keytab',
        realm: 'tst.com',
        sasl: 'gssapi',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInTriggerAuthentication parseKafkaAuthParamsTestDataset[36] success, SASL none',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { sasl: 'none' },
    },
    keda: { result: 'ok', enableTLS: false },
  },
];
const scaledObjectAuthCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[0] success, SASL plaintext',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[1] success, SASL scram_sha256',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'scram_sha256',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[2] success, SASL scram_sha512',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'scram_sha512',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[3] success, TLS only',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok', ca: 'caaa', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[4] success, TLS cert/key and assumed public CA',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok', ca: '', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[5] success, TLS cert/key + key password and assumed public CA',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword' },
    },
    keda: { result: 'ok', ca: '', cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[6] success, TLS CA only',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa' },
    },
    keda: { result: 'ok', ca: 'caaa', cert: '', key: '', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[7] success, TLS CA only and unsafeSSL',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        unsafeSsl: 'true',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa' },
    },
    keda: { result: 'ok', ca: 'caaa', cert: '', key: '', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[8] success, SASL + TLS',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', password: 'admin', username: 'admin' },
    },
    keda: { result: 'ok', ca: 'caaa', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[9] success, SASL + TLS explicitly disabled',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[10] success, SASL OAUTHBEARER + TLS explicitly disabled',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'oauthbearer',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        scopes: 'scope',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[11] success, SASL GSSAPI/password',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        kerberosConfig: '<config>',
        password: 'admin',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[12] success, SASL GSSAPI/password + TLS explicitly disabled',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        kerberosConfig: '<config>',
        password: 'admin',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[13] success, SASL GSSAPI/password + TLS',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        kerberosConfig: '<config>',
        key: 'keey',
        password: 'admin',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[14] success, SASL GSSAPI/keytab',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        kerberosConfig: '<config>',
        keytab: '/path/to/keytab',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[15] success, SASL GSSAPI/keytab + TLS explicitly disabled',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        kerberosConfig: '<config>',
        keytab: '/path/to/keytab',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[16] success, SASL GSSAPI/keytab + TLS',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        kerberosConfig: '<config>',
        key: 'keey',
        keytab: '/path/to/keytab',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[17] failure, SASL OAUTHBEARER + TLS explicitly disable + bad SASL type',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'foo',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        scopes: 'scope',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[18] success, SASL OAUTHBEARER + TLS missing scope',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'oauthbearer',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        username: 'admin',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[19] failure, SASL OAUTHBEARER + TLS missing oauthTokenEndpointUri',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'oauthbearer',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        oauthTokenEndpointUri: '',
        password: 'admin',
        scopes: 'scope',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[20] failure, SASL incorrect type',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'foo',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[21] failure, SASL missing username',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[22] failure, SASL missing password',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[23] failure, TLS missing cert',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', key: 'keey' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[24] failure, TLS missing key',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[25] failure, TLS invalid',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'random',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[26] failure, SASL + TLS, incorrect SASL type',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'foo',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', password: 'admin', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[27] failure, SASL + TLS, incorrect tls',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'foo',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', password: 'admin', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[28] failure, SASL + TLS, missing username',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', password: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[29] failure, SASL + TLS, missing password',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[30] failure, SASL + TLS, missing cert',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', key: 'keey', password: 'admin', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[31] failure, SASL + TLS, missing key',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'plaintext',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', password: 'admin', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[32] failure, SASL GSSAPI missing keytab and password',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { realm: 'test.com', username: 'admin' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[33] failure, SASL GSSAPI values in both keytab and password',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'disable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        keytab: '/path/to/keytab',
        password: 'admin',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[34] failure, SASL GSSAPI + TLS missing realm',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        keytab: '/path/to/keytab',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[35] failure, SASL GSSAPI + TLS missing username',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        keytab: '/path/to/keytab',
        realm: 'test.com',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[36] failure, SASL GSSAPI + TLS missing kerberosConfig',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'gssapi',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: {
        ca: 'caaa',
        cert: 'ceert',
        key: 'keey',
        keytab: '/path/to/keytab',
        realm: 'test.com',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[37] success, setting SASL values in both places (triggerMetadata takes precedence)',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'scram_sha512',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'scram_sha512', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[38] success, setting TLS values in both places (triggerMetadata takes precedence)',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        tls: 'enable',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', tls: 'enable' },
    },
    keda: { result: 'ok', ca: 'caaa', cert: 'ceert', key: 'keey', keyPassword: '' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[39] success, setting SASL plaintext value with extra \\n in TriggerAuthentication',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'plaintext\n', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[40] success, setting SASL plaintext value with extra space in TriggerAuthentication',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'plaintext ', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[41] success, setting SASL scram_sha256 value with extra \\n in TriggerAuthentication',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'scram_sha256\n', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[42] success, setting SASL scram_sha256 value with extra space in TriggerAuthentication',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'scram_sha256 ', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[43] success, setting SASL scram_sha512 value with extra \\n in TriggerAuthentication',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'scram_sha512\n', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[44] success, setting SASL scram_sha512 value with extra space in TriggerAuthentication',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        version: '1.0.0',
      },
      authParams: { password: 'admin', sasl: 'scram_sha512 ', username: 'admin' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestKafkaAuthParamsInScaledObject parseAuthParamsTestDataset[45] success, SASL none',
    input: {
      metadata: {
        allowIdleConsumers: 'true',
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        sasl: 'none',
        topic: 'my-topic',
        version: '1.0.0',
      },
    },
    keda: { result: 'ok' },
  },
];
const oauthCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[0] success, SASL OAUTHBEARER + TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false, tokenProvider: 'OAuthBearer' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[1] success, SASL OAUTHBEARER + tokenProvider + TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        saslTokenProvider: 'bearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false, tokenProvider: 'OAuthBearer' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[2] success, SASL OAUTHBEARER + TLS multiple scopes',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope1, scope2',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false, tokenProvider: 'OAuthBearer' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[3] success, SASL OAUTHBEARER + TLS missing scope',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false, tokenProvider: 'OAuthBearer' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[4] failure, SASL OAUTHBEARER + TLS bad sasl type',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'foo',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[5] failure, SASL OAUTHBEARER + TLS missing oauthTokenEndpointUri',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthTokenEndpointUri: '',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[6] success, SASL OAUTHBEARER + extension',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthExtensions: 'extension_foo=bar',
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false, tokenProvider: 'OAuthBearer', oauthExtensions: 1 },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[7] success, SASL OAUTHBEARER + multiple extensions',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthExtensions: 'extension_foo=bar,extension_baz=baz',
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'ok', enableTLS: false, tokenProvider: 'OAuthBearer', oauthExtensions: 2 },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[8] failure, SASL OAUTHBEARER + bad extension',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        oauthExtensions: 'extension_foo=bar,extension_bazbaz',
        oauthTokenEndpointUri: 'https://website.com',
        password: 'admin',
        sasl: 'oauthbearer',
        scopes: 'scope',
        tls: 'disable',
        username: 'admin',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[9] success, SASL OAUTHBEARER MSK + TLS + Credentials',
    input: {
      metadata: {
        awsRegion: 'eu-west-1',
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        awsAccessKeyID: 'none',
        awsSecretAccessKey: 'none',
        sasl: 'oauthbearer',
        saslTokenProvider: 'aws_msk_iam',
        tls: 'enable',
      },
    },
    keda: { result: 'ok', enableTLS: true, ca: '', cert: '', key: '', keyPassword: '' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[10] success, SASL OAUTHBEARER MSK + TLS + Role',
    input: {
      metadata: {
        awsRegion: 'eu-west-1',
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        awsRegion: 'eu-west-1',
        awsRoleArn: 'none',
        sasl: 'oauthbearer',
        saslTokenProvider: 'aws_msk_iam',
        tls: 'enable',
      },
    },
    keda: { result: 'ok', enableTLS: true, ca: '', cert: '', key: '', keyPassword: '' },
    differs: UNSUPPORTED_SASL,
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[11] failure, SASL OAUTHBEARER MSK + no TLS',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: { sasl: 'oauthbearer', saslTokenProvider: 'aws_msk_iam', tls: 'disable' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[12] failure, SASL OAUTHBEARER MSK + TLS + no region',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        awsRegion: '',
        sasl: 'oauthbearer',
        saslTokenProvider: 'aws_msk_iam',
        tls: 'enable',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestKafkaOAuthbearerAuthParams parseKafkaOAuthbearerAuthParamsTestDataset[13] failure, SASL OAUTHBEARER MSK + TLS + no credentials',
    input: {
      metadata: {
        bootstrapServers: 'broker1:9092,broker2:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        allowIdleConsumers: 'false',
      },
      authParams: {
        awsRegion: 'eu-west-1',
        sasl: 'oauthbearer',
        saslTokenProvider: 'aws_msk_iam',
        tls: 'enable',
      },
    },
    keda: { result: 'error' },
  },
];
const partitionLimitationCases: Case<string, PartitionListOutcome>[] = [
  { go: 'TestKafkaParsePartitionLimitation "single value"', input: '1', keda: { ok: [1] } },
  {
    go: 'TestKafkaParsePartitionLimitation "comma-separated list"',
    input: '1,2,3,4',
    keda: { ok: [1, 2, 3, 4] },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "list with whitespace around values"',
    input: ' 1 , 2 , 3 ',
    keda: { ok: [1, 2, 3] },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "simple range"',
    input: '1-4',
    keda: { ok: [1, 2, 3, 4] },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "single-element range (start == end)"',
    input: '3-3',
    keda: { ok: [3] },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "range with whitespace"',
    input: ' 1 - 4 ',
    keda: { ok: [1, 2, 3, 4] },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "mixed list and ranges"',
    input: '1-4,8,10-12',
    keda: { ok: [1, 2, 3, 4, 8, 10, 11, 12] },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "non-numeric value"',
    input: 'a,b,c',
    keda: { error: true },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "invalid range: too many parts"',
    input: '1-2-3',
    keda: { error: true },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "invalid range: non-numeric start"',
    input: 'a-3',
    keda: { error: true },
  },
  {
    go: 'TestKafkaParsePartitionLimitation "invalid range: non-numeric end"',
    input: '1-b',
    keda: { error: true },
  },
];
const topicPartitionCases: Case<
  { metadata: Record<string, string>; partitionIds: number[] },
  Record<string, number[]>
>[] = [
  {
    go: 'TestGetTopicPartitions "success_all_partitions_explicit"',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1,2',
        topic: 'my-topic',
      },
      partitionIds: [1, 2],
    },
    keda: { 'my-topic': [1, 2] },
  },
  {
    go: 'TestGetTopicPartitions "success_partial_partitions_explicit"',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '1,2,3',
        topic: 'my-topic',
      },
      partitionIds: [1, 2, 3, 4, 5, 6],
    },
    keda: { 'my-topic': [1, 2, 3] },
  },
  {
    go: 'TestGetTopicPartitions "success_all_partitions_implicit"',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        partitionLimitation: '',
        topic: 'my-topic',
      },
      partitionIds: [1, 2, 3, 4, 5, 6],
    },
    keda: { 'my-topic': [1, 2, 3, 4, 5, 6] },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/kafka_scaler_test.go';

const view = (m: KafkaMeta) => ({
  brokers: m.brokers,
  group: m.group,
  topic: m.topic ?? '',
  partitionLimitation: m.partitionLimitation ?? null,
  offsetResetPolicy: m.offsetResetPolicy,
  allowIdleConsumers: m.allowIdleConsumers,
  excludePersistentLag: m.excludePersistentLag,
  limitToPartitionsWithLag: m.limitToPartitionsWithLag,
  ensureEvenDistributionOfPartitions: m.ensureEvenDistributionOfPartitions,
  fullMetadata: m.fullMetadata,
  enableTLS: m.tls !== undefined,
  ...(m.tls
    ? {
        ca: m.tls.ca ?? '',
        cert: m.tls.cert ?? '',
        key: m.tls.key?.reveal() ?? '',
        keyPassword: m.tls.keyPassword?.reveal() ?? '',
      }
    : {}),
  tokenProvider: m.oauth ? 'OAuthBearer' : '',
  oauthExtensions: Object.keys(m.oauth?.extensions ?? {}).length,
});

/** TestKafkaClientsOAuthTokenProvider: the token provider the client is configured with. */
const tokenProviderCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestKafkaClientsOAuthTokenProvider "oauthbearer_bearer"',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        partitionLimitation: '1,2',
      },
      authParams: {
        sasl: 'oauthbearer',
        username: 'admin',
        password: 'admin',
        oauthTokenEndpointUri: 'https://website.com',
      },
    },
    keda: { result: 'ok', tokenProvider: 'OAuthBearer' },
  },
  {
    go: 'TestKafkaClientsOAuthTokenProvider "oauthbearer_aws_msk_iam"',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        partitionLimitation: '1,2',
        tls: 'enable',
        awsRegion: 'eu-west-1',
      },
      authParams: {
        sasl: 'oauthbearer',
        saslTokenProvider: 'aws_msk_iam',
        awsRegion: 'eu-west-1',
        awsAccessKeyID: 'none',
        awsSecretAccessKey: 'none',
      },
    },
    keda: { result: 'ok', tokenProvider: 'MSK' },
    differs: UNSUPPORTED_SASL,
  },
];

const fullMetadataCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestKafkaClientConfigFullMetadata "default is full metadata"',
    input: {
      metadata: { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topic' },
    },
    keda: { result: 'ok', fullMetadata: true },
  },
  {
    go: 'TestKafkaClientConfigFullMetadata "fullMetadata false is topic-scoped"',
    input: {
      metadata: {
        bootstrapServers: 'foobar:9092',
        consumerGroup: 'my-group',
        topic: 'my-topic',
        fullMetadata: 'false',
      },
    },
    keda: { result: 'ok', fullMetadata: false },
  },
];

/** `kafkaMetricIdentifiers`, parsed with `validWithAuthParams`. */
const WITH_AUTH = { sasl: 'plaintext', username: 'admin', password: 'admin' };
const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  [11, 0, 's0-kafka-my-topic'],
  [11, 1, 's1-kafka-my-topic'],
  [2, 1, 's1-kafka-my-group-topics'],
].map(([i, index, name]) => ({
  go: `TestKafkaGetMetricSpecForScaling kafkaMetricIdentifiers (parseKafkaMetadataTestDataset[${i}], index ${index})`,
  input: {
    metadata: brokerCases[Number(i) * 2]!.input.metadata,
    authParams: WITH_AUTH,
    triggerIndex: Number(index),
  },
  keda: { name: String(name) },
}));

const factorCases: Case<number, number[]>[] = [
  [10, [1, 2, 5, 10]],
  [13, [1, 13]],
  [17, [1, 17]],
  [25, [1, 5, 25]],
  [50, [1, 2, 5, 10, 25, 50]],
  [100, [1, 2, 4, 5, 10, 20, 25, 50, 100]],
].map(([n, want]) => ({
  go: `TestFindFactors FindFactors(${String(n)})`,
  input: Number(n),
  keda: want as number[],
}));

const nextFactorCases: Case<[number, number, number], number>[] = [
  [10, 1],
  [20, 2],
  [40, 4],
  [50, 5],
  [99, 10],
  [100, 10],
  [101, 20],
].map(([lag, want]) => ({
  go: `TestGetNextFactor getNextFactorThatBalancesConsumersToTopicPartitions(${lag}, 100, 10)`,
  input: [Number(lag), 100, 10],
  keda: Number(want),
}));

/** TestGetLagForPartition_MissingPartition: consumer offset of partition 0, latest offsets. */
interface LagInput {
  consumerOffset: number;
  latest: Record<number, number>;
  offsetResetPolicy: 'latest' | 'earliest';
  scaleToZeroOnInvalidOffset: boolean;
}
const lagCases: Case<LagInput, [number, number]>[] = [
  [
    'Scenario 1: scaleToZeroOnInvalidOffset true, invalid consumer offset, missing partition',
    INVALID_OFFSET,
    {},
    'earliest',
    true,
    [0, 0],
  ],
  [
    'Scenario 2: scaleToZeroOnInvalidOffset false, invalid consumer offset, missing partition',
    INVALID_OFFSET,
    {},
    'earliest',
    false,
    [0, 0],
  ],
  [
    'Scenario 3: Valid consumer offset, missing partition in topicPartitionOffsets',
    100,
    {},
    'earliest',
    false,
    [0, 0],
  ],
  ['Control: Valid offsets, no missing partition', 100, { 0: 150 }, 'earliest', false, [50, 50]],
  [
    'Control: Invalid consumer offset with latest policy and scaleToZeroOnInvalidOffset true',
    INVALID_OFFSET,
    { 0: 150 },
    'latest',
    true,
    [0, 0],
  ],
].map(([name, consumerOffset, latest, offsetResetPolicy, scaleToZeroOnInvalidOffset, want]) => ({
  go: `TestGetLagForPartition_MissingPartition "${name as string}"`,
  input: {
    consumerOffset: Number(consumerOffset),
    latest: latest as Record<number, number>,
    offsetResetPolicy: offsetResetPolicy as LagInput['offsetResetPolicy'],
    scaleToZeroOnInvalidOffset: Boolean(scaleToZeroOnInvalidOffset),
  },
  keda: want as [number, number],
}));
function lagOf(i: LagInput): [number, number] {
  const latest = new Map(Object.entries(i.latest).map(([k, v]) => [Number(k), v]));
  return partitionLag(
    'test-topic',
    0,
    {
      consumer: new Map([['test-topic', new Map([[0, i.consumerOffset]])]]),
      latest: new Map([['test-topic', latest]]),
    },
    new Map(),
    {
      offsetResetPolicy: i.offsetResetPolicy,
      excludePersistentLag: false,
      scaleToZeroOnInvalidOffset: i.scaleToZeroOnInvalidOffset,
    },
  );
}

const topicPartitions = (i: { metadata: Record<string, string>; partitionIds: number[] }) => {
  const r = kafka.parse({ metadata: i.metadata, authParams: {}, resolvedEnv: {}, triggerIndex: 0 });
  if (!r.ok) throw new Error('parse failed');
  return { [r.meta.topic ?? '']: selectPartitions(i.partitionIds, r.meta.partitionLimitation) };
};

export const kafkaTables = [
  table({
    name: 'kafka: TestGetBrokers',
    goFile: go,
    cases: brokerCases,
    run: parseWith(kafka, view),
  }),
  table({
    name: 'kafka: TestKafkaAuthParamsInTriggerAuthentication',
    goFile: go,
    cases: triggerAuthCases,
    run: parseWith(kafka, view),
  }),
  table({
    name: 'kafka: TestKafkaAuthParamsInScaledObject',
    goFile: go,
    cases: scaledObjectAuthCases,
    run: parseWith(kafka, view),
  }),
  table({
    name: 'kafka: TestKafkaOAuthbearerAuthParams',
    goFile: go,
    cases: oauthCases,
    run: parseWith(kafka, view),
  }),
  table({
    name: 'kafka: TestKafkaClientsOAuthTokenProvider',
    goFile: go,
    cases: tokenProviderCases,
    run: parseWith(kafka, view),
  }),
  table({
    name: 'kafka: TestKafkaClientConfigFullMetadata',
    goFile: go,
    cases: fullMetadataCases,
    run: parseWith(kafka, view),
  }),
  table({
    name: 'kafka: TestKafkaGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(kafka),
  }),
  table({
    name: 'kafka: TestGetTopicPartitions',
    goFile: go,
    cases: topicPartitionCases,
    run: topicPartitions,
  }),
  table({
    name: 'kafka: TestKafkaParsePartitionLimitation',
    goFile: go,
    cases: partitionLimitationCases,
    run: (s): PartitionListOutcome => {
      const r = parsePartitionList(s);
      return 'ok' in r ? r : { error: true };
    },
  }),
  table({ name: 'kafka: TestFindFactors', goFile: go, cases: factorCases, run: factors }),
  table({
    name: 'kafka: TestGetNextFactor',
    goFile: go,
    cases: nextFactorCases,
    run: ([l, p, t]) => nextFactor(l, p, t),
  }),
  table({
    name: 'kafka: TestGetLagForPartition_MissingPartition',
    goFile: go,
    cases: lagCases,
    run: lagOf,
  }),
];
