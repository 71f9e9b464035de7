import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decodeTask, encodeTask, parseEnvelope } from './protocol.js';
import { parseIsoDate, pyRepr, toPyIso } from './py-format.js';

interface Sample {
  raw: string;
  decoded_body: unknown;
  redis_key: string;
}

// Captured from Python Celery 5.2 by test/celery-peer/peer_ctl.py capture.
const dir = fileURLToPath(new URL('../../test/fixtures/celery-messages', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the fixtures hold the six sample messages from Python Celery 5.2', () => {
  assert.ok(files.length >= 6, `found ${files.join(', ')}`);
});

for (const f of files) {
  test(`sample ${f} decodes to the task, id, args and kwargs Python encoded`, () => {
    const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Sample;
    const req = decodeTask(parseEnvelope(s.raw));
    const body = s.decoded_body;
    if (req.protocol === 2) {
      const [args, kwargs] = body as [unknown[], Record<string, unknown>];
      assert.deepEqual(req.args, args);
      assert.deepEqual(req.kwargs, kwargs);
      const headers = (JSON.parse(s.raw) as { headers: { id: string; task: string } }).headers;
      assert.equal(req.id, headers.id);
      assert.equal(req.task, headers.task);
    } else {
      const b = body as {
        id: string;
        task: string;
        args: unknown[];
        kwargs: Record<string, unknown>;
      };
      assert.equal(req.id, b.id);
      assert.equal(req.task, b.task);
      assert.deepEqual(req.args, b.args);
      assert.deepEqual(req.kwargs, b.kwargs);
    }
    assert.ok(req.deliveryTag, 'has a delivery tag');
    assert.equal(req.routingKey, 'celery');
  });
}

const specifics = [
  {
    file: 'countdown-v2.json',
    check: (r: ReturnType<typeof decodeTask>) =>
      assert.equal(r.eta?.toISOString(), '2026-12-05T23:45:25.565Z'),
  },
  {
    file: 'expires-kwargs-v2.json',
    check: (r: ReturnType<typeof decodeTask>) =>
      assert.equal(r.expires?.toISOString(), '2026-12-05T23:46:26.665Z'),
  },
  {
    file: 'priority-v2.json',
    check: (r: ReturnType<typeof decodeTask>) => assert.equal(r.priority, 5),
  },
  {
    file: 'plain-v1.json',
    check: (r: ReturnType<typeof decodeTask>) => (assert.equal(r.protocol, 1), assert.ok(r.eta)),
  },
  {
    file: 'plain-v2.json',
    check: (r: ReturnType<typeof decodeTask>) => (
      assert.equal(r.protocol, 2),
      assert.equal(r.eta, null),
      assert.deepEqual(r.timeLimit, [null, null])
    ),
  },
];
for (const c of specifics) {
  test(`sample ${c.file} carries its specific option`, () => {
    const s = JSON.parse(readFileSync(join(dir, c.file), 'utf8')) as Sample;
    c.check(decodeTask(parseEnvelope(s.raw)));
  });
}

test('an encoded v2 message has the same header and property keys as Python sends', () => {
  const py = JSON.parse(
    (JSON.parse(readFileSync(join(dir, 'plain-v2.json'), 'utf8')) as Sample).raw,
  ) as {
    headers: object;
    properties: object;
  };
  const ours = encodeTask({ task: 'tasks.add', args: [2, 3], queue: 'celery' });
  assert.deepEqual(Object.keys(ours.headers).sort(), Object.keys(py.headers).sort());
  assert.deepEqual(Object.keys(ours.properties).sort(), Object.keys(py.properties).sort());
  assert.equal(ours.headers.argsrepr, '[2, 3]');
  const back = decodeTask(parseEnvelope(JSON.stringify(ours)));
  assert.deepEqual(back.args, [2, 3]);
  assert.equal(back.id, ours.headers.id);
});

test('an encoded message with expires and countdown round-trips both times', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const env = encodeTask({
    task: 't',
    queue: 'q',
    eta: new Date(now.getTime() + 30_000),
    expires: new Date(now.getTime() + 60_500),
    now,
  });
  assert.equal(env.headers.eta, '2026-01-01T00:00:30+00:00');
  assert.equal(env.headers.expires, '2026-01-01T00:01:00.500000+00:00');
  assert.equal(env.properties.expiration, '60500');
  const r = decodeTask(env);
  assert.equal(r.eta?.getTime(), now.getTime() + 30_000);
});

const reprCases = [
  {
    name: 'strings use single quotes and escape them',
    v: ['Ada', "St James's"],
    want: "['Ada', 'St James\\'s']",
  },
  {
    name: 'dicts and Python literals',
    v: { z: 1, b: true, n: null },
    want: "{'z': 1, 'b': True, 'n': None}",
  },
];
for (const c of reprCases) test(`pyRepr: ${c.name}`, () => assert.equal(pyRepr(c.v), c.want));

test('ISO timestamps parse with microseconds, Z, offsets and naive (UTC) forms', () => {
  assert.equal(
    parseIsoDate('2026-11-23T06:26:55.099733+00:00')?.toISOString(),
    '2026-11-23T06:26:55.100Z',
  );
  assert.equal(
    parseIsoDate('2026-11-23T08:26:55+02:00')?.toISOString(),
    '2026-11-23T06:26:55.000Z',
  );
  assert.equal(parseIsoDate('2026-11-23T06:26:55')?.toISOString(), '2026-11-23T06:26:55.000Z');
  assert.equal(toPyIso(new Date('2026-11-23T06:26:55.099Z'), false), '2026-11-23T06:26:55.099000');
  assert.throws(() => parseIsoDate('yesterday'));
});
