import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEDA, TIDE } from './reasons.js';
import { formatInstant, formatRfc3339, parseRfc3339 } from './time.js';

const cases: { name: string; input: string | undefined; want: number | undefined }[] = [
  {
    name: 'a UTC timestamp',
    input: '2023-11-14T22:13:20Z',
    want: Date.UTC(2023, 10, 14, 22, 13, 20),
  },
  { name: 'the epoch', input: '1970-01-01T00:00:00Z', want: 0 },
  { name: 'a leap day', input: '2024-02-29T12:00:00Z', want: Date.UTC(2024, 1, 29, 12) },
  {
    name: 'fractional seconds',
    input: '2023-01-01T00:00:00.250Z',
    want: Date.UTC(2023, 0, 1) + 250,
  },
  { name: 'a positive offset', input: '2023-01-01T02:00:00+02:00', want: Date.UTC(2023, 0, 1) },
  { name: 'a negative offset', input: '2022-12-31T19:30:00-04:30', want: Date.UTC(2023, 0, 1) },
  { name: 'a date without time is not RFC 3339', input: '2023-01-01', want: undefined },
  { name: 'month 13 is rejected', input: '2023-13-01T00:00:00Z', want: undefined },
  { name: 'undefined stays undefined', input: undefined, want: undefined },
];
for (const c of cases) {
  test(`parseRfc3339: ${c.name}`, () => assert.equal(parseRfc3339(c.input), c.want));
}

test('reason codes are unique across KEDA and tide', () => {
  const all = [...Object.values(KEDA), ...Object.values(TIDE)];
  assert.equal(new Set(all).size, all.length);
});

const formats: { name: string; ms: number; want: string }[] = [
  {
    name: 'a real instant prints as RFC 3339',
    ms: Date.UTC(2026, 10, 23, 11, 5),
    want: '2026-11-23T11:05:00Z',
  },
  {
    name: 'milliseconds print only when present',
    ms: Date.UTC(2024, 1, 29, 0, 0, 1, 250),
    want: '2024-02-29T00:00:01.250Z',
  },
  { name: 'a simulated clock prints seconds', ms: 575_000, want: '575 s' },
];
for (const c of formats) {
  test(`formatInstant: ${c.name}`, () => assert.equal(formatInstant(c.ms), c.want));
}

test('formatRfc3339 and parseRfc3339 round-trip', () => {
  for (const ms of [0, 951_782_400_000, 1_700_000_000_123, 4_102_444_799_000])
    assert.equal(parseRfc3339(formatRfc3339(ms)), ms);
});
