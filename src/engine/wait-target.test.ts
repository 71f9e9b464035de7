import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, makeSo, read, S, st, T0 } from './test-fixtures.js';
import {
  observeWait,
  parseWaitAnnotations,
  planForWait,
  projectBacklog,
  SCALE_IN_WINDOW_ANNOTATION,
  TARGET_WAIT_ANNOTATION,
  WAIT_HALF_LIFE_SECONDS,
  WAIT_TARGET_METRIC,
  type WaitEstimate,
  type WaitObservation,
} from './wait-target.js';

const obs = (o: Partial<WaitObservation> & { at: number }): WaitObservation => ({
  backlog: 0,
  replicas: 1,
  ...o,
});

/** Folds observations in order. */
function fold(list: readonly WaitObservation[]): WaitEstimate | undefined {
  let e: WaitEstimate | undefined;
  for (const o of list) e = observeWait(e, o);
  return e;
}

describe('parseWaitAnnotations', () => {
  const cases: [string, Record<string, string>, string | object][] = [
    ['none', {}, {}],
    ['a wait target', { [TARGET_WAIT_ANNOTATION]: '10' }, { targetWaitSeconds: 10 }],
    ['a fractional target', { [TARGET_WAIT_ANNOTATION]: '2.5' }, { targetWaitSeconds: 2.5 }],
    ['a zero window', { [SCALE_IN_WINDOW_ANNOTATION]: '0' }, { scaleInWindowSeconds: 0 }],
    ['a zero target', { [TARGET_WAIT_ANNOTATION]: '0' }, TARGET_WAIT_ANNOTATION],
    ['a negative target', { [TARGET_WAIT_ANNOTATION]: '-3' }, TARGET_WAIT_ANNOTATION],
    ['a word', { [TARGET_WAIT_ANNOTATION]: 'ten' }, TARGET_WAIT_ANNOTATION],
    ['an empty target', { [TARGET_WAIT_ANNOTATION]: ' ' }, TARGET_WAIT_ANNOTATION],
    ['a negative window', { [SCALE_IN_WINDOW_ANNOTATION]: '-1' }, SCALE_IN_WINDOW_ANNOTATION],
  ];
  for (const [name, annotations, want] of cases)
    test(name, () => {
      const r = parseWaitAnnotations(annotations);
      if (typeof want === 'string') {
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.match(r.path, new RegExp(want.replace(/[./]/g, '\\$&')));
          assert.match(r.error, /expected a number of seconds/);
        }
      } else assert.deepEqual(r, { ok: true, value: want });
    });
});

describe('observeWait and planForWait', () => {
  // Two rounds 15 s apart; rates chosen so the arithmetic is exact.
  const cases: {
    name: string;
    rounds: WaitObservation[];
    target: number;
    want: { replicas: number; mu?: number; lambda?: number } | RegExp;
  }[] = [
    {
      name: 'first round: no measurement, the trigger applies',
      rounds: [obs({ at: T0, backlog: 5, completed: 0, busySeconds: 0 })],
      target: 10,
      want: /no measurement yet/,
    },
    {
      name: 'workers that report no completions: the trigger applies',
      rounds: [obs({ at: T0, backlog: 5 }), obs({ at: T0 + 15 * S, backlog: 9 })],
      target: 10,
      want: /report no completions/,
    },
    {
      name: 'nothing completed yet (long tasks): the trigger applies',
      rounds: [
        obs({ at: T0, backlog: 5, completed: 0, busySeconds: 0 }),
        obs({ at: T0 + 15 * S, backlog: 9, inFlight: 1, completed: 0, busySeconds: 15 }),
      ],
      target: 10,
      want: /no completed task measured yet/,
    },
    {
      // 1 replica did 3 tasks in 15 busy s (μ 0.2); 5 + 15 arrived, 3 done, 1 in hand → 16 wait.
      name: 'the backlog asks more than the arrivals: B/(μT)',
      rounds: [
        obs({ at: T0, backlog: 5, completed: 0, busySeconds: 0 }),
        obs({ at: T0 + 15 * S, backlog: 16, inFlight: 1, completed: 3, busySeconds: 15 }),
      ],
      target: 10,
      // arrivals 20 − 5 = 15 in 15 s → λ 1; max(1/0.2, 16/(0.2×10)) = max(5, 8) = 8
      want: { replicas: 8, mu: 0.2, lambda: 1 },
    },
    {
      name: 'a short backlog: the arrivals decide, λ/μ',
      rounds: [
        obs({ at: T0, backlog: 2, inFlight: 5, completed: 100, busySeconds: 500, replicas: 5 }),
        obs({ at: T0 + 15 * S, backlog: 2, inFlight: 5, completed: 115, busySeconds: 575 }),
      ],
      target: 10,
      // μ = 15/75 = 0.2; λ = 15/15 = 1 → max(5, 2/(0.2×10) = 1) = 5
      want: { replicas: 5, mu: 0.2, lambda: 1 },
    },
    {
      name: 'a longer target needs fewer replicas for the same backlog',
      rounds: [
        obs({ at: T0, backlog: 5, completed: 0, busySeconds: 0 }),
        obs({ at: T0 + 15 * S, backlog: 40, inFlight: 1, completed: 3, busySeconds: 15 }),
      ],
      target: 40,
      // λ = (40 + 1 + 3 − 5)/15 = 2.6 → 13; B/(μT) = 40/8 = 5 → 13
      want: { replicas: 13, mu: 0.2, lambda: 2.6 },
    },
    {
      name: 'one or two completions are not yet a drain rate: the trigger applies',
      rounds: [
        obs({ at: T0, backlog: 5, completed: 0, busySeconds: 0 }),
        obs({ at: T0 + 15 * S, backlog: 16, inFlight: 1, completed: 2, busySeconds: 14 }),
      ],
      target: 10,
      want: /2 of the 3 completed tasks needed/,
    },
    {
      // 5 replicas, tasks of 5.14 s on average (1 to 9 s): λ/μ = 5.14. Five replicas fall
      // behind by 0.027 tasks a second and would take 360 s to let a task wait 10 s.
      name: 'λ/μ a little above a whole number: rounded down while the wait holds',
      rounds: [
        obs({ at: T0, backlog: 0, inFlight: 5, completed: 100, busySeconds: 514, replicas: 5 }),
        obs({ at: T0 + 100 * S, backlog: 0, inFlight: 5, completed: 200, busySeconds: 1028 }),
      ],
      target: 10,
      want: { replicas: 5, lambda: 1 },
    },
    {
      // The same pool once 9.5 tasks wait: five replicas would breach 10 s within 8.6 s.
      name: 'λ/μ a little above a whole number, with a backlog near the target: rounded up',
      rounds: [
        obs({ at: T0, backlog: 0, inFlight: 5, completed: 100, busySeconds: 514, replicas: 5 }),
        obs({ at: T0 + 100 * S, backlog: 9.5, inFlight: 5, completed: 190.5, busySeconds: 979.17 }),
      ],
      target: 10,
      want: { replicas: 6 },
    },
    {
      name: 'a worker that left takes its counter along: no negative completions',
      rounds: [
        obs({ at: T0, backlog: 0, inFlight: 2, completed: 50, busySeconds: 100 }),
        obs({ at: T0 + 15 * S, backlog: 0, inFlight: 1, completed: 20, busySeconds: 60 }),
      ],
      target: 10,
      want: /no completed task measured yet/,
    },
    {
      name: 'without a busy-time counter the in-flight snapshots stand in',
      rounds: [
        obs({ at: T0, backlog: 10, inFlight: 2, completed: 0, replicas: 2 }),
        obs({ at: T0 + 10 * S, backlog: 10, inFlight: 2, completed: 4, replicas: 2 }),
      ],
      target: 5,
      // busy 2 × 10 = 20 s, μ = 0.2; λ = 4/10 = 0.4 → 2; B/(μT) = 10/1 = 10
      want: { replicas: 10, mu: 0.2, lambda: 0.4 },
    },
  ];
  for (const c of cases)
    test(c.name, () => {
      const p = planForWait(fold(c.rounds), c.target);
      if (c.want instanceof RegExp) {
        assert.equal(p.ok, false);
        if (!p.ok) assert.match(p.why, c.want);
        return;
      }
      assert.ok(p.ok, p.ok ? '' : p.why);
      assert.equal(p.plan.replicas, c.want.replicas);
      if (c.want.mu !== undefined) assert.ok(Math.abs(p.plan.perReplicaRate - c.want.mu) < 1e-9);
      if (c.want.lambda !== undefined)
        assert.ok(Math.abs(p.plan.arrivalRate - c.want.lambda) < 1e-9);
      assert.match(p.plan.arithmetic, new RegExp(`→ ${c.want.replicas} `));
    });

  test('old evidence halves after the half-life, whatever the number of rounds', () => {
    const a = fold([
      obs({ at: T0, completed: 0, busySeconds: 0 }),
      obs({ at: T0 + WAIT_HALF_LIFE_SECONDS * S, completed: 10, busySeconds: 10 }),
      obs({ at: T0 + 2 * WAIT_HALF_LIFE_SECONDS * S, completed: 10, busySeconds: 10 }),
    ])!;
    // The same time in 75 short rounds (push wake-ups every 200 ms) keeps the same weight.
    const many: WaitObservation[] = [
      obs({ at: T0, completed: 0, busySeconds: 0 }),
      obs({ at: T0 + WAIT_HALF_LIFE_SECONDS * S, completed: 10, busySeconds: 10 }),
    ];
    for (let i = 1; i <= 75; i++)
      many.push(
        obs({ at: T0 + (WAIT_HALF_LIFE_SECONDS + i * 0.2) * S, completed: 10, busySeconds: 10 }),
      );
    const b = fold(many)!;
    assert.ok(Math.abs(a.completions - 5) < 1e-9, `${a.completions}`);
    assert.ok(Math.abs(b.completions - 5) < 1e-6, `${b.completions}`);
  });
});

describe('arrivals from readings taken at slightly different moments', () => {
  // 10 tasks waiting, no new ones. Every 200 ms a worker takes one: the list reads one less at
  // once, while the worker's record shows it in flight only from the next round. Nothing
  // arrives; counting only the rises of the total read one arrival per task taken.
  const rounds: WaitObservation[] = [];
  for (let i = 0; i <= 10; i++) {
    const taken = i;
    const seen = Math.max(0, i - 1);
    rounds.push(
      obs({
        at: T0 + i * 0.2 * S,
        backlog: 10 - taken,
        inFlight: seen,
        completed: 0,
        busySeconds: 0,
      }),
    );
  }
  rounds.push(
    obs({ at: T0 + 11 * 0.2 * S, backlog: 0, inFlight: 10, completed: 0, busySeconds: 0 }),
  );

  test('a dip of one round and the rise after it cancel', () => {
    const e = fold(rounds)!;
    assert.ok(Math.abs(e.arrivals) < 0.1, `arrivals ${e.arrivals}, want about 0`);
  });

  test('λ is never negative', () => {
    const e = fold([
      obs({ at: T0, backlog: 5, inFlight: 0, completed: 0, busySeconds: 0 }),
      obs({ at: T0 + 15 * S, backlog: 0, inFlight: 0, completed: 3, busySeconds: 15 }),
    ]);
    const p = planForWait(e, 10);
    assert.ok(p.ok, p.ok ? '' : p.why);
    assert.equal(p.plan.arrivalRate, 0);
    assert.ok(e!.arrivals < 0, 'the raw sum went down (tasks purged or a record lost)');
  });
});

describe('decideScaledObject with a wait target', () => {
  const so = makeSo(
    { pollingInterval: 15, maxReplicaCount: 10 },
    { [TARGET_WAIT_ANNOTATION]: '10' },
  );
  const first = decide({
    so,
    readings: [read(5)],
    currentReplicas: 1,
    waitSignals: { inFlight: 0, completed: 0, busySeconds: 0 },
  });

  test('without a measurement the trigger target sizes the pool', () => {
    assert.equal(first.desiredReplicas, 1); // ceil(5 / 10)
    assert.ok(first.state.waitEstimate, 'the first observation is kept');
    assert.ok(first.reasons.some((r) => /no measurement yet/.test(r.message)));
  });

  const second = decide({
    so,
    readings: [read(16)],
    currentReplicas: 1,
    now: T0 + 15 * S,
    state: first.state,
    waitSignals: { inFlight: 1, completed: 3, busySeconds: 15 },
  });

  test('with one it reaches the estimate in one round, past the default scale-up limit', () => {
    // listLength 10 would say ceil(16/10) = 2; the HPA default would allow 1 → 5.
    assert.equal(second.desiredReplicas, 8);
    assert.deepEqual(
      second.hpaMetrics.map((m) => m.name),
      ['s0-redis-q'],
      'the triggers are still reported as they are',
    );
    const why = second.reasons.find((r) => r.code === 'TideWaitTarget');
    assert.match(why?.message ?? '', /max\(5, 8\) = 8 → 8/);
  });

  test('scale-in follows the estimate after one polling interval, not 300 s', () => {
    const idle = { inFlight: 0, completed: 3, busySeconds: 15 };
    let state = second.state;
    let replicas = 8;
    const seen: number[] = [];
    for (let t = 30; t <= 90; t += 15) {
      const d = decide({
        so,
        readings: [read(1)],
        currentReplicas: replicas,
        now: T0 + t * S,
        state,
        waitSignals: idle,
      });
      state = d.state;
      replicas = d.desiredReplicas;
      seen.push(replicas);
    }
    assert.ok(replicas < 8, `shrunk within a minute: ${seen.join(' ')}`);
    assert.ok(replicas >= 1);
  });

  test('an invalid annotation is reported and leaves the triggers in charge', () => {
    const bad = makeSo({}, { [TARGET_WAIT_ANNOTATION]: 'soon' });
    const d = decide({ so: bad, readings: [read(25)], currentReplicas: 1, state: st({}) });
    assert.equal(d.desiredReplicas, 3);
    assert.ok(d.reasons.some((r) => r.code === 'TideAnnotationInvalid'));
    assert.equal(d.state.waitEstimate, undefined);
  });

  test('the synthetic metric name is what explain shows', () => {
    assert.equal(WAIT_TARGET_METRIC, 'tide-wait-target');
  });
});

describe('a right-sized pool whose list reads empty', () => {
  // Workers take each task as it arrives: LLEN reads 0, the last active round was 300 s ago
  // (more than cooldownPeriod 200), yet tasks are in flight.
  const so = makeSo(
    { pollingInterval: 15, cooldownPeriod: 200, maxReplicaCount: 10 },
    { [TARGET_WAIT_ANNOTATION]: '10' },
  );
  const state = st({ active: true, lastActiveTime: T0 - 300 * S });
  const at = (inFlight: number, annotated = true) =>
    decide({
      so: annotated
        ? so
        : makeSo({ pollingInterval: 15, cooldownPeriod: 200, maxReplicaCount: 10 }),
      readings: [read(0)],
      currentReplicas: 5,
      now: T0,
      state,
      waitSignals: { inFlight, completed: 100, busySeconds: 500 },
    });

  test('tasks in flight keep it active: no scale to zero under load', () => {
    const d = at(4);
    assert.equal(d.isActive, true);
    assert.ok(d.desiredReplicas > 0, `desired ${d.desiredReplicas}`);
    assert.ok(d.reasons.some((r) => /4 task\(s\) in flight keep/.test(r.message)));
  });

  test("nothing in flight: KEDA's cooldown applies and the pool goes to zero", () => {
    assert.equal(at(0).desiredReplicas, 0);
  });

  test("without a wait target KEDA's activation is unchanged", () => {
    assert.equal(at(4, false).desiredReplicas, 0);
  });
});

describe('before μ is measured: the backlog one wait target ahead', () => {
  test('the episode starts at the first busy observation and ends when the source reads idle', () => {
    const e = fold([
      obs({ at: T0, backlog: 0, inFlight: 0, completed: 0 }),
      obs({ at: T0 + 15 * S, backlog: 2, inFlight: 0, completed: 0 }),
      obs({ at: T0 + 16 * S, backlog: 9, inFlight: 3, completed: 0 }),
    ])!;
    assert.deepEqual(e.episode, { at: T0 + 15 * S, total: 2 });
    const after = observeWait(e, obs({ at: T0 + 40 * S, backlog: 0, inFlight: 0, completed: 12 }));
    assert.equal(after.episode, undefined);
  });

  test("a burst after a quiet spell: the episode's rate, not the decayed one", () => {
    // 30 s idle, then 10 tasks a second for 2 s; nothing completed yet.
    const rounds = [0, 15, 30].map((t) => obs({ at: T0 + t * S, backlog: 0, completed: 0 }));
    rounds.push(obs({ at: T0 + 30.2 * S, backlog: 2, inFlight: 0, completed: 0 }));
    rounds.push(obs({ at: T0 + 32.2 * S, backlog: 20, inFlight: 2, completed: 0 }));
    const e = fold(rounds)!;
    const p = projectBacklog(e, 10)!;
    assert.equal(p.episodeRate, 10); // (22 - 2) / 2 s
    assert.equal(p.projected, 120); // 20 + 10 × 10
    const decayed = e.arrivals / e.elapsedSeconds;
    assert.ok(decayed < 2, `the decayed λ lags (${decayed}), which is why the episode is used`);
  });

  test('too early to call it a rate: no projection under one second', () => {
    const e = fold([
      obs({ at: T0, backlog: 1, completed: 0 }),
      obs({ at: T0 + 0.2 * S, backlog: 2, completed: 0 }),
    ]);
    assert.equal(projectBacklog(e, 10), undefined);
  });

  const so = makeSo(
    { pollingInterval: 15, maxReplicaCount: 10 },
    { [TARGET_WAIT_ANNOTATION]: '10' },
  );
  /** Rounds of a source: [seconds, backlog, in flight]; workers report 0 completions. */
  function run(rounds: [number, number, number][]) {
    let state = st({});
    let replicas = 0;
    const seen: number[] = [];
    const reasons: string[] = [];
    for (const [t, backlog, inFlight] of rounds) {
      const d = decide({
        so,
        readings: [read(backlog)],
        currentReplicas: replicas,
        now: T0 + t * S,
        state,
        waitSignals: { inFlight, completed: 0, busySeconds: 0 },
      });
      state = d.state;
      replicas = d.desiredReplicas;
      seen.push(replicas);
      reasons.push(d.reasons.map((r) => r.message).join('; '));
    }
    return { seen, reasons };
  }

  test('a burst of 10 a second from zero reaches the pool it needs in one round after activation', () => {
    // Push rounds 200 ms apart while tasks pour in; the first worker holds one task.
    const rounds: [number, number, number][] = [[0, 0, 0]];
    for (let i = 1; i <= 8; i++) rounds.push([30 + i * 0.2, 2 * i, i > 1 ? 1 : 0]);
    const { seen, reasons } = run(rounds);
    assert.deepEqual(seen.slice(0, 2), [0, 1], 'activation brings one replica');
    // Once the episode is a second old: B + λ·T = 16 + (17 − 2) / 1.4 s × 10 → ceil(12.3) → max 10.
    assert.equal(seen.at(-1), 10, seen.join(' '));
    const steps = new Set(seen.filter((n) => n > 1));
    assert.deepEqual([...steps], [10], `one step from 1 to 10, no staircase: ${seen.join(' ')}`);
    assert.match(
      reasons.at(-1)!,
      /backlog ahead B \+ λ·T = 16 \+ 10.714×10 = 123.143 \(λ over the last 1.4 s/,
    );
  });

  test('a few tasks that stop coming: the projection adds nothing', () => {
    const { seen } = run([
      [0, 0, 0],
      [30, 3, 0],
      [30.5, 2, 1],
      [31.5, 2, 1],
      [33, 1, 1],
    ]);
    assert.deepEqual(seen, [0, 1, 1, 1, 1]);
  });
});
