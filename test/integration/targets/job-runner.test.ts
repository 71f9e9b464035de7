import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TargetError } from '../../../src/errors.js';
import {
  JobRunner,
  type JobRunnerOptions,
  type JobTemplate,
} from '../../../src/targets/local/job-runner.js';
import type { JobRecord, TargetEvent } from '../../../src/targets/target.js';
import { waitFor } from '../../support/wait-for.js';
import { Lines, STUBBORN, isAlive, tempDir } from './support.js';

const runners: JobRunner[] = [];
const cleanups: (() => void)[] = [];
after(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  for (const c of cleanups) c();
});

const WAIT = { timeoutMs: 20_000 };

function makeRunner(
  script: string,
  template: Partial<JobTemplate> = {},
  extra: Partial<JobRunnerOptions> = {},
): { runner: JobRunner; lines: Lines; events: TargetEvent[]; logDir: string } {
  const { dir, cleanup } = tempDir('jobs');
  cleanups.push(cleanup);
  const lines = new Lines();
  const events: TargetEvent[] = [];
  const runner = new JobRunner({
    objectName: 'ScaledJob default/transcode',
    jobNamePrefix: 'transcode',
    template: {
      makeJob: (name) => ({
        command: ['sh', '-c', script],
        env: { JOB_NAME: name, MARK: join(dir, `${name}.mark`) },
        terminationGracePeriodSeconds: 1,
      }),
      generation: 1,
      ...template,
    },
    logDir: dir,
    onLine: lines.sink,
    onEvent: (e) => events.push(e),
    retryBackoff: { initialMs: 50, maxMs: 200 },
    restartBackoff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  runners.push(runner);
  return { runner, lines, events, logDir: dir };
}

const byId = (runner: JobRunner, id: string): JobRecord | undefined =>
  runner.list().find((j) => j.id === id);
const final = (j: JobRecord): boolean => j.state === 'Succeeded' || j.state === 'Failed';
/** A waitFor condition: the job's record once `pred` holds for it. */
const jobWhere =
  (runner: JobRunner, id: string, pred: (j: JobRecord) => boolean) => (): JobRecord | undefined => {
    const j = byId(runner, id);
    return j && pred(j) ? j : undefined;
  };

const exitCases = [
  {
    name: 'a job exiting 0 succeeds on its first attempt',
    script: 'echo done',
    state: 'Succeeded',
    exitCode: 0,
  },
  {
    name: 'a job exiting 1 with backoffLimit 0 fails at once',
    script: 'exit 1',
    state: 'Failed',
    exitCode: 1,
  },
] as const;
for (const c of exitCases) {
  test(c.name, async () => {
    const { runner } = makeRunner(c.script, { backoffLimit: 0, restartPolicy: 'Never' });
    const [job] = runner.startJobs(1);
    assert.equal(job?.state, 'Pending', 'not confirmed running when startJobs returns');
    const done = await waitFor(jobWhere(runner, job.id, final), {
      ...WAIT,
      what: 'job finished',
    });
    assert.equal(done.state, c.state);
    assert.equal(done.exitCode, c.exitCode);
    assert.equal(done.attempts, 1);
    assert.match(done.name, /^transcode-[a-z0-9]{5}$/);
    assert.ok(done.completionTime && done.completionTime >= done.startTime);
    assert.equal(done.pid, undefined);
    assert.equal(done.generation, 1);
    if (c.state === 'Failed') assert.equal(done.reason, 'BackoffLimitExceeded');
  });
}

test('restartPolicy Never retries in new attempts, Pending between them, then fails after backoffLimit', async () => {
  const { runner } = makeRunner(
    'echo "attempt"; exit 2',
    { backoffLimit: 2, restartPolicy: 'Never' },
    {
      retryBackoff: { initialMs: 300, maxMs: 300 },
    },
  );
  const [job] = runner.startJobs(1);
  const between = await waitFor(
    jobWhere(
      runner,
      job!.id,
      (j) => j.state === 'Pending' && j.reason === 'BackOff' && j.failures === 1,
    ),
    { ...WAIT, intervalMs: 20, what: 'pending between attempts' },
  );
  assert.equal(between.attempts, 1);
  const done = await waitFor(jobWhere(runner, job!.id, final), {
    ...WAIT,
    what: 'failed',
  });
  assert.equal(done.state, 'Failed');
  assert.equal(done.reason, 'BackoffLimitExceeded');
  assert.equal(done.attempts, 3, 'backoffLimit 2 = one try and two retries');
  assert.equal(done.failures, 3);
  assert.equal(done.exitCode, 2);
  // Every attempt appends to the one job log.
  await waitFor(() => readFileSync(done.logFile!, 'utf8') === 'attempt\nattempt\nattempt\n', {
    ...WAIT,
    what: 'three attempts in the log',
  });
});

test('restartPolicy OnFailure restarts in place, stays Running, and fails when restarts reach backoffLimit', async () => {
  const { runner } = makeRunner(
    'exit 1',
    { backoffLimit: 2, restartPolicy: 'OnFailure' },
    {
      restartBackoff: { initialMs: 300, maxMs: 300 },
    },
  );
  const [job] = runner.startJobs(1);
  const restarting = await waitFor(
    jobWhere(runner, job!.id, (j) => j.reason === 'BackOff'),
    { ...WAIT, intervalMs: 20, what: 'waiting to restart' },
  );
  assert.equal(
    restarting.state,
    'Running',
    'the pod is still Running while its container restarts',
  );
  const done = await waitFor(jobWhere(runner, job!.id, final), {
    ...WAIT,
    what: 'failed',
  });
  assert.equal(done.state, 'Failed');
  assert.equal(done.reason, 'BackoffLimitExceeded');
  assert.equal(done.failures, 2);
  assert.equal(done.attempts, 2);
});

test('a job that fails once then exits 0 succeeds on its second attempt', async () => {
  const { runner } = makeRunner('if [ -f "$MARK" ]; then exit 0; fi; touch "$MARK"; exit 1', {
    restartPolicy: 'Never',
  });
  const [job] = runner.startJobs(1);
  const done = await waitFor(jobWhere(runner, job!.id, final), {
    ...WAIT,
    what: 'done',
  });
  assert.equal(done.state, 'Succeeded');
  assert.equal(done.attempts, 2);
  assert.equal(done.failures, 1);
});

test('activeDeadlineSeconds kills the whole group and fails the job with DeadlineExceeded', async () => {
  const { runner, lines, events } = makeRunner(STUBBORN, {
    activeDeadlineSeconds: 1,
    restartPolicy: 'Never',
  });
  const [job] = runner.startJobs(1);
  await waitFor(() => lines.pids('leader').length === 1 && lines.pids('grandchild').length === 1, {
    ...WAIT,
    what: 'pids',
  });
  const pids = [...lines.pids('leader'), ...lines.pids('grandchild')];
  const done = await waitFor(jobWhere(runner, job!.id, final), {
    ...WAIT,
    what: 'deadline',
  });
  assert.equal(done.state, 'Failed');
  assert.equal(done.reason, 'DeadlineExceeded');
  const took = done.completionTime!.getTime() - done.startTime.getTime();
  assert.ok(
    took >= 1900,
    `deadline 1 s + grace 1 s for a process ignoring SIGTERM (took ${took} ms)`,
  );
  assert.deepEqual(pids.filter(isAlive), []);
  assert.ok(events.some((e) => e.reason === 'DeadlineExceeded'));
});

test('delete removes a finished job with its log file, and kills a running job before removing it', async () => {
  const quickRunner = makeRunner('echo "hello $JOB_NAME"').runner;
  const slowRunner = makeRunner('echo started; exec sleep 1000').runner;
  const [quick] = quickRunner.startJobs(1);
  const [slow] = slowRunner.startJobs(1);
  const done = await waitFor(
    jobWhere(quickRunner, quick!.id, (j) => j.state === 'Succeeded'),
    {
      ...WAIT,
      what: 'quick job done',
    },
  );
  await waitFor(() => readFileSync(done.logFile!, 'utf8') === `hello ${done.name}\n`, {
    ...WAIT,
    what: 'log written',
  });
  const running = await waitFor(
    jobWhere(slowRunner, slow!.id, (j) => j.state === 'Running'),
    {
      ...WAIT,
      what: 'slow job running',
    },
  );
  assert.ok(running.pid !== undefined && isAlive(running.pid));
  assert.ok(existsSync(running.logFile!));

  await Promise.all([quickRunner.delete([quick!.id, 'no-such-id']), slowRunner.delete([slow!.id])]);
  assert.deepEqual(quickRunner.list(), []);
  assert.deepEqual(slowRunner.list(), []);
  assert.equal(existsSync(done.logFile!), false);
  assert.equal(existsSync(running.logFile!), false);
  assert.equal(isAlive(running.pid), false);
});

test('starts 20 jobs in parallel: all run at the same time and all succeed', async () => {
  const { runner } = makeRunner('sleep 2; echo ok');
  const t0 = Date.now();
  const started = runner.startJobs(20);
  assert.equal(started.length, 20);
  assert.equal(new Set(started.map((j) => j.name)).size, 20);
  assert.ok(started.every((j) => j.state === 'Pending'));
  await waitFor(() => runner.list().filter((j) => j.state === 'Running').length === 20, {
    ...WAIT,
    intervalMs: 20,
    what: '20 jobs running at once',
  });
  await waitFor(() => runner.list().every((j) => j.state === 'Succeeded'), {
    ...WAIT,
    what: 'all succeeded',
  });
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `20 jobs of 2 s each ran concurrently (took ${took} ms)`);
});

test('a job whose command is missing fails with StartError naming the command and the ScaledJob', async () => {
  const { runner } = makeRunner('unused', {
    backoffLimit: 0,
    restartPolicy: 'Never',
    makeJob: () => ({ command: ['tide-missing-job-cmd'], env: {} }),
  });
  const [job] = runner.startJobs(1);
  const done = await waitFor(jobWhere(runner, job!.id, final), {
    ...WAIT,
    what: 'failed',
  });
  assert.equal(done.state, 'Failed');
  assert.equal(done.lastTermination?.reason, 'StartError');
  assert.match(
    done.lastTermination?.message ?? '',
    /^ScaledJob default\/transcode: container command \["tide-missing-job-cmd"\]/,
  );
});

test('stop() kills running jobs, marks them Failed with reason Stopped, and refuses new jobs', async () => {
  const { runner, lines } = makeRunner(STUBBORN, { restartPolicy: 'Never' });
  runner.startJobs(3);
  await waitFor(() => lines.pids('grandchild').length === 3 && lines.pids('leader').length === 3, {
    ...WAIT,
    what: 'pids',
  });
  const pids = [...lines.pids('leader'), ...lines.pids('grandchild')];
  await runner.stop();
  assert.deepEqual(pids.filter(isAlive), []);
  assert.deepEqual(
    runner.list().map((j) => `${j.state}/${j.reason}`),
    ['Failed/Stopped', 'Failed/Stopped', 'Failed/Stopped'],
  );
  assert.throws(() => runner.startJobs(1), TargetError);
});

test('jobs carry the generation of the template they started from', async () => {
  const { runner } = makeRunner('exit 0');
  const [old] = runner.startJobs(1);
  runner.setTemplate({
    makeJob: () => ({ command: ['sh', '-c', 'exit 0'], env: {} }),
    generation: 2,
  });
  const [fresh] = runner.startJobs(1);
  assert.equal(old?.generation, 1);
  assert.equal(fresh?.generation, 2);
  assert.equal(runner.generation, 2);
});

test('startJobs(0) starts nothing and a negative or fractional count is a TargetError', () => {
  const { runner } = makeRunner('exit 0');
  assert.deepEqual(runner.startJobs(0), []);
  assert.throws(() => runner.startJobs(-1), TargetError);
  assert.throws(() => runner.startJobs(1.5), TargetError);
  assert.deepEqual(runner.list(), []);
});

test('starting 60 jobs does not block the event loop until all are spawned', async () => {
  const { runner } = makeRunner('exit 0');
  runner.startJobs(60);
  const spawnedByNextTurn = await new Promise<number>((resolve) =>
    setImmediate(() => resolve(runner.list().filter((j) => j.attempts > 0).length)),
  );
  assert.ok(
    spawnedByNextTurn > 0 && spawnedByNextTurn < 60,
    `spawned ${spawnedByNextTurn} before yielding`,
  );
  await waitFor(() => runner.list().every((j) => j.state === 'Succeeded'), {
    ...WAIT,
    what: 'all 60 done',
  });
  assert.equal(runner.list().length, 60);
});
