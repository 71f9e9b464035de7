import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../secret.js';
import { hostGuard, TokenCheck } from './http-auth.js';

const cases = [
  { name: 'localhost with a port', listen: '127.0.0.1', host: 'localhost:7117', ok: true },
  { name: 'LOCALHOST in capitals', listen: '127.0.0.1', host: 'LOCALHOST:7117', ok: true },
  { name: '127.0.0.1 with any port', listen: '127.0.0.1', host: '127.0.0.1:9999', ok: true },
  { name: '127.0.0.1 without a port', listen: '127.0.0.1', host: '127.0.0.1', ok: true },
  { name: '[::1] with a port', listen: '::1', host: '[::1]:7117', ok: true },
  { name: 'the configured host', listen: '127.0.0.2', host: '127.0.0.2:7117', ok: true },
  {
    name: 'no Host at all (HTTP/1.0, not a browser)',
    listen: '127.0.0.1',
    host: undefined,
    ok: true,
  },
  { name: 'a rebinding name', listen: '127.0.0.1', host: 'evil.example:7117', ok: false },
  { name: 'a rebinding name without a port', listen: '127.0.0.1', host: 'evil.example', ok: false },
  {
    name: 'a name ending in localhost',
    listen: '127.0.0.1',
    host: 'localhost.evil.example',
    ok: false,
  },
  {
    name: 'another loopback address not configured',
    listen: '127.0.0.1',
    host: '127.0.0.2:7117',
    ok: false,
  },
  { name: 'the machine name', listen: '127.0.0.1', host: 'my-laptop:7117', ok: false },
  { name: 'a bracketed name that is not ::1', listen: '::1', host: '[::2]:7117', ok: false },
];
for (const c of cases) {
  test(`on loopback without a token, Host ${c.name} is ${c.ok ? 'answered' : 'refused'}`, () => {
    assert.equal(hostGuard(c.listen, undefined)(c.host), c.ok);
  });
}

test('with a token any Host is answered: the token decides', () => {
  assert.equal(hostGuard('127.0.0.1', new TokenCheck(new Secret('t0ken')))('evil.example'), true);
});
