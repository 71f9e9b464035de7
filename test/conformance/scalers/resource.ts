/**
 * cpu / memory, from KEDA `pkg/scalers/cpu_memory_scaler_test.go`: TestCPUMemoryParseMetadata
 * (`testCPUMemoryMetadata`, with the trigger's metricType), TestGetMetricSpecForScaling and
 * TestGetContainerMetricSpecForScaling (the Resource or ContainerResource metric the HPA gets).
 */
import { cpu, type ResourceMeta } from '../../../src/scalers/resource/resource.js';
import { table, type Case } from '../harness.js';
import { parseWith, type ParseOutcome, type TriggerInput } from './run.js';

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestCPUMemoryParseMetadata testCPUMemoryMetadata[0]',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestCPUMemoryParseMetadata testCPUMemoryMetadata[1]',
    input: { metadata: { value: '50' }, metricType: 'Utilization' },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCPUMemoryParseMetadata testCPUMemoryMetadata[2]',
    input: { metadata: { value: '50' }, metricType: 'AverageValue' },
    keda: { result: 'ok' },
  },
  {
    go: 'TestCPUMemoryParseMetadata testCPUMemoryMetadata[3]',
    input: { metadata: { value: '50' }, metricType: 'Value' },
    keda: { result: 'error' },
  },
  {
    go: 'TestCPUMemoryParseMetadata testCPUMemoryMetadata[4]',
    input: { metadata: { value: '' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestCPUMemoryParseMetadata testCPUMemoryMetadata[5]',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/cpu_memory_scaler_test.go';

const specCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestGetMetricSpecForScaling (validCPUMemoryMetadata, Utilization)',
    input: { metadata: { value: '50' }, metricType: 'Utilization' },
    keda: { result: 'ok', source: 'Resource', resource: 'cpu', targetType: 'Utilization' },
  },
  {
    go: 'TestGetContainerMetricSpecForScaling (validContainerCPUMemoryMetadata, Utilization)',
    input: { metadata: { value: '50', containerName: 'foo' }, metricType: 'Utilization' },
    keda: {
      result: 'ok',
      source: 'ContainerResource',
      resource: 'cpu',
      targetType: 'Utilization',
      container: 'foo',
    },
  },
];
const specView = (m: ResourceMeta) => ({
  source: m.containerName ? 'ContainerResource' : 'Resource',
  resource: 'cpu',
  targetType: m.mode,
  ...(m.containerName ? { container: m.containerName } : {}),
});

export const resourceTables = [
  table({
    name: 'cpu/memory: TestCPUMemoryParseMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(cpu),
  }),
  table({
    name: 'cpu/memory: TestGet(Container)MetricSpecForScaling',
    goFile: go,
    cases: specCases,
    run: parseWith(cpu, specView),
  }),
];
