/**
 * Celery task message protocol: writing v2 and reading v1 and v2, as Celery 5.2 and kombu put
 * them on a Redis list (see test/fixtures/celery-messages/). Pure: no I/O.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ProtocolError } from './errors.js';
import { pyRepr, toPyIso, parseIsoDate } from './py-format.js';

/** The kombu envelope as stored in Redis (JSON). */
export interface Envelope {
  body: string;
  'content-encoding': string;
  'content-type': string;
  headers: Record<string, unknown>;
  properties: EnvelopeProperties;
}

/** kombu message properties. `delivery_tag` is the key of the `unacked` hash. */
export interface EnvelopeProperties {
  correlation_id?: string;
  reply_to?: string;
  delivery_mode?: number;
  delivery_info: { exchange: string; routing_key: string; redelivered?: boolean };
  priority?: number;
  body_encoding?: string;
  delivery_tag?: string;
  expiration?: string;
  [k: string]: unknown;
}

/** The `embed` part of a v2 body: canvas links. Kept and passed on, not executed. */
export interface Embed {
  callbacks: unknown;
  errbacks: unknown;
  chain: unknown;
  chord: unknown;
}

/** A task request, the same shape for v1 and v2 messages. */
export interface TaskRequest {
  protocol: 1 | 2;
  id: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: Embed;
  retries: number;
  eta: Date | null;
  expires: Date | null;
  /** Celery's `timelimit` header: [hard, soft] seconds. */
  timeLimit: [number | null, number | null];
  rootId: string | null;
  parentId: string | null;
  group: string | null;
  groupIndex: number | null;
  origin: string | null;
  ignoreResult: boolean;
  shadow: string | null;
  priority: number;
  deliveryTag: string | null;
  exchange: string;
  routingKey: string;
  correlationId: string | null;
  replyTo: string | null;
  redelivered: boolean;
  /** Every header as received, including ones this module does not interpret (e.g. stamps). */
  headers: Record<string, unknown>;
}

/** What `encodeTask` needs; everything but name and queue has Celery's default. */
export interface EncodeOptions {
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  id?: string;
  queue: string;
  exchange?: string;
  eta?: Date | null;
  expires?: Date | null;
  priority?: number;
  retries?: number;
  timeLimit?: [number | null, number | null];
  rootId?: string | null;
  parentId?: string | null;
  group?: string | null;
  groupIndex?: number | null;
  ignoreResult?: boolean;
  shadow?: string | null;
  replyTo?: string;
  origin?: string;
  embed?: Embed;
  /** Extra headers copied as they are (e.g. Celery 5.3 `stamped_headers` / `stamps`). */
  extraHeaders?: Record<string, unknown>;
  now?: Date;
}

export const EMPTY_EMBED: Embed = { callbacks: null, errbacks: null, chain: null, chord: null };

const DEFAULT_ORIGIN = `gen${process.pid}@${hostname()}`;

/** Builds a protocol v2 envelope exactly as Celery 5.2's `as_task_v2` + kombu would. */
export function encodeTask(o: EncodeOptions): Envelope {
  const id = o.id ?? randomUUID();
  const args = o.args ?? [];
  const kwargs = o.kwargs ?? {};
  const now = o.now ?? new Date();
  const body = JSON.stringify([args, kwargs, o.embed ?? EMPTY_EMBED]);
  const headers: Record<string, unknown> = {
    lang: 'py',
    task: o.task,
    id,
    shadow: o.shadow ?? null,
    eta: o.eta ? toPyIso(o.eta, true) : null,
    expires: o.expires ? toPyIso(o.expires, true) : null,
    group: o.group ?? null,
    group_index: o.groupIndex ?? null,
    retries: o.retries ?? 0,
    timelimit: o.timeLimit ?? [null, null],
    root_id: o.rootId ?? id,
    parent_id: o.parentId ?? null,
    // Celery sends "()" when no positional args were given.
    argsrepr: args.length === 0 ? '()' : pyRepr(args),
    kwargsrepr: pyRepr(kwargs),
    origin: o.origin ?? DEFAULT_ORIGIN,
    ignore_result: o.ignoreResult ?? false,
    ...o.extraHeaders,
  };
  const properties: EnvelopeProperties = {
    correlation_id: id,
    reply_to: o.replyTo ?? randomUUID(),
    delivery_mode: 2,
    delivery_info: { exchange: o.exchange ?? '', routing_key: o.queue },
    priority: o.priority ?? 0,
    body_encoding: 'base64',
    delivery_tag: randomUUID(),
  };
  // Celery sets the AMQP expiration (ms) next to the header; kombu's Redis transport ignores it.
  if (o.expires) {
    const ms = Math.max(0, o.expires.getTime() - now.getTime());
    const expiration = String(Math.round(ms));
    Object.assign(properties, { expiration });
  }
  return {
    body: Buffer.from(body, 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers,
    properties,
  };
}

/** Parses the JSON text of a Redis list item into an envelope. Throws ProtocolError. */
export function parseEnvelope(raw: string): Envelope {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new ProtocolError(`message is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(v) || typeof v.body !== 'string' || !isObject(v.properties)) {
    throw new ProtocolError('message is not a kombu envelope (needs body and properties)');
  }
  const props = v.properties;
  if (!isObject(props.delivery_info)) props.delivery_info = { exchange: '', routing_key: '' };
  if (!isObject(v.headers)) v.headers = {};
  return v as unknown as Envelope;
}

/** Decodes the body and headers into a task request (protocol v2, or v1 when headers lack `task`). */
export function decodeTask(env: Envelope): TaskRequest {
  const ctype = env['content-type'];
  if (ctype !== 'application/json') {
    throw new ProtocolError(
      `content-type ${JSON.stringify(ctype)} is not supported (only application/json)`,
    );
  }
  const text =
    env.properties.body_encoding === 'base64'
      ? Buffer.from(env.body, 'base64').toString('utf8')
      : env.body;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(`task body is not JSON: ${(e as Error).message}`);
  }
  const h = env.headers;
  const p = env.properties;
  const common = {
    priority: typeof p.priority === 'number' ? p.priority : 0,
    deliveryTag: typeof p.delivery_tag === 'string' ? p.delivery_tag : null,
    exchange: p.delivery_info.exchange ?? '',
    routingKey: p.delivery_info.routing_key ?? '',
    correlationId: str(p.correlation_id),
    replyTo: str(p.reply_to),
    redelivered: h.redelivered === true || p.delivery_info.redelivered === true,
    headers: h,
  };
  if (typeof h.task === 'string') {
    if (!Array.isArray(body) || body.length < 2)
      throw new ProtocolError('v2 body must be [args, kwargs, embed]');
    const [args, kwargs, embed] = body as [unknown, unknown, unknown];
    const id = str(h.id);
    if (!id) throw new ProtocolError('v2 headers lack the task id');
    return {
      protocol: 2,
      id,
      task: h.task,
      args: Array.isArray(args) ? args : [],
      kwargs: isObject(kwargs) ? kwargs : {},
      embed: isObject(embed) ? { ...EMPTY_EMBED, ...embed } : { ...EMPTY_EMBED },
      retries: num(h.retries) ?? 0,
      eta: parseIsoDate(h.eta),
      expires: parseIsoDate(h.expires),
      timeLimit: timeLimit(h.timelimit),
      rootId: str(h.root_id),
      parentId: str(h.parent_id),
      group: str(h.group),
      groupIndex: num(h.group_index),
      origin: str(h.origin),
      ignoreResult: h.ignore_result === true,
      shadow: str(h.shadow),
      ...common,
    };
  }
  // Protocol v1: everything lives in the body (celery.worker.strategy.proto1_to_proto2).
  if (!isObject(body) || typeof body.task !== 'string' || typeof body.id !== 'string') {
    throw new ProtocolError(
      'message is neither protocol v2 (headers.task) nor v1 (body.task, body.id)',
    );
  }
  return {
    protocol: 1,
    id: body.id,
    task: body.task,
    args: Array.isArray(body.args) ? body.args : [],
    kwargs: isObject(body.kwargs) ? body.kwargs : {},
    embed: {
      callbacks: body.callbacks ?? null,
      errbacks: body.errbacks ?? null,
      chain: null,
      chord: body.chord ?? null,
    },
    retries: num(body.retries) ?? 0,
    eta: parseIsoDate(body.eta),
    expires: parseIsoDate(body.expires),
    timeLimit: timeLimit(body.timelimit),
    rootId: null,
    parentId: null,
    group: str(body.taskset) ?? str(body.group),
    groupIndex: num(body.group_index),
    origin: null,
    ignoreResult: false,
    shadow: null,
    ...common,
  };
}

function timeLimit(v: unknown): [number | null, number | null] {
  if (!Array.isArray(v)) return [null, null];
  return [num(v[0]), num(v[1])];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
