/**
 * tide's Celery module: task protocol v2 (and reading v1) over kombu's Redis transport, a
 * producer and a worker that interoperate with Python Celery 5.2.
 */
export { Producer, type ProducerOptions, type SendOptions } from './producer.js';
export { Worker, type WorkerOptions, type WorkerState, type ShutdownKind } from './worker.js';
export type { TaskContext, TaskFn, TaskOptions, WorkerLog } from './task-runner.js';
export {
  AsyncResult,
  ResultBackend,
  TASK_KEY_PREFIX,
  READY_STATES,
  type ResultMeta,
  type TaskState,
} from './result.js';
export { RedisTransport, type Delivery, type RedisConnection } from './transport-redis.js';
export {
  encodeTask,
  decodeTask,
  parseEnvelope,
  type Envelope,
  type TaskRequest,
} from './protocol.js';
export * from './keys.js';
export * from './errors.js';
