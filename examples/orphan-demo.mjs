// runwarden in ten seconds: a host supervising a background agent crashes (SIGKILL); the
// agent's tree survives it, untracked; the next supervisor on the same store finds the
// tree from its durable record, verifies it, and ends it. Nothing is left behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSupervisor, listRunProcesses } from '../dist/index.js';

const step = (n, text) => console.log(`\n[${n}/5] ${text}`);
const show = (processes) =>
  processes.length === 0
    ? '      (none)'
    : processes
        .map((p) => `      pid ${String(p.pid).padEnd(7)} ${p.command.padEnd(6)} run ${p.runId}`)
        .join('\n');

const home = mkdtempSync(join(tmpdir(), 'runwarden-demo-'));
let host;
try {
  console.log(
    'runwarden demo: a host crashes, its background agent lives on, the next boot cleans up',
  );
  step(1, `a supervisor home (records in SQLite): ${home}`);

  const script = fileURLToPath(new URL('./demo-host.mjs', import.meta.url));
  host = spawn(process.execPath, [script, home], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = await new Promise((resolve, reject) => {
    createInterface({ input: host.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    host.once('exit', (code) => reject(new Error(`the host exited early (${code})`)));
  });
  step(
    2,
    `host pid ${host.pid} started a background PTY run ${started.runId} (agent pid ${started.pid})`,
  );
  console.log(show(listRunProcesses().filter((p) => p.runId === started.runId)));

  step(3, `SIGKILL the host, as a crash or an OOM kill would`);
  const gone = new Promise((resolve) => host.once('exit', resolve));
  host.kill('SIGKILL');
  await gone;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const survivors = listRunProcesses().filter((p) => p.runId === started.runId);
  console.log(
    `      the host is gone; ${survivors.length} processes of its run survive, untracked:`,
  );
  console.log(show(survivors));

  step(4, 'a new supervisor boots on the same store and reconciles');
  const sup = await createSupervisor({ home });
  const report = sup.lastReconcile;
  console.log(
    `      killed ${JSON.stringify(report.killed)}, reattached ${report.reattached.length}, ` +
      `lost ${report.lost.length}, quarantined ${report.quarantined.length}, in ${report.durationMs} ms`,
  );
  const exit = sup.get(started.runId)?.exit;
  console.log(
    `      run ${started.runId}: ${exit?.reason}, forced: ${exit?.forced}, survivors: ${exit?.survivors.length}`,
  );
  await sup.shutdown();

  step(5, 'what is left of the run');
  const left = listRunProcesses().filter((p) => p.runId === started.runId);
  console.log(show(left));
  console.log(left.length === 0 ? '\nnothing leaked.' : '\nLEAK: processes survived');
  process.exitCode = left.length === 0 ? 0 : 1;
} finally {
  if (host !== undefined && host.exitCode === null && host.signalCode === null)
    host.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
}
