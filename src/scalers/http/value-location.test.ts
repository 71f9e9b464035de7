import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsApi } from '../metrics-api.js';
import { parseQuantity } from '../resource/quantity.js';
import {
  gjsonGet,
  parseSelector,
  parseXml,
  promTextValue,
  splitPath,
  valueFromResponse,
} from './value-location.js';

const quantities: [string, number | undefined][] = [
  ['250m', 0.25],
  ['0.5', 0.5],
  ['2', 2],
  ['128Mi', 128 * 2 ** 20],
  ['1Gi', 2 ** 30],
  ['1k', 1000],
  ['1e3', 1000],
  ['1.5G', 1.5e9],
  ['ten', undefined],
  ['5 Mi', undefined],
  ['', undefined],
];
for (const [s, want] of quantities) {
  test(`quantity "${s}" is ${want}`, () => assert.equal(parseQuantity(s), want));
}

const doc = { a: { b: [{ c: 1 }, { c: 2 }], 'x.y': 5, name: 'n' }, list: [3, 4, 5] };
const paths: [string, unknown][] = [
  ['a.b.1.c', 2],
  ['list.#', 3],
  ['a.b.#', 2],
  ['a.x\\.y', 5],
  ['a.na*', 'n'],
  ['a.n?me', 'n'],
  ['a.missing', undefined],
  ['list.9', undefined],
];
for (const [p, want] of paths) {
  test(`gjson path "${p}"`, () => assert.deepEqual(gjsonGet(doc, p), want));
}

test('splitPath keeps escaped dots', () => {
  assert.deepEqual(splitPath('a\\.b.c'), ['a.b', 'c']);
});

test('xml: root first, repeated elements become a list, text is trimmed', () => {
  assert.deepEqual(parseXml('<?xml version="1.0"?><r a="1"><v> 3 </v><i>1</i><i>2</i><e/></r>'), {
    r: { v: '3', i: ['1', '2'], e: '' },
  });
  assert.throws(() => parseXml('<r><v>1</r>'), /malformed XML/);
});

test('prometheus selectors and text', () => {
  assert.deepEqual(parseSelector('m{a="1", b="x\\"y"}'), {
    name: 'm',
    labels: [
      ['a', '1'],
      ['b', 'x"y'],
    ],
  });
  const text = 'm{a="1"} 4\nm{a="2"} 5e1\n';
  assert.equal(promTextValue(text, 'm{a="2"}'), 50);
  assert.equal(promTextValue(text, 'm'), 4);
  assert.throws(() => promTextValue(text, 'm{a="3"}'), /value m\{a="3"\} not found/);
});

test('a json boolean is refused with its GJSON type', () => {
  assert.throws(() => valueFromResponse('{"a":true}', 'a', 'json'), /got: 'True'/);
});

test('metrics-api: targetValue 0 is refused unless the trigger feeds scalingModifiers', () => {
  const meta = { url: 'http://api/x', valueLocation: 'a' };
  const r = metricsApi.parse({ metadata: meta, authParams: {}, resolvedEnv: {}, triggerIndex: 0 });
  assert.ok(!r.ok && r.issues.some((i) => /no targetValue given/.test(i.message)));
  const m = metricsApi.parse({
    metadata: meta,
    authParams: {},
    resolvedEnv: {},
    triggerIndex: 0,
    usedByScalingModifiers: true,
  });
  assert.ok(m.ok);
  assert.equal(m.meta.format, 'json');
});
