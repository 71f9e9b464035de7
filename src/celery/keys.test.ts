import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  consumeKeys,
  messagePriority,
  priorityStep,
  queueKeyFor,
  queueOfKey,
  SEP,
} from './keys.js';

const stepCases = [
  { name: 'priority 0 stays on the plain list', p: 0, key: 'celery' },
  { name: 'priority 2 rounds down to step 0', p: 2, key: 'celery' },
  { name: 'priority 5 goes to step 3 (as the captured sample shows)', p: 5, key: `celery${SEP}3` },
  { name: 'priority 6 goes to step 6', p: 6, key: `celery${SEP}6` },
  { name: 'priority 9 goes to step 9', p: 9, key: `celery${SEP}9` },
];
for (const c of stepCases) test(c.name, () => assert.equal(queueKeyFor('celery', c.p), c.key));

test('message priorities are clamped to 0..9 and default to 0', () => {
  assert.equal(messagePriority(12), 9);
  assert.equal(messagePriority(-1), 0);
  assert.equal(messagePriority(undefined), 0);
  assert.equal(messagePriority('4'), 4);
  assert.equal(priorityStep(4), 3);
});

test('consume order is every step, and within a step every queue (kombu _brpop_start)', () => {
  assert.deepEqual(consumeKeys(['a', 'b']), [
    'a',
    'b',
    `a${SEP}3`,
    `b${SEP}3`,
    `a${SEP}6`,
    `b${SEP}6`,
    `a${SEP}9`,
    `b${SEP}9`,
  ]);
});

test('the queue of a priority sub-list key is the part before the separator', () => {
  assert.equal(queueOfKey(`celery${SEP}9`), 'celery');
  assert.equal(queueOfKey('celery'), 'celery');
});
