import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { Is, MissingFields, SchemaCovers } from './type-check.js';

// These checks run under `tsc --noEmit`: each @ts-expect-error fails the build if the check
// stops catching the forgotten field it names.
interface Model {
  name: string;
  replicas?: number;
  nested?: { keep?: string; forgotten?: boolean };
  items?: { id: string; alsoForgotten?: number }[];
}
const complete = z.object({
  name: z.string(),
  replicas: z.number().optional(),
  nested: z.object({ keep: z.string().optional(), forgotten: z.boolean().optional() }).optional(),
  items: z.array(z.object({ id: z.string(), alsoForgotten: z.number().optional() })).optional(),
});
const forgetful = z.object({
  name: z.string(),
  nested: z.object({ keep: z.string().optional() }).optional(),
  items: z.array(z.object({ id: z.string() })).optional(),
});

export type _Complete = Is<SchemaCovers<Model, z.output<typeof complete>>>;
// @ts-expect-error an optional field forgotten in the schema fails to compile
export type _Forgetful = Is<SchemaCovers<Model, z.output<typeof forgetful>>>;

test('why: a field the schema forgets is dropped at load without a word', () => {
  const doc = { name: 'a', replicas: 3 };
  assert.deepEqual(forgetful.parse(doc), { name: 'a' });
  assert.deepEqual(complete.parse(doc), doc);
});

test('MissingFields names each forgotten field by its path, nested and in arrays', () => {
  const missing: MissingFields<Model, z.output<typeof forgetful>>[] = [
    'replicas',
    'nested.forgotten',
    'items.alsoForgotten',
  ];
  // @ts-expect-error a field the schema keeps is not reported
  const kept: MissingFields<Model, z.output<typeof forgetful>> = 'name';
  assert.equal(missing.length, 3);
  assert.equal(kept, 'name');
});
