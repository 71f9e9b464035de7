import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { lazyChild } from './lazy-logger.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, base: undefined }, stream), lines };
}

test('a lazy child writes what pino.child would, with its bindings and nested children', async () => {
  const { logger, lines } = capture('info');
  let children = 0;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its `this` below
  const child = logger.child;
  // pino children inherit this method, so nested children are counted too.
  logger.child = function (this: typeof logger, ...a: Parameters<typeof child>) {
    children++;
    return child.apply(this, a);
  } as typeof logger.child;
  const so = lazyChild(logger, { object: 'ScaledObject ns/a' });
  const trigger = so.child({ trigger: 0, type: 'redis' });
  so.debug('below the level');
  trigger.debug({ x: 1 }, 'below the level');
  assert.equal(children, 0, 'nothing logged at an enabled level: no child made');
  so.warn({ err: 'boom' }, 'cannot read');
  trigger.info('connected');
  trigger.error('failed');
  await new Promise((r) => setImmediate(r));
  assert.equal(children, 2);
  assert.deepEqual(
    lines.map(({ time: _t, ...l }) => l),
    [
      { level: 40, object: 'ScaledObject ns/a', err: 'boom', msg: 'cannot read' },
      { level: 30, object: 'ScaledObject ns/a', trigger: 0, type: 'redis', msg: 'connected' },
      { level: 50, object: 'ScaledObject ns/a', trigger: 0, type: 'redis', msg: 'failed' },
    ],
  );
  assert.equal(so.isLevelEnabled('debug'), false);
  assert.equal(trigger.level, 'info');
});
