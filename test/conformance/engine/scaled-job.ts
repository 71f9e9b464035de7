/**
 * ScaledJobs, from KEDA's `apis/keda/v1alpha1/scaledjob_types_test.go` (min/max),
 * `pkg/scaling/executor/scale_jobs_test.go` (strategies, getScalingDecision, history cleanup,
 * pending Jobs, the Job created), `pkg/scaling/scaledjob/metrics_test.go` (target average) and
 * `pkg/scaling/scale_handler_test.go` (getScaledJobState), run through tide's engine
 * (`decideScaledJob` and the functions it is made of) and the Kubernetes target's Job objects.
 */
import {
  decideScaledJob,
  effectiveMaxScale,
  scalingDecision,
  scalingStrategy,
  selectJobsToDelete,
  targetAverageValue,
  type StrategyName,
} from '../../../src/engine/scaled-job.js';
import type { MetricSpec, TriggerReading } from '../../../src/engine/types.js';
import { jobMaxReplicaCount, jobMinReplicaCount } from '../../../src/manifests/defaults.js';
import type { ScaledJob, ScaledJobSpec } from '../../../src/manifests/types.js';
import {
  jobBody,
  jobRecord,
  type KubeJob,
  type KubePod,
} from '../../../src/targets/kubernetes/job-objects.js';
import { table, type Case } from '../harness.js';

const executorGo = 'pkg/scaling/executor/scale_jobs_test.go';

function scaledJob(spec: Partial<ScaledJobSpec>, triggers = 1): ScaledJob {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'test', namespace: 'test', labels: {}, annotations: {} },
    source: { file: 'conformance.yaml' },
    spec: {
      jobTargetRef: { template: { spec: { containers: [] } } },
      triggers: Array.from({ length: triggers }, () => ({ type: 'cron', metadata: {} })),
      ...spec,
    },
  };
}

// --- MinReplicaCount() / MaxReplicaCount() ---------------------------------------------------

interface Bounds {
  min?: number;
  max?: number;
}
const boundsCases: Case<Bounds, { max: number; min: number }>[] = [
  ['MaxReplicaCount is set to 10 and MinReplicaCount is set to 0', { max: 10, min: 0 }, 10, 0],
  ['MaxReplicaCount is set to 10 and MinReplicaCount is nil', { max: 10 }, 10, 0],
  ['MaxReplicaCount is set to 10 and MinReplicaCount is set to 1', { max: 10, min: 1 }, 9, 1],
  ['MaxReplicaCount is nil and MinReplicaCount is set to 1', { min: 1 }, 100, 1],
  ['MaxReplicaCount is nil and MinReplicaCount nil', {}, 100, 0],
  ['MaxReplicaCount is set to 1 and MinReplicaCount is set to 10', { max: 1, min: 10 }, 1, 1],
].map(([name, input, max, min]) => ({
  go: `TestScaledJob "${name as string}"`,
  input: input as Bounds,
  keda: { max: max as number, min: min as number },
}));

function runBounds(b: Bounds): { max: number; min: number } {
  const sj = {
    spec: {
      ...(b.min !== undefined ? { minReplicaCount: b.min } : {}),
      ...(b.max !== undefined ? { maxReplicaCount: b.max } : {}),
    },
  };
  return { max: jobMaxReplicaCount(sj), min: jobMinReplicaCount(sj) };
}

// --- NewScalingStrategy + GetEffectiveMaxScale -------------------------------------------------

interface StrategyInput {
  strategy?: StrategyName;
  deduction?: number;
  percentage?: string;
  /** GetEffectiveMaxScale(maxScale, running, pending, maxReplicaCount, scaleTo). */
  args?: [number, number, number, number, number];
}
interface StrategyOutcome {
  strategy?: StrategyName;
  effective?: number;
  scaleTo?: number;
}

function runStrategy(i: StrategyInput): StrategyOutcome {
  const s = scalingStrategy({
    ...(i.strategy !== undefined ? { strategy: i.strategy } : {}),
    ...(i.deduction !== undefined ? { customScalingQueueLengthDeduction: i.deduction } : {}),
    ...(i.percentage !== undefined ? { customScalingRunningJobPercentage: i.percentage } : {}),
  });
  if (!i.args) return { strategy: s.used };
  const [maxScale, running, pending, maxRC, scaleTo] = i.args;
  const [effective, to] = effectiveMaxScale(
    s.used,
    maxScale,
    running,
    pending,
    maxRC,
    scaleTo,
    s.custom,
  );
  return { strategy: s.used, effective, scaleTo: to };
}

type Args = [number, number, number, number, number];
const strategyCase = (
  go: string,
  input: StrategyInput,
  keda: StrategyOutcome,
): Case<StrategyInput, StrategyOutcome> => ({ go, input, keda });
const custom = (deduction: number | undefined, percentage: string | undefined, args?: Args) => ({
  strategy: 'custom' as const,
  ...(deduction !== undefined ? { deduction } : {}),
  ...(percentage !== undefined ? { percentage } : {}),
  ...(args ? { args } : {}),
});

const strategyCases: Case<StrategyInput, StrategyOutcome>[] = [
  strategyCase('TestNewNewScalingStrategy custom(10, "0")', custom(10, '0'), {
    strategy: 'custom',
  }),
  strategyCase(
    'TestNewNewScalingStrategy accurate',
    { strategy: 'accurate', deduction: 0, percentage: '0' },
    { strategy: 'accurate' },
  ),
  strategyCase('TestNewNewScalingStrategy no strategy', {}, { strategy: 'default' }),
  strategyCase(
    'TestNewNewScalingStrategy default',
    { strategy: 'default', deduction: 0, percentage: '0' },
    { strategy: 'default' },
  ),
  ...(
    [
      [[3, 2, 0, 5, 1], 1],
      [[2, 0, 0, 5, 1], 2],
    ] as [Args, number][]
  ).map(([args, effective]) =>
    strategyCase(
      `TestDefaultScalingStrategy GetEffectiveMaxScale(${args.join(', ')})`,
      { args },
      { strategy: 'default', effective },
    ),
  ),
  strategyCase(
    'TestCustomScalingStrategy custom(1, "0.5") GetEffectiveMaxScale(3, 2, 0, 5, 1)',
    custom(1, '0.5', [3, 2, 0, 5, 1]),
    { strategy: 'custom', effective: 1 },
  ),
  strategyCase(
    'TestCustomScalingStrategy custom(1, "0.5") GetEffectiveMaxScale(10, 0, 0, 10, 1)',
    custom(1, '0.5', [10, 0, 0, 10, 1]),
    { strategy: 'custom', effective: 9 },
  ),
  strategyCase(
    'TestCustomScalingStrategy custom without parameters GetEffectiveMaxScale(3, 2, 0, 5, 1)',
    custom(undefined, undefined, [3, 2, 0, 5, 1]),
    { strategy: 'default', effective: 1 },
  ),
  strategyCase(
    'TestCustomScalingStrategy custom without parameters GetEffectiveMaxScale(2, 0, 0, 5, 1)',
    custom(undefined, undefined, [2, 0, 0, 5, 1]),
    { strategy: 'default', effective: 2 },
  ),
  strategyCase('TestCustomScalingStrategy custom(1, "") is default', custom(1, ''), {
    strategy: 'default',
  }),
  strategyCase(
    'TestCustomScalingStrategy custom(2, "0") GetEffectiveMaxScale(3, 2, 0, 5, 1)',
    custom(2, '0', [3, 2, 0, 5, 1]),
    { strategy: 'custom', effective: 1 },
  ),
  strategyCase(
    'TestCustomScalingStrategy custom(-2, "0") exceeds MaxReplicaCount GetEffectiveMaxScale(3, 2, 0, 4, 1)',
    custom(-2, '0', [3, 2, 0, 4, 1]),
    { strategy: 'custom', effective: 4 },
  ),
  strategyCase(
    'TestCustomScalingStrategyNilQueueLengthDeduction GetEffectiveMaxScale(10, 2, 0, 100, 1)',
    custom(undefined, '0.5', [10, 2, 0, 100, 1]),
    { strategy: 'custom', effective: 9 },
  ),
  strategyCase(
    'TestCustomScalingStrategyNilQueueLengthDeduction GetEffectiveMaxScale(10, 0, 0, 100, 1)',
    custom(undefined, '0.5', [10, 0, 0, 100, 1]),
    { strategy: 'custom', effective: 10 },
  ),
  strategyCase(
    'TestCustomScalingStrategyNilQueueLengthDeduction NewScalingStrategy custom(nil, "0.5")',
    custom(undefined, '0.5', [10, 2, 0, 100, 1]),
    { strategy: 'custom', effective: 9 },
  ),
  ...(
    [
      [[3, 2, 0, 5, 1], 3],
      [[5, 2, 0, 5, 1], 3],
      [[3, 4, 2, 10, 1], 1],
      [[5, 4, 2, 5, 1], 1],
      [[3, 3, 3, 5, 1], 0],
      [[15, 15, 15, 20, 1], 0],
      [[10, 10, 10, 15, 1], 0],
      [[20, 15, 10, 20, 1], 5],
    ] as [Args, number][]
  ).map(([args, effective]) =>
    strategyCase(
      `TestAccurateScalingStrategy GetEffectiveMaxScale(${args.join(', ')})`,
      { strategy: 'accurate', deduction: 0, percentage: '0', args },
      { strategy: 'accurate', effective },
    ),
  ),
  ...(
    [
      [[4, 3, 0, 10, 1], 4, 10],
      [[4, 0, 3, 10, 1], 4, 10],
      [[4, 7, 0, 10, 1], 3, 10],
      [[4, 1, 6, 10, 1], 3, 10],
      [[15, 0, 0, 10, 1], 10, 10],
    ] as [Args, number, number][]
  ).map(([args, effective, scaleTo]) =>
    strategyCase(
      `TestEagerScalingStrategy GetEffectiveMaxScale(${args.join(', ')})`,
      { strategy: 'eager', deduction: 0, percentage: '0', args },
      { strategy: 'eager', effective, scaleTo },
    ),
  ),
];

// --- getScalingDecision ------------------------------------------------------------------------

interface DecisionInput {
  minReplicaCount: number;
  running: number;
  scaleTo: number;
  maxScale: number;
}
const decisionCases: Case<DecisionInput, { effective: number; scaleTo: number }>[] = [
  {
    go: 'TestRunningJobCountSmallerMinReplicaCount',
    input: { minReplicaCount: 2, running: 0, scaleTo: 0, maxScale: 0 },
    keda: { effective: 2, scaleTo: 2 },
  },
  {
    go: 'TestRunningJobCountIsDeductedFromMinReplicaCount',
    input: { minReplicaCount: 2, running: 1, scaleTo: 0, maxScale: 0 },
    keda: { effective: 1, scaleTo: 1 },
  },
  {
    go: 'TestRunningJobCountGreaterOrEqualMinReplicaCountExecutesScalingStrategy',
    input: { minReplicaCount: 1, running: 1, scaleTo: 2, maxScale: 2 },
    keda: { effective: 2, scaleTo: 2 },
  },
];

function runDecision(i: DecisionInput): { effective: number; scaleTo: number } {
  // getMockScaledJobWithMinReplicaCountAndDefaultStrategy: maxReplicaCount 100.
  const sj = scaledJob({ minReplicaCount: i.minReplicaCount, maxReplicaCount: 100 });
  const d = scalingDecision(sj, i.running, i.scaleTo, i.maxScale, 0);
  return { effective: d.effective, scaleTo: d.scaleTo };
}

// --- history cleanup ---------------------------------------------------------------------------

interface CleanupInput {
  successful?: number;
  failed?: number;
  /** name, completion time, Complete (true) or Failed (false). */
  jobs: [string, string, boolean][];
}
interface CleanupOutcome {
  count?: number;
  deleted: Record<string, true>;
}

function runCleanup(i: CleanupInput): CleanupOutcome {
  const ids = selectJobsToDelete(
    i.jobs.map(([id, t, succeeded]) => ({ id, succeeded, completionTime: Date.parse(t) })),
    {
      ...(i.successful !== undefined ? { successful: i.successful } : {}),
      ...(i.failed !== undefined ? { failed: i.failed } : {}),
    },
  );
  return { count: ids.length, deleted: Object.fromEntries(ids.map((id) => [id, true])) };
}

const at = (hhmm: string) => `2020-07-29T15:${hhmm}:00Z`;
const defaultValueJobs: [string, string, boolean][] = [
  ['success0', at('35'), true],
  ...Array.from({ length: 100 }, (_, k): [string, string, boolean] => [
    `success${k + 1}`,
    at('40'),
    true,
  ]),
  ['fail101', at('35'), false],
  ...Array.from({ length: 100 }, (_, k): [string, string, boolean] => [
    `fail${k + 102}`,
    at('40'),
    false,
  ]),
];
const cleanupCases: Case<CleanupInput, CleanupOutcome>[] = [
  {
    go: 'TestCleanUpNormalCase',
    input: {
      successful: 2,
      failed: 2,
      jobs: [
        ['name1', at('37'), true],
        ['name2', at('36'), true],
        ['name3', at('38'), true],
      ],
    },
    keda: { deleted: { name2: true } },
  },
  {
    go: 'TestCleanUpMixedCaseWithSortByTime',
    input: {
      successful: 1,
      failed: 2,
      jobs: [
        ['success1', at('37'), true],
        ['success2', at('36'), true],
        ['success3', at('35'), true],
        ['fail1', at('37'), false],
        ['fail2', at('36'), false],
        ['fail3', at('38'), false],
      ],
    },
    keda: { count: 3, deleted: { success2: true, success3: true, fail2: true } },
  },
  {
    go: 'TestCleanUpDefaultValue',
    input: { jobs: defaultValueJobs },
    keda: { count: 2, deleted: { success0: true, fail101: true } },
  },
];

// --- pending Jobs ------------------------------------------------------------------------------

interface PendingInput {
  pendingPodConditions?: string[];
  /** Each pod: its phase (empty when unset) and the conditions that are True. */
  pods: { phase?: string; conditions?: string[] }[];
}

function runPending(i: PendingInput): number {
  const job: KubeJob = { metadata: { name: 'job', uid: 'job' }, status: {} };
  const pods: KubePod[] = i.pods.map((p, k) => ({
    metadata: { name: `pod-${k}`, labels: { 'job-name': 'job' } },
    status: {
      ...(p.phase ? { phase: p.phase } : {}),
      conditions: (p.conditions ?? []).map((type) => ({ type, status: 'True' })),
    },
  }));
  return jobRecord(job, pods, i.pendingPodConditions ?? []).state === 'Pending' ? 1 : 0;
}

const RS = ['Ready', 'PodScheduled'];
const pendingTable: [PendingInput, number][] = [
  [{ pods: [{ phase: 'Succeeded' }] }, 0],
  [{ pods: [{ phase: 'Running' }] }, 0],
  [{ pods: [{ phase: 'Failed' }] }, 1],
  [{ pods: [{ phase: 'Pending' }] }, 1],
  [{ pods: [{ phase: 'Unknown' }] }, 1],
  [{ pendingPodConditions: RS, pods: [{ conditions: [] }] }, 1],
  [{ pendingPodConditions: RS, pods: [{ conditions: ['Ready'] }] }, 1],
  [{ pendingPodConditions: RS, pods: [{ conditions: ['PodScheduled'] }] }, 1],
  [{ pendingPodConditions: RS, pods: [{ conditions: RS }] }, 0],
  [{ pendingPodConditions: RS, pods: [{ conditions: RS }, { conditions: RS }] }, 0],
  [{ pendingPodConditions: RS, pods: [{ conditions: RS }, { conditions: ['Ready'] }] }, 0],
  [
    {
      pendingPodConditions: RS,
      pods: [{ conditions: ['Ready'] }, { conditions: ['PodScheduled'] }],
    },
    1,
  ],
  [
    {
      pendingPodConditions: RS,
      pods: [{ conditions: [] }, { conditions: ['Ready'] }, { conditions: RS }],
    },
    0,
  ],
  [
    {
      pendingPodConditions: RS,
      pods: [{ conditions: [] }, { conditions: ['Ready'] }, { conditions: ['PodScheduled'] }],
    },
    1,
  ],
  [{ pendingPodConditions: [], pods: [{ phase: 'Running', conditions: ['Ready'] }] }, 0],
];
const pendingCases: Case<PendingInput, number>[] = [
  ...pendingTable.map(([input, keda], k) => ({
    go: `TestGetPendingJobCount testPendingJobTestData[${k}]`,
    input,
    keda,
  })),
  {
    go: 'TestAreAllPendingPodConditionsFulfilledBugScenario',
    input: { pendingPodConditions: RS, pods: [{ conditions: RS }, { conditions: RS }] },
    keda: 0,
  },
];

// --- the Job a ScaledJob creates ---------------------------------------------------------------

type JobOutcome = Record<string, unknown>;
/** getMockScaledJobWithDefaultStrategyAndMeta("test"): generation 0 (Go's zero value). */
function runJob(part: 'meta' | 'annotations' | 'labels' | 'restartPolicy'): JobOutcome {
  const body = jobBody({
    metadata: {
      name: 'test',
      namespace: 'test',
      generation: 0,
      labels: { test: 'test' },
      annotations: { test: 'test' },
    },
    spec: { jobTargetRef: {} },
  }) as {
    metadata: Record<string, unknown>;
    spec: { template: { spec: { restartPolicy: string } } };
  };
  switch (part) {
    case 'meta':
      return { generateName: body.metadata.generateName, namespace: body.metadata.namespace };
    case 'annotations':
      return body.metadata.annotations as JobOutcome;
    case 'labels':
      return body.metadata.labels as JobOutcome;
    case 'restartPolicy':
      return { restartPolicy: body.spec.template.spec.restartPolicy };
  }
}

const jobCases: Case<'meta' | 'annotations' | 'labels' | 'restartPolicy', JobOutcome>[] = [
  {
    go: 'TestCreateJobs (generateName, namespace)',
    input: 'meta',
    keda: { generateName: 'test-', namespace: 'test' },
  },
  {
    go: 'TestGenerateJobs (annotations)',
    input: 'annotations',
    keda: { test: 'test', 'scaledjob.keda.sh/generation': '0' },
  },
  {
    go: 'TestGenerateJobs (labels)',
    input: 'labels',
    keda: {
      'app.kubernetes.io/managed-by': 'keda-operator',
      'app.kubernetes.io/name': 'test',
      'app.kubernetes.io/part-of': 'test',
      'app.kubernetes.io/version': 'main',
      'scaledjob.keda.sh/name': 'test',
      test: 'test',
    },
    differs: {
      id: 'job-labels',
      tide: {
        'app.kubernetes.io/managed-by': 'tide-operator',
        'app.kubernetes.io/name': 'test',
        'app.kubernetes.io/part-of': 'test',
        'app.kubernetes.io/version': undefined,
        'scaledjob.keda.sh/name': 'test',
        test: 'test',
      },
    },
  },
  {
    go: 'TestGenerateJobs (restartPolicy)',
    input: 'restartPolicy',
    keda: { restartPolicy: 'OnFailure' },
  },
];

// --- getTargetAverageValue ---------------------------------------------------------------------

const avgSpec = (target: number): MetricSpec => ({
  name: 's0-messageCount',
  targetType: 'AverageValue',
  target,
});
const averageCases: Case<number[], number>[] = (
  [
    [[], 0],
    [[1, 1], 1],
    [[5, 5, 3], 4.333333333333333],
    [[5, 5, 4], 4.666666666666667],
  ] as [number[], number][]
).map(([targets, keda]) => ({
  go: `TestTargetAverageValue [${targets.join(' ')}]`,
  input: targets,
  keda,
}));

// --- getScaledJobState -------------------------------------------------------------------------

interface StateInput {
  minReplicaCount: number;
  maxReplicaCount: number;
  multipleScalersCalculation?: 'max' | 'min' | 'avg' | 'sum';
  /** Per trigger: queue length, AverageValue target, active. */
  scalers: [number, number, boolean][];
}
interface StateOutcome {
  isActive: boolean;
  isError: boolean;
  queueLength: number;
  maxValue: number;
}

function runState(i: StateInput): StateOutcome {
  const sj = scaledJob(
    {
      minReplicaCount: i.minReplicaCount,
      maxReplicaCount: i.maxReplicaCount,
      ...(i.multipleScalersCalculation
        ? { scalingStrategy: { multipleScalersCalculation: i.multipleScalersCalculation } }
        : {}),
    },
    i.scalers.length,
  );
  const specs = i.scalers.map(([, target]) => [
    { name: 's0-queueLength', targetType: 'AverageValue' as const, target },
  ]);
  const readings: TriggerReading[] = i.scalers.map(([queue, , isActive]) => ({
    ok: true,
    metrics: [{ name: 's0-queueLength', value: queue }],
    isActive,
  }));
  const d = decideScaledJob({
    sj,
    specs,
    readings,
    runningJobs: 0,
    pendingJobs: 0,
    now: 0,
  });
  return {
    isActive: d.isActive,
    isError: d.conditions.ready.status !== 'True',
    queueLength: Math.ceil(d.queueLength),
    maxValue: d.maxScale,
  };
}

const FOUR: [number, number, boolean][] = [
  [20, 1, true],
  [10, 2, true],
  [5, 3, true],
  [7, 4, false],
];
const stateCases: Case<StateInput, StateOutcome>[] = [
  {
    go: 'TestGetScaledJobState (single trigger, default max)',
    input: { minReplicaCount: 1, maxReplicaCount: 100, scalers: [[20, 2, true]] },
    keda: { isActive: true, isError: false, queueLength: 20, maxValue: 10 },
  },
  ...(
    [
      ['s0-queueLength', 100, 'max', 20, 20],
      ['queueLength', 100, 'min', 5, 2],
      ['messageCount', 100, 'avg', 12, 9],
      ['s3-messageCount', 100, 'sum', 35, 27],
      ['s10-messageCount', 25, 'sum', 35, 25],
    ] as [string, number, StateInput['multipleScalersCalculation'], number, number][]
  ).map(([metric, max, calc, queueLength, maxValue]) => ({
    go: `TestGetScaledJobState scalerTestDatam "${metric}" ${calc}`,
    // newScalerTestData leaves MinReplicaCount at Go's zero value.
    input: {
      minReplicaCount: 0,
      maxReplicaCount: max,
      multipleScalersCalculation: calc,
      scalers: FOUR,
    },
    keda: { isActive: true, isError: false, queueLength, maxValue },
  })),
  {
    go: 'TestGetScaledJobStateIfQueueEmptyButMinReplicaCountGreaterZero',
    input: { minReplicaCount: 1, maxReplicaCount: 100, scalers: [[0, 1, true]] },
    keda: { isActive: true, isError: false, queueLength: 0, maxValue: 0 },
  },
];

export const scaledJobTables = [
  table({
    name: 'scaledjob: TestScaledJob (min/max replica count)',
    goFile: 'apis/keda/v1alpha1/scaledjob_types_test.go',
    cases: boundsCases,
    run: runBounds,
  }),
  table({
    name: 'scaledjob: scaling strategies',
    goFile: executorGo,
    cases: strategyCases,
    run: runStrategy,
  }),
  table({
    name: 'scaledjob: getScalingDecision',
    goFile: executorGo,
    cases: decisionCases,
    run: runDecision,
  }),
  table({
    name: 'scaledjob: history cleanup',
    goFile: executorGo,
    cases: cleanupCases,
    run: runCleanup,
  }),
  table({
    name: 'scaledjob: pending Jobs',
    goFile: executorGo,
    cases: pendingCases,
    run: runPending,
  }),
  table({ name: 'scaledjob: the Job created', goFile: executorGo, cases: jobCases, run: runJob }),
  table({
    name: 'scaledjob: getTargetAverageValue',
    goFile: 'pkg/scaling/scaledjob/metrics_test.go',
    cases: averageCases,
    run: (targets: number[]) => targetAverageValue(targets.map(avgSpec)),
  }),
  table({
    name: 'scaledjob: getScaledJobState',
    goFile: 'pkg/scaling/scale_handler_test.go',
    cases: stateCases,
    run: runState,
  }),
];
