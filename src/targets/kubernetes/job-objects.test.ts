import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jobBody, jobRecord, podJobName, type KubeJob, type RawScaledJob } from './job-objects.js';

const sj: RawScaledJob = {
  metadata: {
    name: 'transcode',
    namespace: 'media',
    uid: 'u-1',
    generation: 3,
    labels: { team: 'video', secret: 'no' },
    annotations: { note: 'x', 'scaledjob.keda.sh/job-excluded-labels': 'secret' },
  },
  spec: {
    jobTargetRef: {
      backoffLimit: 2,
      template: {
        metadata: { labels: { app: 'transcoder' } },
        spec: { containers: [{ name: 'job', image: 'busybox' }], volumes: [{ name: 'v' }] },
      },
    },
  },
};

test('a Job is named <scaledjob>-<random>, labelled, annotated with the generation and owned by the ScaledJob', () => {
  const b = jobBody(sj) as {
    metadata: Record<string, unknown> & {
      labels: Record<string, string>;
      annotations: Record<string, string>;
      ownerReferences: { kind: string; uid: string; controller: boolean }[];
    };
    spec: {
      backoffLimit: number;
      template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
    };
  };
  assert.equal(b.metadata.generateName, 'transcode-');
  assert.equal(b.metadata.labels['scaledjob.keda.sh/name'], 'transcode');
  assert.equal(b.metadata.labels.team, 'video');
  assert.equal(b.metadata.labels.secret, undefined, 'excluded label is not copied');
  assert.equal(b.metadata.annotations['scaledjob.keda.sh/generation'], '3');
  assert.equal(b.metadata.annotations.note, 'x');
  assert.deepEqual(
    b.metadata.ownerReferences.map((o) => [o.kind, o.uid, o.controller]),
    [['ScaledJob', 'u-1', true]],
  );
  assert.equal(b.spec.backoffLimit, 2);
  assert.deepEqual(b.spec.template.metadata.labels, {
    app: 'transcoder',
    'scaledjob.keda.sh/name': 'transcode',
  });
  assert.equal(b.spec.template.spec.restartPolicy, 'OnFailure', "KEDA's default");
  assert.deepEqual(b.spec.template.spec.volumes, [{ name: 'v' }], 'every JobSpec field is kept');
});

const job = (status: KubeJob['status'], generation = '3'): KubeJob => ({
  metadata: {
    name: 'transcode-abcde',
    uid: 'j-1',
    creationTimestamp: '2025-01-01T00:00:00Z',
    annotations: { 'scaledjob.keda.sh/generation': generation },
  },
  ...(status ? { status } : {}),
});
const pod = (phase: string, conditions: { type: string; status: string }[] = []) => ({
  metadata: { name: 'p', labels: { 'batch.kubernetes.io/job-name': 'transcode-abcde' } },
  status: { phase, conditions },
});

const cases = [
  { name: 'no pods yet: Pending', job: job({}), pods: [], want: 'Pending' },
  {
    name: 'pod Pending: Pending',
    job: job({ active: 1 }),
    pods: [pod('Pending')],
    want: 'Pending',
  },
  {
    name: 'pod Running: Running',
    job: job({ active: 1 }),
    pods: [pod('Running')],
    want: 'Running',
  },
  {
    name: 'pod Running without every pendingPodCondition: Pending',
    job: job({ active: 1 }),
    pods: [pod('Running', [{ type: 'Ready', status: 'False' }])],
    conditions: ['Ready'],
    want: 'Pending',
  },
  {
    name: 'pod with every pendingPodCondition True: Running',
    job: job({ active: 1 }),
    pods: [pod('Running', [{ type: 'Ready', status: 'True' }])],
    conditions: ['Ready'],
    want: 'Running',
  },
  {
    name: 'Complete=True: Succeeded',
    job: job({
      succeeded: 1,
      completionTime: '2025-01-01T00:01:00Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    }),
    pods: [pod('Succeeded')],
    want: 'Succeeded',
  },
  {
    name: 'Failed=True: Failed',
    job: job({
      failed: 3,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          lastTransitionTime: '2025-01-01T00:02:00Z',
        },
      ],
    }),
    pods: [],
    want: 'Failed',
  },
];
for (const c of cases) {
  test(`job state: ${c.name}`, () => {
    const r = jobRecord(c.job, c.pods, c.conditions ?? []);
    assert.equal(r.state, c.want);
    assert.equal(r.id, 'j-1');
    assert.equal(r.generation, 3);
    if (c.want === 'Succeeded' || c.want === 'Failed') assert.ok(r.completionTime);
    if (c.want === 'Failed') assert.equal(r.reason, 'BackoffLimitExceeded');
  });
}

test('a Job without the generation annotation has no generation (a rollout deletes it)', () => {
  const r = jobRecord(job({}, ''), []);
  assert.ok(Number.isNaN(r.generation));
});

test("pods name their Job by either of the Job controller's labels", () => {
  assert.equal(podJobName(pod('Running')), 'transcode-abcde');
  assert.equal(podJobName({ metadata: { name: 'p', labels: { 'job-name': 'x' } } }), 'x');
  assert.equal(podJobName({ metadata: { name: 'p' } }), undefined);
});
