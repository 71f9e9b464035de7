/**
 * The tide-only `celery` trigger: the backlog as Celery sees it on a Redis broker. KEDA's
 * `redis` trigger on `listName: celery` counts only the plain list; kombu also keeps priority
 * sub-lists (`<queue>\x06\x16<step>`) and moves every message a worker has taken (prefetched,
 * ETA-held, or running with acks_late) into the `unacked` hash, where LLEN cannot see it. A pool
 * scaled on LLEN alone can shrink, or go to zero, while workers still hold work.
 *
 * One Lua EVAL per poll reads all of it atomically.
 */
import { errorMessage, ScalerError } from '../../errors.js';
import { consumeKeys, SEP, UNACKED_KEY } from '../../celery/keys.js';
import { buildCeleryMeta, celerySchema, type CeleryMeta } from './metadata.js';
import { defineScaler } from '../core/define.js';
import { metricName } from '../core/metric-name.js';
import { acquireRedis, connectionSecrets } from '../redis/client.js';
import { maybeReap, reaped, workerReads } from './workers.js';
import { abortable } from '../core/source-scaler.js';
import { scrub } from '../core/scrub.js';
import type { Scaler, ScalerContext } from '../core/types.js';

/** Every priority a message can carry: kombu's default steps are 0,3,6,9, but a broker may be configured with any of 0..9. */
const ALL_STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * KEYS: unacked, then the queue lists (plain and sub-lists). ARGV: '1' to count in-flight
 * entries, then the queue names. Returns { waiting, inFlight }.
 *
 * An `unacked` value is kombu's JSON `[message, exchange, routing_key]`; its tail is read with a
 * pattern (decoding every message body would cost far more), cjson only as a fallback. The
 * entry belongs to a queue as kombu's restore decides (`Channel._lookup`): the default exchange
 * `""` routes by routing key = queue name; another exchange goes through its bindings in
 * `_kombu.binding.<exchange>` (members `routing_key SEP pattern SEP queue`, matched as a direct
 * exchange), and when nothing binds it the routing key is taken as the queue name.
 */
export const CELERY_BACKLOG_SCRIPT = `
local SEP = '${SEP.split('')
  .map((c) => `\\${c.charCodeAt(0)}`)
  .join('')}'
local waiting = 0
for i = 2, #KEYS do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t == 'list' then
    waiting = waiting + redis.call('LLEN', KEYS[i])
  elseif t ~= 'none' then
    return redis.error_reply('ERR key ' .. KEYS[i] .. ' is a ' .. t .. ', not a list')
  end
end
local inflight = 0
if ARGV[1] == '1' then
  local t = redis.call('TYPE', KEYS[1]).ok
  if t ~= 'hash' and t ~= 'none' then
    return redis.error_reply('ERR key ' .. KEYS[1] .. ' is a ' .. t .. ', not a hash')
  end
  local want = {}
  for i = 2, #ARGV do want[ARGV[i]] = true end
  local bindings = {}
  local function queues_of(ex, rk)
    if ex == '' then return { rk } end
    local b = bindings[ex]
    if b == nil then
      b = {}
      for _, m in ipairs(redis.call('SMEMBERS', '_kombu.binding.' .. ex)) do
        local s1 = string.find(m, SEP, 1, true)
        local s2 = s1 and string.find(m, SEP, s1 + #SEP, true)
        if s2 then b[#b + 1] = { string.sub(m, 1, s1 - 1), string.sub(m, s2 + #SEP) } end
      end
      bindings[ex] = b
    end
    local out = {}
    for _, pair in ipairs(b) do
      if pair[1] == rk then out[#out + 1] = pair[2] end
    end
    if #out == 0 then out[1] = rk end
    return out
  end
  if t == 'hash' then
    for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
      local ex, rk = string.match(v, ',%s*"([^"\\\\]*)"%s*,%s*"([^"\\\\]*)"%s*%]%s*$')
      if not rk then
        local ok, d = pcall(cjson.decode, v)
        if ok and type(d) == 'table' and type(d[3]) == 'string' then
          ex = type(d[2]) == 'string' and d[2] or ''
          rk = d[3]
        end
      end
      if rk then
        for _, q in ipairs(queues_of(ex, rk)) do
          if want[q] then inflight = inflight + 1 break end
        end
      end
    end
  end
end
return { waiting, inflight }`;

/** What one poll read: tasks waiting in the queue lists, and tasks workers hold. */
export interface CeleryBacklog {
  waiting: number;
  inFlight: number;
}

/** The count the trigger reports for a backlog. */
export function backlogValue(b: CeleryBacklog, includeInFlight: boolean): number {
  return b.waiting + (includeInFlight ? b.inFlight : 0);
}


async function createCeleryScaler(meta: CeleryMeta, ctx: ScalerContext): Promise<Scaler> {
  const conn = await acquireRedis(meta.connection, ctx);
  const client = conn.client;
  const name = metricName(ctx.triggerIndex, `celery-${meta.queues.join('-')}`);
  const secrets = connectionSecrets(meta.connection);
  const keys = [UNACKED_KEY, ...consumeKeys(meta.queues, ALL_STEPS)];
  const args = [meta.includeInFlight ? '1' : '0', ...meta.queues];
  let closed = false;

  return {
    metricSpecs: [{ name, targetType: ctx.metricType, target: meta.tasksPerReplica }],

    async getMetricsAndActivity(signal) {
      if (closed) throw new ScalerError(ctx.triggerRef, 'scaler is closed');
      let reply: unknown;
      try {
        reply = await abortable(
          client.eval(CELERY_BACKLOG_SCRIPT, keys.length, ...keys, ...args),
          signal,
        );
      } catch (e) {
        const msg = scrub(errorMessage(e), secrets);
        const why = /is a \S+, not a/.test(msg)
          ? msg.replace(/^ERR /, '').replace(/^.*?ERR key/, 'key')
          : `reading the Celery queues ${meta.queues.join(', ')} failed: ${msg}`;
        throw new ScalerError(ctx.triggerRef, why, { cause: e });
      }
      const [waiting, inFlight] = (reply as [number, number]).map(Number) as [number, number];
      const value = backlogValue({ waiting, inFlight }, meta.includeInFlight);
      maybeReap(client, (n, workers) => reaped(ctx, n, workers));
      return { metrics: [{ name, value }], isActive: value > meta.activationTasks };
    },

    ...workerReads(client, ctx, secrets),

    async close() {
      if (closed) return;
      closed = true;
      await conn.release();
    },
  };
}

const NOTES = [
  'tide only: KEDA has no Celery trigger. It counts what `redis` with `listName: <queue>` counts,',
  "plus what that misses with Celery's Redis transport (kombu):",
  '',
  '- the priority sub-lists `<queue>\\x06\\x16<1..9>` where kombu puts tasks sent with a priority;',
  '- with `includeInFlight` (the default), the entries of the `unacked` hash that belong to these',
  '  queues: tasks a worker has reserved (prefetch, ETA/countdown tasks waiting for their time) or',
  '  runs with `acks_late`. They are invisible to `LLEN`, so a pool scaled on the list alone can',
  '  shrink while workers still hold work; counted here, the pool stays until they are done.',
  '  An entry belongs to a queue as kombu restores it: routing key = queue name for the default',
  '  exchange, otherwise the `_kombu.binding.<exchange>` bindings (direct match).',
  '',
  'One Lua `EVAL` per poll reads every list and the `unacked` hash atomically (`HVALS`: its cost',
  'grows with the number of tasks held across the whole broker). A task held by a worker that was',
  'killed stays in `unacked` (and is counted) until it is given back: at once for tide Celery',
  'workers (their registry record expires and a live worker or this trigger gives their tasks',
  "back), after kombu's visibility timeout for Python ones; the pool keeps a worker alive meanwhile",
  'instead of going to zero over a lost task. Set `includeInFlight: "false"` for the plain backlog.',
  'Busy-aware scale-in: before shrinking, tide reads which replicas run tasks from the tide Celery',
  "workers' registry on the broker and removes idle ones first. Polled only (no push",
  "wake-ups). A standalone Redis, as kombu's `redis://` transport uses (the first address).",
  'Connection parameters, their lookup order and TLS are those of [`redis`](#redis); `url` is',
  'the alternative Celery users already have (`CELERY_BROKER_URL`).',
].join('\n');

export const celery = defineScaler({
  type: 'celery',
  description:
    'Backlog of Celery queues on a Redis broker: queue lists, priority sub-lists and, optionally, tasks held by workers.',
  tideOnly: true,
  notes: NOTES,
  metadata: celerySchema,
  build: buildCeleryMeta,
  create: createCeleryScaler,
});
