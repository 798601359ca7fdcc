// Store faults with a real Redis that the test stops and restarts (test/support/store-outage.ts):
// live runs go on, new spawns are refused with a typed error (never a process without a
// record), the supervisor reports `degraded`, and once Redis is back every record catches
// up, even though this Redis comes back empty (no persistence).
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { onTestFinished } from 'vitest';
import { useSupervisors } from '../support/supervisor-harness.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { freePort, startRedisOn, stopRedisOn } from '../support/redis-server.js';
import { testNeeding } from '../support/requirements.js';
import { exerciseStoreOutage, OUTAGE_TEST_MS, type StoredRecord } from '../support/store-outage.js';

const supervisors = useSupervisors();

async function readRecords(url: string, name: string): Promise<Map<string, StoredRecord>> {
  const keyv = new Keyv({ store: new KeyvRedis(url), useKeyPrefix: false });
  const records = new Map<string, StoredRecord>();
  const iterator = keyv.iterator;
  if (iterator === undefined) throw new Error('the Redis store cannot be iterated');
  try {
    for await (const [key, value] of iterator.call(keyv, undefined)) {
      if (typeof key === 'string' && key.startsWith(`${name}/run/`))
        records.set(key.slice(`${name}/run/`.length), value as StoredRecord);
    }
  } finally {
    await keyv.disconnect();
  }
  return records;
}

testNeeding(toolOnPath('redis-server', 'apt-get install redis-server; .ci/run installs it'))(
  'Redis goes down and comes back: runs go on, spawns are refused, records catch up',
  async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    startRedisOn(port);
    // After the supervisors' own cleanup (afterEach), so they never shut down without it.
    onTestFinished(() => {
      stopRedisOn(port);
    });
    await exerciseStoreOutage(await supervisors({ store: url }), {
      stop: () => {
        stopRedisOn(port);
      },
      start: () => {
        startRedisOn(port);
      },
      readRecords: () => readRecords(url, 'default'),
    });
  },
  OUTAGE_TEST_MS,
);
