// Store faults with a real PostgreSQL cluster of the test's own, stopped (`immediate`) while
// runs live and spawns arrive, then started again with its data (test/support/store-outage.ts):
// live runs go on, spawns are refused with a typed error, the supervisor reports `degraded`,
// and once PostgreSQL is back every record catches up. Records are read with psql, outside
// the supervisor's connection pool.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, onTestFinished } from 'vitest';
import type { Logger } from '../../src/support/logger.js';
import { postgresService } from '../support/machine-requirements.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-server.js';
import { freePort } from '../support/redis-server.js';
import { testNeeding } from '../support/requirements.js';
import { exerciseStoreOutage, OUTAGE_TEST_MS, type StoredRecord } from '../support/store-outage.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

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
// Seconds: the server stops and starts, on cores other tests keep busy.
const WAIT_MS = 20_000;
const TEST_MS = 90_000;

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
  OUTAGE_TEST_MS,
);

// pg's pool emits 'error' when an idle connection dies; nothing listened in @keyv/postgres,
// so the whole process died of an uncaught exception. The supervisor now logs it as a
// warning: the test waits for that line (the idle connection's own error, not a failed
// query's), then checks nothing ended and the store serves again once the server is back.
needsPostgres(
  'an idle pooled connection that dies with the server is logged and ends nothing',
  async () => {
    const cluster = startPostgresCluster(postgresBin(), await freePort());
    onTestFinished(cluster.destroy);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    onTestFinished(() => {
      process.off('uncaughtException', onUncaught);
    });
    const { logger, warnings } = capturingLogger();
    const sup = await supervisors({ store: cluster.url, logger });
    // Booted, nothing runs: its pooled connections sit idle when the server goes away.
    cluster.stop();
    await waitUntil(() => warnings.includes(IDLE_LOST), WAIT_MS, `the warning '${IDLE_LOST}'`);
    cluster.start();
    const run = await waitUntil(
      () => sup.spawn({ command: 'true' }).catch(() => undefined),
      WAIT_MS,
      'a spawn to be accepted again',
      500,
    );
    expect(await run.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
    await waitUntil(() => sup.storeHealth.state === 'ok', WAIT_MS, 'the store to be healthy');
    expect(uncaught).toEqual([]);
  },
  TEST_MS,
);

const IDLE_LOST = 'store connection lost while idle';

/** A logger that keeps the message of every warning. */
function capturingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const ignore = () => undefined;
  const logger: Logger = {
    debug: ignore,
    info: ignore,
    warn: (_fields, message) => warnings.push(message),
    error: ignore,
  };
  return { logger, warnings };
}
