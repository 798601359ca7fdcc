// `runwarden demo`: the whole story in about ten seconds, on a temporary home. A daemon
// starts a background PTY run that ignores SIGHUP and starts helpers (as coding agents'
// MCP helpers did); the daemon is SIGKILLed; the orphan tree survives; a new daemon boots,
// reconciles, and the tree is gone. Everything it started is stopped, the home removed.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { socketPathFor } from '../daemon/socket-path.js';
import { listRunProcesses, type RunProcess } from '../os/list-run-processes.js';
import type { RunInfo } from '../types.js';
import { ControlClient } from './control-client.js';

type Daemon = ChildProcessByStdio<null, Readable, null>;
const AGENT =
  "trap '' HUP; (sleep 600 &); (setsid sleep 601 &); echo agent ready; sleep 602; exit 0";

/** Runs the demo; `print` receives progress text. Resolves true when nothing leaked. */
export async function runDemo(print: (text: string) => void): Promise<boolean> {
  const home = mkdtempSync(join(tmpdir(), 'runwarden-demo-'));
  const client = new ControlClient(socketPathFor(home, 'default'), home);
  const daemons: Daemon[] = [];
  const step = (n: number, text: string) => {
    print(`\n[${n}/6] ${text}\n`);
  };
  const table = (processes: readonly RunProcess[]) => {
    print(
      processes.length === 0
        ? '      (none)\n'
        : processes.map((p) => `      pid ${String(p.pid).padEnd(8)}${p.command}\n`).join(''),
    );
  };
  try {
    print(
      'runwarden demo: a daemon crashes, its background agent lives on, the next boot cleans up\n',
    );
    step(1, `start a daemon on a temporary home: ${home}`);
    daemons.push(await startDaemon(home));

    step(2, 'start a background PTY run: an agent that ignores SIGHUP, with two helpers');
    const { run } = await client.call<{ run: RunInfo }>('POST', '/v1/runs', {
      spec: {
        mode: 'pty',
        command: 'bash',
        args: ['-c', AGENT],
        sessionId: 'chat-42',
        killGraceMs: 1000,
      },
    });
    await waitFor(() => listRunProcesses().filter((p) => p.runId === run.id).length >= 3);
    print(`      run ${run.id}, pid ${String(run.pid)}\n`);
    table(listRunProcesses().filter((p) => p.runId === run.id));

    step(3, 'SIGKILL the daemon, as a crash or an OOM kill would');
    await kill(daemons[0], 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const survivors = listRunProcesses().filter((p) => p.runId === run.id);
    print(
      `      the daemon is gone; ${survivors.length} processes of its run survive, untracked:\n`,
    );
    table(survivors);

    step(4, 'start a new daemon on the same store: it reconciles before serving');
    const second = await startDaemon(home);
    daemons.push(second);
    const { lastReconcile } = await client.call<{
      lastReconcile: { killed: string[]; durationMs: number };
    }>('GET', '/v1/status');
    print(
      `      reconcile report: killed ${JSON.stringify(lastReconcile.killed)} in ${lastReconcile.durationMs} ms\n`,
    );
    const { run: after } = await client.call<{ run: RunInfo }>('GET', `/v1/runs/${run.id}`);
    print(
      `      run ${run.id}: ${after.state}, reason ${after.exit?.reason ?? '-'}, forced ${String(after.exit?.forced)}\n`,
    );

    step(5, 'what is left of the run');
    const left = listRunProcesses().filter((p) => p.runId === run.id);
    table(left);

    step(6, 'stop the daemon and remove the temporary home');
    await kill(second, 'SIGTERM');
    print(left.length === 0 ? '\nnothing leaked.\n' : '\nLEAK: processes of the run survived\n');
    return left.length === 0;
  } finally {
    for (const daemon of daemons) await kill(daemon, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

// The daemon is this very binary, started as a child (our own child: its pid is ours).
async function startDaemon(home: string): Promise<Daemon> {
  const daemon = spawn(process.execPath, [process.argv[1] ?? '', '--home', home, 'daemon'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: daemon.stdout }).on('line', (line) => {
      if (line.startsWith('reconcile: ')) resolve();
    });
    daemon.once('exit', (code) => {
      reject(new Error(`the daemon exited (${String(code)}) before listening`));
    });
  });
  return daemon;
}

async function kill(daemon: Daemon | undefined, signal: NodeJS.Signals): Promise<void> {
  if (daemon === undefined || daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise((resolve) => daemon.once('exit', resolve));
  daemon.kill(signal);
  await exited;
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
}
