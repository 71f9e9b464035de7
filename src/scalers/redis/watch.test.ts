import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeNotifyFlags } from './watch.js';

const cases = [
  {
    name: 'turns on keyspace events and every counted type when nothing is set',
    current: '',
    want: 'Kglshzx',
  },
  {
    name: 'keeps flags already set and adds only the missing ones',
    current: 'Ex',
    want: 'ExKglshz',
  },
  { name: 'A covers the event classes but not the keyspace channel', current: 'EA', want: 'EAK' },
  { name: 'changes nothing when everything needed is set', current: 'KA', want: undefined },
];
for (const c of cases) test(c.name, () => assert.equal(mergeNotifyFlags(c.current), c.want));
