// Figure 4: boot of a supervisor over 10,000 records (9,500 final, 500 live orphans to kill),
// against reading the same 10,000 records with a bare Keyv iterator. The orphans are real:
// a host process (this file with `--host`) spawns them under a supervisor and is SIGKILLed.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { createSupervisor } from '../dist/index.js';
import { alternate, quick, report, row, size, summarize, tempHome, waitUntil } from './lib.mjs';

const records = size(10_000, 500);
const orphans = size(500, 20);
const retention = { maxFinishedRecords: 100_000 };
const openKeyv = (dir) =>
  new Keyv({
    store: new KeyvSqlite({
      uri: `sqlite://${join(dir, 'runwarden.sqlite')}`,
      iterationLimit: 1000,
    }),
  });

if (process.argv.includes('--host')) await host(process.argv[process.argv.indexOf('--host') + 1]);
else await main();

// The host: boots over the finished records, starts the orphans-to-be, says so, and waits
// to be SIGKILLed (its child runs, which never write, outlive it).
async function host(dir) {
  setInterval(() => undefined, 1 << 30);
  const sup = await createSupervisor({ home: dir, retention });
  for (let i = 0; i < orphans; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, orphans - i) }, () =>
        sup.spawn({ command: 'sleep', args: ['600'], stdin: 'ignore' }),
      ),
    );
  }
  process.stdout.write('ready\n');
}

async function main() {
  const work = tempHome('fig4');
  const pristine = join(work.dir, 'pristine');
  await writeFinishedRecords(pristine, records - orphans);
  const phases = [];
  const killed = [];
  // Both sides of a round share one fresh copy of the store, with live orphans.
  let prepared = { round: null, dir: '' };
  const storeOf = async (round) => {
    if (prepared.round === round) return prepared.dir;
    const dir = join(work.dir, `round-${round}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    copyFileSync(join(pristine, 'runwarden.sqlite'), join(dir, 'runwarden.sqlite'));
    await startOrphans(dir);
    prepared = { round, dir };
    return dir;
  };
  const boot = async (round) => {
    const dir = await storeOf(round);
    const started = performance.now();
    const sup = await createSupervisor({ home: dir, retention });
    const ms = performance.now() - started;
    phases.push(sup.lastReconcile.phases);
    killed.push(sup.lastReconcile.killed.length);
    await sup.shutdown();
    return ms;
  };
  const read = async (round) => {
    const dir = await storeOf(round);
    const started = performance.now();
    const keyv = openKeyv(dir);
    let n = 0;
    for await (const entry of keyv.iterator(undefined)) if (entry) n++;
    await keyv.disconnect();
    const ms = performance.now() - started;
    if (n < records) throw new Error(`read ${n} records, expected ${records}`);
    return ms;
  };
  const rounds = size(3, 1);
  const stats = await alternate({ rounds, warmup: 0, a: boot, b: read });
  work.remove();
  const phaseRows = Object.keys(phases[0] ?? {}).map((name) =>
    row(`boot phase: ${name}`, 'ms', { a: summarize(phases.map((p) => p[name])) }),
  );
  report({
    id: 4,
    title: `boot of a supervisor over ${records} records (${records - orphans} final, ${orphans} live orphans to kill)`,
    baseline: `reading the ${records} records with a bare Keyv iterator`,
    target: 'total <= 1 s; report per phase',
    rounds,
    rows: [row('boot, total (createSupervisor)', 'ms', stats, { max: 1000 }), ...phaseRows],
    details: [
      `Orphans killed per boot: ${killed.join(', ')} (expected ${orphans}); each is a real \`sleep\` whose supervisor was SIGKILLed.`,
      'Retention is raised to keep every finished record, so boot deletes nothing; the phases are those of `sup.lastReconcile.phases`.',
      quick ? 'Quick mode: a twentieth of the records, a 25th of the orphans.' : '',
    ].filter(Boolean),
  });
}

// A supervisor runs `true` once; its final record is cloned under new run ids.
async function writeFinishedRecords(dir, count) {
  const sup = await createSupervisor({ home: dir, retention });
  const run = await sup.spawn({ command: 'true' });
  await run.exited;
  await sup.shutdown();
  const keyv = openKeyv(dir);
  const key = `default/run/${run.id}`;
  const template = await keyv.get(key);
  const text = JSON.stringify(template);
  const entries = [];
  for (let i = 1; i < count; i++) {
    const id = `${run.id.slice(0, -6)}${i.toString(36).padStart(6, '0')}`;
    entries.push({ key: `default/run/${id}`, value: JSON.parse(text.replaceAll(run.id, id)) });
  }
  for (let i = 0; i < entries.length; i += 500) await keyv.setMany(entries.slice(i, i + 500));
  await keyv.disconnect();
}

// Starts the host on `dir`, waits for its orphans, SIGKILLs it.
async function startOrphans(dir) {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--host', dir, ...(quick ? ['--quick'] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for await (const line of lines) if (line === 'ready') break;
  child.kill('SIGKILL'); // our own unreaped child
  await exited;
  await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 5000, 'host exit');
}
