/**
 * The blog's producer, in TypeScript: submits a `users.registration` Celery task with a random
 * person every second (INTERVAL_MS) to the `celery` queue, until Ctrl-C, or COUNT tasks.
 *   node --import tsx examples/celery-redis/producer.ts
 *   REDIS_HOST (127.0.0.1:6379), REDIS_PASSWORD, INTERVAL_MS (1000), COUNT (unlimited)
 */
import { Producer } from '../../src/celery/index.js';

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Linus',
  'Ken',
  'Radia',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Torvalds',
  'Thompson',
  'Perlman',
];
const STREETS = ['Main St', 'Oak Ave', 'Pine Rd', 'Elm St', 'Cedar Ln', 'Maple Dr'];
const CITIES = ['Springfield', 'Riverside', 'Fairview', 'Madison', 'Georgetown'];
const pick = <T>(a: readonly T[]): T => a[Math.floor(Math.random() * a.length)] as T;

function randomPerson(): [string, string, string] {
  const first = pick(FIRST);
  const last = pick(LAST);
  const email = `${first}.${last}${Math.floor(Math.random() * 100)}@example.com`.toLowerCase();
  const address = `${1 + Math.floor(Math.random() * 999)} ${pick(STREETS)}, ${pick(CITIES)}`;
  return [`${first} ${last}`, email, address];
}

const [host = '127.0.0.1', port = '6379'] = (process.env.REDIS_HOST ?? '127.0.0.1:6379').split(':');
const auth = process.env.REDIS_PASSWORD
  ? `:${encodeURIComponent(process.env.REDIS_PASSWORD)}@`
  : '';
const producer = new Producer({ broker: `redis://${auth}${host}:${port}/0` });
const interval = Number(process.env.INTERVAL_MS ?? 1000);
const count = process.env.COUNT ? Number(process.env.COUNT) : Infinity;

let stopping = false;
process.on('SIGINT', () => (stopping = true));
process.on('SIGTERM', () => (stopping = true));

let sent = 0;
while (!stopping && sent < count) {
  const person = randomPerson();
  await producer.sendTask('users.registration', person, {}, { ignoreResult: true });
  sent++;
  console.log(`sent task ${sent}: users.registration ${person[0]} <${person[1]}>`);
  if (sent < count) await new Promise((r) => setTimeout(r, interval));
}
await producer.close();
console.log(`producer stopped after ${sent} task(s)`);
