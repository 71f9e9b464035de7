import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { Secret } from '../../secret.js';
import { defineScaler, erase, field } from './define.js';
import { int, secret, text } from './params.js';
import type { ParseResult, TriggerInputs } from './types.js';

const probe = defineScaler({
  type: 'probe',
  description: 'test definition',
  metadata: z.object({
    name: field(text(), { doc: 'a required name' }),
    size: field(int().default(5), { doc: 'a number with a default' }),
    host: field(text().optional(), {
      doc: 'from three sources',
      from: ['metadata', 'env', 'auth'],
      aliases: ['hosts'],
    }),
    token: field(secret().optional(), {
      doc: 'a secret',
      from: ['auth', 'metadata', 'env'],
      secret: true,
    }),
    limit: field(int().optional(), { doc: 'an int that may come from a secret', from: ['auth'] }),
  }),
  create: () => Promise.reject(new Error('not used')),
});

function inputs(p: Partial<TriggerInputs>): TriggerInputs {
  return { metadata: {}, resolvedEnv: {}, authParams: {}, triggerIndex: 0, ...p };
}

function ok<M>(r: ParseResult<M>): M {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.meta;
}

function issues<M>(r: ParseResult<M>): { path: string; message: string }[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map(({ path, message }) => ({ path, message }));
}

test('parses "10" into 10 and applies defaults when absent', () => {
  assert.equal(ok(probe.parse(inputs({ metadata: { name: 'a', size: '10' } }))).size, 10);
  assert.equal(ok(probe.parse(inputs({ metadata: { name: 'a' } }))).size, 5);
});

test('a bad number is an issue at metadata.<name> quoting the value', () => {
  assert.deepEqual(issues(probe.parse(inputs({ metadata: { name: 'a', size: 'ten' } }))), [
    { path: 'metadata.size', message: 'must be an integer, got "ten"' },
  ]);
});

test('values are trimmed and a blank value counts as absent', () => {
  const m = ok(probe.parse(inputs({ metadata: { name: '  a ', size: '  ' } })));
  assert.equal(m.name, 'a');
  assert.equal(m.size, 5);
  assert.deepEqual(issues(probe.parse(inputs({ metadata: { name: '   ' } }))), [
    { path: 'metadata.name', message: 'missing required parameter "name" (looked in metadata)' },
  ]);
});

const order: {
  name: string;
  md: Record<string, string>;
  env: TriggerInputs['resolvedEnv'];
  auth: TriggerInputs['authParams'];
  want: string;
}[] = [
  {
    name: 'metadata wins over env and auth',
    md: { host: 'm', hostFromEnv: 'H' },
    env: { H: 'e' },
    auth: { host: 'a' },
    want: 'm',
  },
  {
    name: 'env is used when metadata is blank',
    md: { host: ' ', hostFromEnv: 'H' },
    env: { H: 'e' },
    auth: { host: 'a' },
    want: 'e',
  },
  {
    name: 'auth is used when metadata and env are absent',
    md: {},
    env: {},
    auth: { host: 'a' },
    want: 'a',
  },
  {
    name: 'an alias is read within the same source',
    md: { hosts: 'x' },
    env: {},
    auth: { host: 'a' },
    want: 'x',
  },
  {
    name: 'a blank env value falls through to auth',
    md: { hostFromEnv: 'H' },
    env: { H: '' },
    auth: { host: 'a' },
    want: 'a',
  },
  {
    name: 'a Secret env value of a plain field is revealed as a string',
    md: { hostFromEnv: 'H' },
    env: { H: new Secret('s') },
    auth: {},
    want: 's',
  },
];
for (const c of order) {
  test(`source order: ${c.name}`, () => {
    const m = ok(
      probe.parse(
        inputs({ metadata: { name: 'n', ...c.md }, resolvedEnv: c.env, authParams: c.auth }),
      ),
    );
    assert.equal(m.host, c.want);
  });
}

test('a FromEnv naming a variable that is not set is an error at metadata.<name>FromEnv', () => {
  assert.deepEqual(issues(probe.parse(inputs({ metadata: { name: 'n', hostFromEnv: 'NOPE' } }))), [
    {
      path: 'metadata.hostFromEnv',
      message: 'environment variable "NOPE" is not set in the scale target\'s container',
    },
  ]);
});

test('secret fields resolve to a Secret, even from plain metadata', () => {
  const m = ok(probe.parse(inputs({ metadata: { name: 'n', token: 'plain' } })));
  assert.ok(m.token instanceof Secret);
  assert.equal(m.token.reveal(), 'plain');
  const fromAuth = ok(
    probe.parse(
      inputs({ metadata: { name: 'n', token: 'meta' }, authParams: { token: new Secret('auth') } }),
    ),
  );
  assert.equal(fromAuth.token?.reveal(), 'auth');
});

test('an invalid value that came from a Secret is reported without the value', () => {
  const r = probe.parse(
    inputs({ metadata: { name: 'n' }, authParams: { limit: new Secret('hunter2') } }),
  );
  assert.deepEqual(issues(r), [
    { path: 'authenticationRef', message: 'parameter "limit": must be an integer' },
  ]);
  assert.ok(!JSON.stringify(r).includes('hunter2'));
});

test('unknown metadata keys warn and never fail', () => {
  const r = probe.parse(inputs({ metadata: { name: 'n', nmae: 'typo', limit: '3' } }));
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && r.warnings.map((w) => [w.path, w.severity, w.message]), [
    ['metadata.nmae', 'warning', 'unknown parameter for the probe trigger; ignored'],
    [
      'metadata.limit',
      'warning',
      '"limit" is only read from a TriggerAuthentication; this value is ignored',
    ],
  ]);
});

test('when parsing fails the unknown-key warnings come with the errors', () => {
  const r = probe.parse(inputs({ metadata: { nmae: 'typo' } }));
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.issues.map((i) => [i.path, i.severity]), [
    ['metadata.name', 'error'],
    ['metadata.nmae', 'warning'],
  ]);
});

test('FromEnv keys and aliases are known keys', () => {
  const r = probe.parse(
    inputs({
      metadata: { name: 'n', hostsFromEnv: 'H', tokenFromEnv: 'T' },
      resolvedEnv: { H: 'h', T: 't' },
    }),
  );
  assert.equal(r.ok && r.warnings.length, 0);
});

test('parse never throws, even on malformed inputs', () => {
  const r = probe.parse({ metadata: null } as unknown as TriggerInputs);
  assert.equal(r.ok, false);
  assert.match(issues(r)[0]?.message ?? '', /internal error parsing probe metadata/);
});

test('an erased definition accepts back only the meta its own parse produced', async () => {
  const any = erase(probe);
  const parsed = any.parse(inputs({ metadata: { name: 'n' } }));
  assert.equal(parsed.ok, true);
  const other = erase(probe).parse(inputs({ metadata: { name: 'n' } }));
  assert.ok(other.ok);
  await assert.rejects(
    any.create(other.meta, {} as never),
    /metadata was not produced by probe.parse/,
  );
  assert.ok(parsed.ok);
  await assert.rejects(any.create(parsed.meta, {} as never), /not used/);
});

test('params describe every field for the docs', () => {
  assert.deepEqual(
    probe.params.map((p) => [
      p.name,
      p.type,
      p.required,
      p.default,
      p.from.join('>'),
      p.secret,
      p.aliases.join(),
    ]),
    [
      ['name', 'string', true, undefined, 'metadata', false, ''],
      ['size', 'integer', false, '5', 'metadata', false, ''],
      ['host', 'string', false, undefined, 'metadata>env>auth', false, 'hosts'],
      ['token', 'string (secret)', false, undefined, 'auth>metadata>env', true, ''],
      ['limit', 'integer', false, undefined, 'auth', false, ''],
    ],
  );
});
