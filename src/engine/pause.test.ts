import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ANNOTATIONS,
  parseJobCapAnnotations,
  parsePauseAnnotations,
  type PauseState,
} from './pause.js';

const A = ANNOTATIONS;
const none: PauseState = {
  paused: false,
  pausedScaleIn: false,
  pausedScaleOut: false,
  forceActivation: false,
};

const cases: {
  name: string;
  ann: Record<string, string>;
  kind?: 'ScaledObject' | 'ScaledJob';
  want: Partial<PauseState> | RegExp;
}[] = [
  { name: 'no annotations: nothing paused', ann: {}, want: {} },
  { name: 'paused "true" pauses', ann: { [A.paused]: 'true' }, want: { paused: true } },
  { name: 'paused "T" pauses (Go ParseBool)', ann: { [A.paused]: 'T' }, want: { paused: true } },
  { name: 'paused "1" pauses', ann: { [A.paused]: '1' }, want: { paused: true } },
  { name: 'paused "false" does not pause', ann: { [A.paused]: 'false' }, want: {} },
  { name: 'paused "0" does not pause', ann: { [A.paused]: '0' }, want: {} },
  {
    name: 'paused "yes" is not a Go bool and counts as true',
    ann: { [A.paused]: 'yes' },
    want: { paused: true },
  },
  { name: 'paused "" counts as true', ann: { [A.paused]: '' }, want: { paused: true } },
  {
    name: 'paused-replicas alone pauses at that count',
    ann: { [A.pausedReplicas]: '3' },
    want: { paused: true, pausedReplicas: 3 },
  },
  {
    name: 'paused-replicas wins over paused "false"',
    ann: { [A.paused]: 'false', [A.pausedReplicas]: '0' },
    want: { paused: true, pausedReplicas: 0 },
  },
  {
    name: 'paused-replicas "+2" parses as Go ParseInt does',
    ann: { [A.pausedReplicas]: '+2' },
    want: { paused: true, pausedReplicas: 2 },
  },
  {
    name: 'paused-replicas "two" is an error',
    ann: { [A.pausedReplicas]: 'two' },
    want: /paused-replicas.*must be a non-negative integer \(int32\), got "two"/,
  },
  {
    name: 'paused-replicas "1.5" is an error',
    ann: { [A.pausedReplicas]: '1.5' },
    want: /got "1.5"/,
  },
  {
    name: 'paused-replicas beyond int32 is an error',
    ann: { [A.pausedReplicas]: '2147483648' },
    want: /int32/,
  },
  {
    name: 'paused-replicas negative is an error',
    ann: { [A.pausedReplicas]: '-1' },
    want: /non-negative/,
  },
  {
    name: 'paused-scale-in "true" blocks scale-in only',
    ann: { [A.pausedScaleIn]: 'true' },
    want: { pausedScaleIn: true },
  },
  {
    name: 'paused-scale-out "TRUE" blocks scale-out only',
    ann: { [A.pausedScaleOut]: 'TRUE' },
    want: { pausedScaleOut: true },
  },
  { name: 'paused-scale-in "False" does nothing', ann: { [A.pausedScaleIn]: 'False' }, want: {} },
  {
    name: 'force-activation "true" forces activation',
    ann: { [A.forceActivation]: 'true' },
    want: { forceActivation: true },
  },
  { name: 'force-activation "f" does not', ann: { [A.forceActivation]: 'f' }, want: {} },
  {
    name: 'ScaledJob reads only paused',
    ann: { [A.paused]: 'true', [A.pausedScaleIn]: 'true', [A.pausedReplicas]: 'x' },
    kind: 'ScaledJob',
    want: { paused: true },
  },
  {
    name: 'ScaledJob ignores paused-replicas',
    ann: { [A.pausedReplicas]: '2' },
    kind: 'ScaledJob',
    want: {},
  },
];
for (const c of cases) {
  test(c.name, () => {
    const r = parsePauseAnnotations(c.ann, c.kind);
    if (c.want instanceof RegExp) {
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(`${r.path}: ${r.error}`, c.want);
      return;
    }
    assert.ok(r.ok);
    assert.deepEqual(r.value, { ...none, ...c.want });
  });
}

const caps: { name: string; ann: Record<string, string>; want: object | RegExp }[] = [
  { name: 'no cap annotations: no caps', ann: {}, want: {} },
  {
    name: 'both caps parse',
    ann: { [A.maxJobsPerRound]: '2', [A.maxRunningJobs]: '10' },
    want: { maxPerRound: 2, maxRunning: 10 },
  },
  {
    name: 'a non-integer cap is an error naming the annotation',
    ann: { [A.maxRunningJobs]: 'ten' },
    want: /max-running-jobs.*got "ten"/,
  },
  {
    name: 'a negative cap is an error',
    ann: { [A.maxJobsPerRound]: '-1' },
    want: /max-jobs-per-round.*must be a positive integer/,
  },
  {
    name: 'a cap of 0 is an error (pause the ScaledJob instead), as the manifest validator says',
    ann: { [A.maxRunningJobs]: '0' },
    want: /max-running-jobs.*must be a positive integer, got "0"/,
  },
];
for (const c of caps) {
  test(`job caps: ${c.name}`, () => {
    const r = parseJobCapAnnotations(c.ann);
    if (c.want instanceof RegExp) {
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(`${r.path}: ${r.error}`, c.want);
    } else {
      assert.ok(r.ok);
      assert.deepEqual(r.value, c.want);
    }
  });
}
