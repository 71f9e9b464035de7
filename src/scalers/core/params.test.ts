import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bool, duration, float, int, list, oneOf, parseGoDuration } from './params.js';

interface Case {
  name: string;
  schema: {
    safeParse(v: unknown): {
      success: boolean;
      data?: unknown;
      error?: { issues: { message: string }[] };
    };
  };
  input: string;
  want?: unknown;
  error?: string;
}

const cases: Case[] = [
  { name: 'int reads "10" as 10', schema: int(), input: '10', want: 10 },
  { name: 'int accepts a negative integer', schema: int(), input: '-3', want: -3 },
  {
    name: 'int rejects a word and quotes it',
    schema: int(),
    input: 'ten',
    error: 'must be an integer, got "ten"',
  },
  {
    name: 'int rejects "5.5" like a JSON number into int64',
    schema: int(),
    input: '5.5',
    error: 'must be an integer, got "5.5"',
  },
  {
    name: 'int rejects a leading zero like JSON',
    schema: int(),
    input: '05',
    error: 'must be an integer, got "05"',
  },
  {
    name: 'int rejects values beyond the safe range',
    schema: int(),
    input: '99999999999999999999',
    error: 'must be an integer between',
  },
  { name: 'float reads "0.5"', schema: float(), input: '0.5', want: 0.5 },
  { name: 'float reads an exponent', schema: float(), input: '1e3', want: 1000 },
  { name: 'float rejects "AA"', schema: float(), input: 'AA', error: 'must be a number, got "AA"' },
  { name: 'bool reads Go "T" as true', schema: bool(), input: 'T', want: true },
  { name: 'bool reads Go "0" as false', schema: bool(), input: '0', want: false },
  {
    name: 'bool rejects "yes" (not Go ParseBool)',
    schema: bool(),
    input: 'yes',
    error: 'must be a boolean (true or false), got "yes"',
  },
  { name: 'duration reads a Go duration', schema: duration(), input: '1m30s', want: 90_000 },
  {
    name: 'duration reads a plain integer as milliseconds',
    schema: duration(),
    input: '1500',
    want: 1500,
  },
  {
    name: 'duration rejects a negative value',
    schema: duration(),
    input: '-5s',
    error: 'must not be negative, got "-5s"',
  },
  {
    name: 'duration rejects an unknown unit',
    schema: duration(),
    input: '5d',
    error: 'must be a duration like',
  },
  {
    name: 'list splits on commas and trims each item',
    schema: list(),
    input: 'a:1, b:2 ,c:3',
    want: ['a:1', 'b:2', 'c:3'],
  },
  {
    name: 'oneOf accepts a listed value',
    schema: oneOf(['enable', 'disable']),
    input: 'enable',
    want: 'enable',
  },
  {
    name: 'oneOf rejects other values and lists the allowed ones',
    schema: oneOf(['enable', 'disable']),
    input: 'on',
    error: 'must be one of enable, disable, got "on"',
  },
];

for (const c of cases) {
  test(c.name, () => {
    const r = c.schema.safeParse(c.input);
    if (c.error === undefined) {
      assert.equal(r.success, true);
      assert.deepEqual(r.data, c.want);
    } else {
      assert.equal(r.success, false);
      assert.ok(r.error?.issues[0]?.message.startsWith(c.error), r.error?.issues[0]?.message);
    }
  });
}

test('parseGoDuration handles fractions and several units', () => {
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('h'), undefined);
});
