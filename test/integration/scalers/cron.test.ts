/** The cron trigger through the scaler contract (it has no source to be down or to log in to). */
import assert from 'node:assert/strict';
import { cron } from '../../../src/scalers/cron.js';
import { scalerContract } from '../scaler-contract.js';
import { testContext } from './redis-servers.js';

scalerContract('cron', () => ({
  secrets: [],
  working: (i) => {
    const r = cron.parse({
      metadata: {
        timezone: 'Etc/UTC',
        start: '0 8 * * *',
        end: '0 18 * * *',
        desiredReplicas: '4',
      },
      resolvedEnv: {},
      authParams: {},
      triggerIndex: i,
    });
    if (!r.ok) assert.fail(JSON.stringify(r.issues));
    return cron.create(r.meta, testContext(i));
  },
}));
