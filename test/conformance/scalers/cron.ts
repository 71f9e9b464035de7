/**
 * cron, from KEDA `pkg/scalers/cron_scaler_test.go`: TestCronParseMetadata, TestIsActive,
 * TestIsActiveRange, TestGetMetrics, TestGetMetricsRange and TestCronGetMetricSpecForScaling.
 * KEDA's activity tests read the wall clock and assert one branch or the other; here each runs
 * at an instant of both branches (2026-01-01 is a Thursday).
 */
import { cron } from '../../../src/scalers/cron.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case } from '../harness.js';
import {
  activityWith,
  metricSpecWith,
  parseWith,
  type ParseOutcome,
  type TriggerInput,
} from './run.js';

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestCronParseMetadata testCronMetadata[0]',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[1]',
    input: {
      metadata: {
        timezone: 'Etc/UTC',
        start: '0 0 * * Thu',
        end: '59 23 * * Thu',
        desiredReplicas: '10',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[2]',
    input: {
      metadata: {
        timezone: 'Etc/UTC',
        start: '0 */2 * * *',
        end: '0 1-23/2 * * *',
        desiredReplicas: '10',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[3]',
    input: {
      metadata: {
        timezone: 'Etc/UTC',
        start: '0,30 * * * *',
        end: '15,45 * * * *',
        desiredReplicas: '10',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[4]',
    input: { metadata: { end: '45 * * * *', start: '30 * * * *', timezone: 'Asia/Kolkata' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[5]',
    input: { metadata: { desiredReplicas: '10', end: '45 * * * *', start: '30 * * * *' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[6]',
    input: {
      metadata: {
        desiredReplicas: '10',
        end: '45 * * * *',
        start: '30-33 * * * *',
        timezone: 'Asia/Kolkata',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[7]',
    input: {
      metadata: {
        desiredReplicas: '10',
        end: '45-50 * * * *',
        start: '30 * * * *',
        timezone: 'Asia/Kolkata',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[8]',
    input: {
      metadata: {
        desiredReplicas: '10',
        end: '45 * * * *',
        start: '-30 * * * *',
        timezone: 'Asia/Kolkata',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[9]',
    input: {
      metadata: {
        desiredReplicas: '10',
        end: '-50 * * * *',
        start: '30 * * * *',
        timezone: 'Asia/Kolkata',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[10]',
    input: {
      metadata: {
        desiredReplicas: '10',
        end: '50 * * -3 *',
        start: '30 * * * *',
        timezone: 'Asia/Kolkata',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestCronParseMetadata testCronMetadata[11]',
    input: {
      metadata: {
        desiredReplicas: '10',
        end: '30 * * * *',
        start: '30 * * * *',
        timezone: 'Asia/Kolkata',
      },
    },
    keda: { result: 'error' },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/cron_scaler_test.go';
const VALID = parseCases[1]!.input.metadata;
const VALID2 = parseCases[2]!.input.metadata;

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  [1, 0, 's0-cron-Etc-UTC-00xxThu-5923xxThu'],
  [2, 1, 's1-cron-Etc-UTC-0xSl2xxx-01-23Sl2xxx'],
  [3, 2, 's2-cron-Etc-UTC-0Cm30xxxx-15Cm45xxxx'],
].map(([i, index, name]) => ({
  go: `TestCronGetMetricSpecForScaling cronMetricIdentifiers (testCronMetadata[${i}], index ${index})`,
  input: { metadata: parseCases[Number(i)]!.input.metadata, triggerIndex: Number(index) },
  keda: { name: String(name) },
}));

interface WhenInput {
  metadata: Record<string, string>;
  at: string;
}
const activityCases: Case<WhenInput, { value: number; isActive: boolean }>[] = [
  {
    go: 'TestIsActive / TestGetMetrics (on a Thursday)',
    input: { metadata: VALID, at: '2026-01-01T12:00:00Z' },
    keda: { isActive: true, value: 10 },
  },
  {
    go: 'TestIsActive / TestGetMetrics (not on a Thursday)',
    input: { metadata: VALID, at: '2026-01-02T12:00:00Z' },
    keda: { isActive: false, value: 0 },
  },
  {
    go: 'TestIsActiveRange / TestGetMetricsRange (an even hour)',
    input: { metadata: VALID2, at: '2026-01-02T10:30:00Z' },
    keda: { isActive: true, value: 10 },
  },
  {
    go: 'TestIsActiveRange / TestGetMetricsRange (an odd hour)',
    input: { metadata: VALID2, at: '2026-01-02T11:30:00Z' },
    keda: { isActive: false, value: 0 },
  },
];

export const cronTables = [
  table({
    name: 'cron: TestCronParseMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(cron),
  }),
  table({
    name: 'cron: TestCronGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(cron),
  }),
  table({
    name: 'cron: TestIsActive, TestIsActiveRange, TestGetMetrics, TestGetMetricsRange',
    goFile: go,
    cases: activityCases,
    run: (i) => activityWith(cron)({ metadata: i.metadata }, {}, Date.parse(i.at)),
  }),
];
