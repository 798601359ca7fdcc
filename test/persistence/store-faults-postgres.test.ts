// Store faults with a real PostgreSQL cluster of the test's own, stopped (`immediate`) while
// runs live and spawns arrive, then started again with its data (test/support/store-outage.ts):
// live runs go on, spawns are refused with a typed error, the supervisor reports `degraded`,
// and once PostgreSQL is back every record catches up. Records are read with psql, outside
// the supervisor's connection pool.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, inject, onTestFinished } from 'vitest';
import { openStore } from '../../src/persistence/open-store.js';
import { postgresService } from '../support/machine-requirements.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-server.js';
import { freePort } from '../support/redis-server.js';
import { testNeeding } from '../support/requirements.js';
import { exerciseStoreOutage, type StoredRecord } from '../support/store-outage.js';
import { useSupervisors } from '../support/supervisor-harness.js';

const supervisors = useSupervisors();

// The table openStore gives @keyv/postgres; keys are `<namespace>:<name>/run/<id>`.
const TABLE = 'runwarden';

function readRecords(
  bin: string,
  cluster: PostgresCluster,
  name: string,
): Map<string, StoredRecord> {
  const psql = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
  const marker = `${name}/run/`;
  const sql = `SELECT coalesce(json_agg(json_build_array(key, value)), '[]') FROM ${TABLE} WHERE key LIKE '%${marker}%'`;
  const out = execFileSync(psql, ['-X', '-A', '-t', '-d', cluster.url, '-c', sql], {
    encoding: 'utf8',
  });
  const rows = JSON.parse(out) as Array<[string, string]>;
  const records = new Map<string, StoredRecord>();
  for (const [key, value] of rows) {
    // Keyv stores `{"value": <record>, "expires": ...}` as text.
    const stored = JSON.parse(value) as { value: StoredRecord };
    records.set(key.slice(key.indexOf(marker) + marker.length), stored.value);
  }
  return records;
}

const needsPostgres = testNeeding(postgresService());

// The cluster helper needs the directory of initdb and pg_ctl (global setup found it).
function postgresBin(): string {
  const bin = inject('postgresBin');
  if (bin === null) throw new Error('the global setup found no PostgreSQL binaries');
  return bin;
}

needsPostgres(
  'PostgreSQL goes down and comes back: runs go on, spawns are refused, records catch up',
  async () => {
    const bin = postgresBin();
    const cluster = startPostgresCluster(bin, await freePort());
    // After the supervisors' own cleanup (afterEach), so they never shut down without it.
    onTestFinished(cluster.destroy);
    await exerciseStoreOutage(await supervisors({ store: cluster.url }), {
      stop: cluster.stop,
      start: cluster.start,
      readRecords: () => Promise.resolve(readRecords(bin, cluster, 'default')),
    });
  },
);

// pg's pool emits 'error' when an idle connection dies; nothing listened in @keyv/postgres,
// so the whole process died of an uncaught exception. Nothing else queries here, so the
// connection is idle when the server goes away.
needsPostgres('an idle pooled connection that dies with the server ends nothing', async () => {
  const cluster = startPostgresCluster(postgresBin(), await freePort());
  onTestFinished(cluster.destroy);
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  onTestFinished(() => {
    process.off('uncaughtException', onUncaught);
  });
  const opened = await openStore(cluster.url, tmpdir());
  onTestFinished(() => opened.close());
  await opened.keyv.set('k', 'before');
  cluster.stop();
  // pg_ctl returned once the server was gone: the connection's end is read on the next turn
  // of the event loop, while the client is idle (a query first would just fail instead).
  await sleep(200);
  await expect(opened.keyv.get('k')).rejects.toThrow();
  cluster.start();
  expect(await opened.keyv.get('k')).toBe('before');
  expect(uncaught).toEqual([]);
});
