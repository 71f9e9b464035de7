/**
 * Counts Redis keys for the list triggers, one pipeline per server connection per event-loop
 * turn instead of one round trip each. Poll rounds that fall due together (the scheduler fires
 * them from one timer, see src/scheduler/slots.ts) ask for their counts in the same turn; each
 * ask is queued on its client and the queue is sent at `setImmediate` as one pipeline of
 * `EVALSHA`s: one socket write and one read for hundreds of ScaledObjects, and no script text
 * on the wire. A script the server does not know yet (first use, restarted server) is sent
 * again with `EVAL`, which also loads it.
 *
 * Redis Cluster clients are not batched (keys of one pipeline must share a slot); they and
 * clients without `pipeline` get one `EVAL` each, as before.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './client.js';

interface Ask {
  key: string;
  resolve: (n: unknown) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  asks: Ask[];
  script: string;
  sha: string;
}

const queues = new WeakMap<object, Queue>();
const shas = new Map<string, string>();

function sha1(script: string): string {
  let s = shas.get(script);
  if (!s) shas.set(script, (s = createHash('sha1').update(script).digest('hex')));
  return s;
}

type Pipelined = {
  pipeline(): {
    evalsha(sha: string, numKeys: number, key: string): unknown;
    exec(): Promise<[Error | null, unknown][] | null>;
  };
  eval(script: string, numKeys: number, key: string): Promise<unknown>;
  isCluster?: boolean;
};

/** Runs the one-key `script` on `key`, batched with the other asks of this turn on `client`. */
export function evalKeyBatched(client: RedisClient, script: string, key: string): Promise<unknown> {
  const c = client as unknown as Pipelined;
  if (typeof c.pipeline !== 'function' || c.isCluster) return c.eval(script, 1, key);
  let q = queues.get(c);
  if (q && q.script !== script) return c.eval(script, 1, key);
  return new Promise((resolve, reject) => {
    if (!q) {
      q = { asks: [], script, sha: sha1(script) };
      queues.set(c, q);
      setImmediate(() => void flush(c));
    }
    q.asks.push({ key, resolve, reject });
  });
}

async function flush(c: Pipelined): Promise<void> {
  const q = queues.get(c);
  queues.delete(c);
  if (!q) return;
  const p = c.pipeline();
  for (const a of q.asks) p.evalsha(q.sha, 1, a.key);
  let replies: [Error | null, unknown][] | null;
  try {
    replies = await p.exec();
  } catch (e) {
    for (const a of q.asks) a.reject(e);
    return;
  }
  q.asks.forEach((a, i) => {
    const [err, value] = replies?.[i] ?? [new Error('no reply in the pipeline'), undefined];
    if (!err) return a.resolve(value);
    // Not loaded on this server yet: EVAL sends the text once and loads it.
    if (/NOSCRIPT/.test(err.message)) c.eval(q.script, 1, a.key).then(a.resolve, a.reject);
    else a.reject(err);
  });
}
