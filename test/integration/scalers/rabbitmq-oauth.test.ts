/**
 * The `rabbitmq` trigger's OAuth2 client credentials over HTTP. The shared RabbitMQ has no OAuth2
 * plugin, so a small server in the test plays both the token endpoint and the management API,
 * answering the queue only for the bearer token it issued.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { ScalerError } from '../../../src/errors.js';
import { rabbitmq } from '../../../src/scalers/rabbitmq/rabbitmq.js';
import type { Scaler, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { testContext } from './redis-servers.js';

const CLIENT_SECRET = 'oauth-client-secret-value';
let server: Server;
let base = '';
const tokenRequests: URLSearchParams[] = [];
let issued = 0;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => resolve(b));
  });
}

before(async () => {
  server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'POST' && req.url === '/token') {
        const form = new URLSearchParams(await body(req));
        tokenRequests.push(form);
        const basic = `Basic ${Buffer.from(`client-1:${CLIENT_SECRET}`).toString('base64')}`;
        if (req.headers.authorization !== basic) return res.writeHead(401).end();
        issued += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ access_token: `tok-${issued}`, token_type: 'bearer', expires_in: 3600 }),
        );
      }
      if (req.url === '/api/queues/%2F/jobs') {
        if (req.headers.authorization !== 'Bearer tok-1')
          return res.writeHead(401).end('{"error":"not_authorised"}');
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            messages: 9,
            messages_ready: 8,
            message_stats: { publish_details: { rate: 1.5 } },
          }),
        );
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

async function build(authParams: TriggerInputs['authParams']): Promise<Scaler> {
  const r = rabbitmq.parse({
    metadata: { queueName: 'jobs', host: `${base}/`, mode: 'QueueLength', value: '3' },
    authParams,
    resolvedEnv: {},
    triggerIndex: 0,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return rabbitmq.create(r.meta, testContext());
}

test('reads the queue with a bearer token fetched once by client credentials', async () => {
  const s = await build({
    oauthTokenURI: `${base}/token`,
    clientID: 'client-1',
    clientSecret: new Secret(CLIENT_SECRET),
    scopes: 'rabbitmq.read:*/*,openid',
    endpointParams: 'audience=rabbitmq',
  });
  for (let i = 0; i < 3; i++) {
    const r = await s.getMetricsAndActivity(AbortSignal.timeout(10_000));
    assert.deepEqual(r.metrics[0]?.value, 9);
    assert.equal(r.isActive, true);
  }
  assert.equal(issued, 1, 'the token is cached until it nears expiry');
  const form = tokenRequests[0];
  assert.equal(form?.get('grant_type'), 'client_credentials');
  assert.equal(form?.get('scope'), 'rabbitmq.read:*/* openid');
  assert.equal(form?.get('audience'), 'rabbitmq');
  await s.close();
});

test('a rejected client secret is a ScalerError without the secret', async () => {
  const s = await build({
    oauthTokenURI: `${base}/token`,
    clientID: 'client-1',
    clientSecret: new Secret('wrong-oauth-secret'),
  });
  await assert.rejects(s.getMetricsAndActivity(AbortSignal.timeout(10_000)), (e: unknown) => {
    assert.ok(e instanceof ScalerError);
    assert.match(
      e.message,
      new RegExp(`OAuth2 token request to ${base}/token failed with status 401`),
    );
    assert.ok(!e.message.includes('wrong-oauth-secret'));
    return true;
  });
  await s.close();
});
