// Runs one scenario in one mode: each phase is a host process (host.mjs) of the release,
// ended by its own shutdown or SIGKILLed (by its child handle) once the store holds what the
// phase must leave. Returns the runs reported, by id, with their expected final states.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  killVerified,
  markedProcesses,
  taggedProcesses,
  TAG_VARIABLE,
  waitNone,
} from './processes.mjs';
import { SUPERVISOR_NAME } from './scenarios.mjs';
import { waitForStates } from './store-reader.mjs';

const HOST = fileURLToPath(new URL('./host.mjs', import.meta.url));
const PHASE_TIMEOUT_MS = 120_000;

/** Runs every phase of `scenario` in `home`; processes it starts carry `tag`. */
export async function runScenario(release, scenario, mode, home, tag) {
  const runs = new Map();
  for (const [index, phase] of scenario.phases.entries()) {
    await runPhase({ release, scenario, mode, home, tag, runs }, phase, index);
    for (const action of phase.after ?? []) await afterPhase(action, home, tag, runs);
  }
  return runs;
}

async function runPhase({ release, scenario, mode, home, tag, runs }, phase, index) {
  const args = [HOST, release.dist, home, scenario.id, mode, String(index)];
  const child = spawn(process.execPath, args, {
    cwd: home,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [TAG_VARIABLE]: tag },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const phaseRuns = new Map();
  const ready = new Promise((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      if (message.type === 'ready') resolve();
      if (message.type !== 'run') return;
      const { runId, label, now, final = now, gone = false } = message;
      runs.set(runId, { label, final, gone });
      phaseRuns.set(runId, now);
    });
  });
  const what = `${scenario.id}/${mode} phase ${index} (${phase.end})`;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out: ${stderr}`)), PHASE_TIMEOUT_MS);
  });
  try {
    if (phase.end === 'sigkill' || phase.end === 'hook') {
      const early = exited.then(({ code, signal }) => {
        throw new Error(
          `${what}: host exited (${code ?? signal}) before its crash point: ${stderr}`,
        );
      });
      await Promise.race([ready, early, timeout]);
      // The crash comes only once every record of the phase is stored as it must be.
      await Promise.race([
        waitForStates(release, join(home, 'runwarden.sqlite'), phaseRuns),
        timeout,
      ]);
      child.kill('SIGKILL');
      await exited;
    } else {
      const { code, signal } = await Promise.race([exited, timeout]);
      if (code !== 0) throw new Error(`${what}: host exited (${code ?? signal}): ${stderr}`);
    }
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

async function afterPhase(action, home, tag, runs) {
  if (action === 'go') writeFileSync(join(home, 'go'), '');
  else if (action === 'gone') {
    const ids = new Set([...runs].filter(([, run]) => run.gone).map(([id]) => id));
    await waitNone(() => markedProcesses(ids), `runs ${[...ids]} to end`);
  } else if (action === 'kill-run-host') {
    // The host's own identity file, checked against the process table and our tag.
    const file = join(home, `${SUPERVISOR_NAME}.host.json`);
    const { pid, startTicks } = JSON.parse(readFileSync(file, 'utf8'));
    const host = taggedProcesses(tag).find((p) => p.pid === pid && p.startTicks === startTicks);
    if (host === undefined || !killVerified(host)) throw new Error(`run host ${pid} not found`);
    await waitNone(() => taggedProcesses(tag).filter((p) => p.pid === pid), `run host ${pid}`);
  } else throw new Error(`unknown action ${action}`);
}
