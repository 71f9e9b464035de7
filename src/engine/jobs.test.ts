import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isJobPending,
  rolloutStrategy,
  selectJobsForRollout,
  selectJobsToDelete,
  type JobPods,
} from './jobs.js';

const pod = (phase: string, conditions: [string, string][] = []) => ({
  phase,
  conditions: conditions.map(([type, status]) => ({ type, status })),
});

const pending: { name: string; job: JobPods; conditions?: string[]; want: boolean }[] = [
  { name: 'a job with no pods yet is pending', job: { pods: [] }, want: true },
  {
    name: 'a job whose only pod is Pending is pending',
    job: { pods: [pod('Pending')] },
    want: true,
  },
  {
    name: 'a job with a Running pod is not pending',
    job: { pods: [pod('Pending'), pod('Running')] },
    want: false,
  },
  {
    name: 'a job with a Succeeded pod is not pending',
    job: { pods: [pod('Succeeded')] },
    want: false,
  },
  {
    name: 'a job whose pod Failed (retrying) is pending',
    job: { pods: [pod('Failed')] },
    want: true,
  },
  {
    name: 'with pendingPodConditions, a pod with all conditions True is not pending',
    job: {
      pods: [
        pod('Running', [
          ['Ready', 'True'],
          ['PodScheduled', 'True'],
        ]),
      ],
    },
    conditions: ['Ready', 'PodScheduled'],
    want: false,
  },
  {
    name: 'with pendingPodConditions, a Running pod missing one condition is pending',
    job: { pods: [pod('Running', [['PodScheduled', 'True']])] },
    conditions: ['Ready', 'PodScheduled'],
    want: true,
  },
  {
    name: 'with pendingPodConditions, conditions split across pods do not count',
    job: {
      pods: [pod('Running', [['Ready', 'True']]), pod('Running', [['PodScheduled', 'True']])],
    },
    conditions: ['Ready', 'PodScheduled'],
    want: true,
  },
  {
    name: 'with pendingPodConditions, a False condition does not count',
    job: { pods: [pod('Running', [['Ready', 'False']])] },
    conditions: ['Ready'],
    want: true,
  },
];
for (const c of pending) {
  test(c.name, () => assert.equal(isJobPending(c.job, c.conditions), c.want));
}

const finished = [
  { id: 'ok-3', succeeded: true, completionTime: 300 },
  { id: 'ok-1', succeeded: true, completionTime: 100 },
  { id: 'ok-2', succeeded: true, completionTime: 200 },
  { id: 'bad-2', succeeded: false, completionTime: 250 },
  { id: 'bad-0', succeeded: false },
  { id: 'bad-1', succeeded: false, completionTime: 150 },
];
const cleanup: {
  name: string;
  limits: { successful?: number; failed?: number };
  want: string[];
}[] = [
  { name: 'history limits default to 100: nothing to delete', limits: {}, want: [] },
  {
    name: 'successfulJobsHistoryLimit 0 deletes every successful job, failed kept',
    limits: { successful: 0 },
    want: ['ok-1', 'ok-2', 'ok-3'],
  },
  {
    name: 'limits keep the newest and delete the oldest first',
    limits: { successful: 1, failed: 1 },
    want: ['ok-1', 'ok-2', 'bad-0', 'bad-1'],
  },
  {
    name: 'the ack-keda example: 0 successful, 10 failed',
    limits: { successful: 0, failed: 10 },
    want: ['ok-1', 'ok-2', 'ok-3'],
  },
];
for (const c of cleanup) {
  test(`history cleanup: ${c.name}`, () =>
    assert.deepEqual(selectJobsToDelete(finished, c.limits), c.want));
}

const rollout: { name: string; strategy: string | undefined; want: string[] }[] = [
  {
    name: 'default deletes jobs of other or missing generations, running ones included',
    strategy: undefined,
    want: ['a', 'c'],
  },
  { name: 'immediate behaves as default', strategy: 'immediate', want: ['a', 'c'] },
  { name: 'gradual keeps every job', strategy: 'gradual', want: [] },
];
for (const c of rollout) {
  test(`rollout: ${c.name}`, () => {
    assert.deepEqual(
      selectJobsForRollout(
        [{ id: 'a', generation: '1' }, { id: 'b', generation: '2' }, { id: 'c' }],
        2,
        c.strategy,
      ),
      c.want,
    );
  });
}

test('the deprecated top-level rolloutStrategy wins over rollout.strategy', () => {
  assert.equal(
    rolloutStrategy({ rolloutStrategy: 'gradual', rollout: { strategy: 'immediate' } }),
    'gradual',
  );
  assert.equal(rolloutStrategy({ rollout: { strategy: 'gradual' } }), 'gradual');
  assert.equal(rolloutStrategy({}), 'default');
});
