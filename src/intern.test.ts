import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intern, internAll } from './intern.js';

test('intern returns an equal text: the pooled copy, or a long text itself', () => {
  const a = ['Scaling is not performed', 'because triggers are not active'].join(' ');
  const b = ['Scaling is not performed because', 'triggers are not active'].join(' ');
  assert.equal(a, b);
  assert.equal(intern(a), intern(b));
  const long = 'x'.repeat(300);
  assert.equal(intern(long), long);
});

test('internAll replaces strings in place, in nested objects and arrays, and keeps the values', () => {
  const make = () =>
    JSON.parse(
      '{"status":{"conditions":[{"type":"Ready","message":"ScaledObject is ready"}],"n":3,"x":null},"fin":["finalizer.keda.sh"]}',
    ) as { status: { conditions: { message: string }[]; n: number; x: null }; fin: string[] };
  const one = make();
  const two = make();
  const before = JSON.stringify(one);
  internAll(one);
  internAll(two);
  assert.equal(JSON.stringify(one), before);
  assert.equal(JSON.stringify(two), before);
  assert.equal(one.status.conditions[0]!.message, two.status.conditions[0]!.message);
});
