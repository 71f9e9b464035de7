import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { Secret } from '../../secret.js';
import { describeCommand, expandVars, generateName, materialize } from './process-spec.js';

const vars: Record<string, string> = { HOST: 'db', PORT: '5432', EMPTY: '' };
const lookup = (n: string): string | undefined => vars[n];

const cases = [
  { name: 'replaces a defined $(VAR)', input: '--host=$(HOST):$(PORT)', want: '--host=db:5432' },
  { name: 'leaves an undefined reference as written', input: '$(NOPE)/x', want: '$(NOPE)/x' },
  { name: 'replaces a defined but empty variable with nothing', input: 'a$(EMPTY)b', want: 'ab' },
  { name: 'turns $$(VAR) into the literal $(VAR)', input: '$$(HOST)', want: '$(HOST)' },
  {
    name: 'turns $$ into $, so a shell pid is written $$$$',
    input: 'echo $$ $$$$',
    want: 'echo $ $$',
  },
  {
    name: 'keeps a lone $ and shell-style $VAR untouched',
    input: 'cost $5 $HOST',
    want: 'cost $5 $HOST',
  },
  { name: 'keeps an unclosed reference untouched', input: 'x $(HOST', want: 'x $(HOST' },
  { name: 'keeps a trailing $', input: 'end$', want: 'end$' },
];
for (const c of cases) {
  test(`expandVars ${c.name}`, () => {
    assert.equal(expandVars(c.input, lookup), c.want);
  });
}

test('generateName gives <prefix>-<5 chars of the Kubernetes alphabet>', () => {
  const name = generateName('celery-worker', () => false);
  assert.match(name, /^celery-worker-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('generateName never returns a taken name', () => {
  const seen = new Set<string>();
  let calls = 0;
  // Refuse the first two candidates to prove it retries instead of returning a clash.
  const name = generateName('w', (n) => {
    calls++;
    seen.add(n);
    return calls <= 2;
  });
  assert.equal(calls, 3);
  assert.ok(seen.has(name));
});

test('materialize reveals secrets only in the spawn env and expands them in args', () => {
  const spec = {
    command: ['run', '--conn=$(CONN)'],
    env: { CONN: new Secret('mongodb://u:hunter2@h'), PLAIN: 'p' },
  };
  const { argv, env } = materialize(spec);
  assert.deepEqual(argv, ['run', '--conn=mongodb://u:hunter2@h']);
  assert.equal(env.CONN, 'mongodb://u:hunter2@h');
  assert.equal(env.PLAIN, 'p');
  assert.equal(env.PATH, process.env.PATH, 'inherits tide environment by default');
  assert.ok(!describeCommand(spec).includes('hunter2'), 'messages show the unexpanded command');
  assert.ok(!inspect(spec).includes('hunter2'));
});

test('materialize with inheritEnv false passes only the container env', () => {
  const { env } = materialize({ command: ['x'], env: { A: '1' }, inheritEnv: false });
  assert.deepEqual(env, { A: '1' });
});
