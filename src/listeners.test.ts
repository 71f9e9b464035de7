import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedListeners } from './listeners.js';

test('keyed listeners: one per key is kept without a Set, and a second joins and leaves', () => {
  const l = new KeyedListeners<string, (x: number) => void>();
  const calls: string[] = [];
  const a = (x: number) => calls.push(`a${x}`);
  const b = (x: number) => calls.push(`b${x}`);
  assert.equal(l.add('k', a), true, 'first listener of a key');
  assert.equal(l.add('k', a), false, 'the same listener again changes nothing');
  l.each('k', (fn) => fn(1));
  assert.deepEqual(calls, ['a1']);
  assert.equal(l.add('k', b), false);
  l.each('k', (fn) => fn(2));
  assert.deepEqual(calls, ['a1', 'a2', 'b2']);
  assert.equal(l.delete('k', a), false, 'b is still there');
  l.each('k', (fn) => fn(3));
  assert.deepEqual(calls, ['a1', 'a2', 'b2', 'b3']);
  assert.equal(l.delete('k', a), false, 'deleting one that is gone leaves the others');
  assert.equal(l.delete('k', b), true, 'the last one gone');
  assert.equal(l.has('k'), false);
  l.each('k', (fn) => fn(4));
  assert.equal(calls.length, 4);
  assert.deepEqual([...l.keys()], []);
});

test('keyed listeners: a listener that removes another while called', () => {
  const l = new KeyedListeners<string, () => void>();
  const calls: string[] = [];
  const b = () => calls.push('b');
  const a = () => {
    calls.push('a');
    l.delete('k', b);
  };
  l.add('k', a);
  l.add('k', b);
  l.each('k', (fn) => fn());
  assert.deepEqual(calls, ['a'], 'b was removed before its turn');
  assert.equal(l.delete('k', a), true);
});
