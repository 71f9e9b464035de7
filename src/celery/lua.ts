/**
 * Lua scripts of the Redis transport. They keep kombu's data layout but make each step atomic:
 * a batch fetch registers messages in `unacked` in the same step that pops them (kombu pops with
 * BRPOP and registers afterwards, which loses a message if the worker dies in between).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * KEYS: unacked, unacked_index, the worker's held set, then the queue keys in kombu's consume
 * order. ARGV: max messages, now (seconds), '1' to record tags in the held set. Returns a flat
 * list [keyIndex (1-based among the queue keys), raw, ...]. Each message goes into `unacked` as
 * `[message, exchange, routing_key]` (the raw JSON is embedded verbatim so nothing is
 * re-encoded), into `unacked_index`, and into the held set of the worker taking it.
 */
export const FETCH_LUA = `
-- Plain-text search for a JSON string field (Python writes '"k": "v"', JS '"k":"v"').
-- Cheaper than cjson.decode or patterns; the body is base64, so these keys occur once.
local function field(raw, name)
  local _, e = string.find(raw, '"' .. name .. '": "', 1, true)
  if not e then _, e = string.find(raw, '"' .. name .. '":"', 1, true) end
  if not e then return nil end
  local q = string.find(raw, '"', e + 1, true)
  if not q then return nil end
  return string.sub(raw, e + 1, q - 1)
end
local max = tonumber(ARGV[1])
local held = ARGV[3] == '1'
local out = {}
local n = 0
for i = 4, #KEYS do
  while n < max do
    local raw = redis.call('RPOP', KEYS[i])
    if not raw then break end
    local tag = field(raw, 'delivery_tag')
    if tag then
      local ex = field(raw, 'exchange') or ''
      local rk = field(raw, 'routing_key') or ''
      redis.call('ZADD', KEYS[2], ARGV[2], tag)
      redis.call('HSET', KEYS[1], tag, '[' .. raw .. ', "' .. ex .. '", "' .. rk .. '"]')
      if held then redis.call('SADD', KEYS[3], tag) end
    end
    n = n + 1
    out[#out + 1] = tostring(i - 3)
    out[#out + 1] = raw
  end
  if n >= max then break end
end
return out
`;

/**
 * kombu `restore_by_tag` as a compare-and-set: only if `unacked[tag]` still holds what we read
 * (nobody acked or restored it meanwhile) remove it from both indices (and from the held set of
 * the worker that had it) and push the payload back.
 * KEYS: unacked, unacked_index, destination list, held set (or any key when none).
 * ARGV: tag, expected value, payload, leftmost.
 */
export const RESTORE_LUA = `
redis.call('SREM', KEYS[4], ARGV[1])
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
if ARGV[4] == '1' then
  redis.call('LPUSH', KEYS[3], ARGV[3])
else
  redis.call('RPUSH', KEYS[3], ARGV[3])
end
return 1
`;

/**
 * Gives back one message a worker parked in its inbox but never registered: only if it is still
 * there (LREM), push it back on the consuming end of its queue, where it was taken from.
 * KEYS: inbox, destination list. ARGV: raw message.
 */
export const INBOX_RESTORE_LUA = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
`;

/** redis-py `Lock.release`: delete the lock only if it still holds our token. */
export const RELEASE_LOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Celery's `_store_result` reads the current meta and never overwrites a SUCCESS (a duplicate
 * run must not clobber a result). Done atomically here, then SETEX + PUBLISH like
 * `RedisBackend._set`. KEYS: meta key. ARGV: value, expires seconds (0 = no expiry).
 */
export const STORE_RESULT_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur and string.find(cur, '"status": *"SUCCESS"') then return 0 end
if tonumber(ARGV[2]) > 0 then
  redis.call('SETEX', KEYS[1], ARGV[2], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1
`;

const shas = new Map<string, string>();

/** EVALSHA with a fallback to EVAL when the server has not cached the script yet. */
export async function runScript(
  client: Redis,
  script: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (e) {
    if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
    return await client.eval(script, keys.length, ...keys, ...args);
  }
}
