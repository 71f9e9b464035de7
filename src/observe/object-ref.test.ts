import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExplainUsageError, parseAt, parseObjectRef } from './object-ref.js';

const refCases = [
  { name: 'so/ is a ScaledObject', text: 'so/worker', kind: 'ScaledObject', obj: 'worker' },
  { name: 'sj/ is a ScaledJob', text: 'sj/transcode', kind: 'ScaledJob', obj: 'transcode' },
  {
    name: 'the kind is case-insensitive',
    text: 'ScaledObject/list-worker',
    kind: 'ScaledObject',
    obj: 'list-worker',
  },
  {
    name: 'plural and group forms work as in kubectl',
    text: 'scaledjobs.keda.sh/x',
    kind: 'ScaledJob',
    obj: 'x',
  },
];
for (const c of refCases) {
  test(`object ref: ${c.name}`, () => {
    assert.deepEqual(parseObjectRef(c.text, 'media'), {
      kind: c.kind,
      namespace: 'media',
      name: c.obj,
    });
  });
}

const badRefs = [
  { name: 'a bare name', text: 'worker' },
  { name: 'another kind', text: 'deployment/worker' },
  { name: 'an invalid object name', text: 'so/Worker_1' },
];
for (const c of badRefs) {
  test(`object ref: ${c.name} is refused with an example of the form`, () => {
    assert.throws(
      () => parseObjectRef(c.text),
      (e: unknown) => e instanceof ExplainUsageError && /so\/worker/.test(e.message),
    );
  });
}

test('object ref: the namespace defaults to default', () => {
  assert.equal(parseObjectRef('so/w').namespace, 'default');
});

const NOW = Date.parse('2026-11-23T12:10:00Z');
const atCases = [
  {
    name: 'an RFC 3339 time',
    text: '2026-11-23T12:04:10Z',
    want: Date.parse('2026-11-23T12:04:10Z'),
  },
  { name: 'minutes ago', text: '5m ago', want: NOW - 300_000 },
  { name: 'a negative span', text: '-90s', want: NOW - 90_000 },
  {
    name: 'a UTC time of day today (end of that second)',
    text: '12:04:10Z',
    want: Date.parse('2026-11-23T12:04:10.999Z'),
  },
];
for (const c of atCases) {
  test(`--at: ${c.name}`, () => assert.equal(parseAt(c.text, NOW), c.want));
}

test('--at: a local time of day is today in local time', () => {
  const d = new Date(NOW);
  d.setHours(9, 30, 0, 999);
  assert.equal(parseAt('09:30', NOW), d.getTime());
});

test('--at: nonsense is refused with examples', () => {
  assert.throws(() => parseAt('yesterday-ish', NOW), /--at: expected a time such as/);
});
