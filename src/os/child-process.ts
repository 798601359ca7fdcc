// Plain child processes, each detached into its own session and process group.
import { spawn } from 'node:child_process';
import { SpawnError } from '../errors.js';
import type { LaunchSpec, ProcessExit, ProcessHandle } from './process-handle.js';

/**
 * Starts `spec` as a child with piped stdout/stderr (merged in arrival order).
 * `detached: true` makes it call setsid(), so the run has its own session and group.
 * Resolves once the OS confirmed the spawn, rejects with a SpawnError if it failed.
 */
export function launchChild(spec: LaunchSpec): Promise<ProcessHandle> {
  const child = spawn(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: [spec.stdin, 'pipe', 'pipe'],
    windowsHide: true,
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new SpawnError(error.code ?? 'E_SPAWN', `could not start ${spec.file}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) return; // 'error' follows
      resolve(wrapChild(child, pid));
    });
  });
}

const DRAIN_WAIT_MS = 200;

function wrapChild(child: ReturnType<typeof spawn>, pid: number): ProcessHandle {
  // A write to a child that died raises EPIPE on the stream; the exit event reports the end.
  child.stdin?.on('error', () => undefined);
  return {
    pid,
    onData(listener) {
      child.stdout?.on('data', listener);
      child.stderr?.on('data', listener);
    },
    onExit(listener: (exit: ProcessExit) => void) {
      // Report the exit once stdout and stderr are drained ('close'), so no output is lost
      // to the finalization that follows. An escaped grandchild may hold the pipes open
      // long after: then report it 200 ms after 'exit' (node-pty's bound for the same case).
      let reported = false;
      const report = (exitCode: number | null, signal: NodeJS.Signals | null) => {
        if (reported) return;
        reported = true;
        listener({ exitCode, signal });
      };
      child.once('close', report);
      child.once('exit', (exitCode, signal) => {
        setTimeout(() => {
          report(exitCode, signal);
        }, DRAIN_WAIT_MS).unref();
      });
    },
    write(data) {
      const stdin = child.stdin;
      if (stdin === null) throw new TypeError('this run was started with stdin: "ignore"');
      stdin.write(data);
    },
    resize() {
      throw new TypeError('resize() needs a PTY run (mode: "pty")');
    },
    detach() {
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        (stream as { unref?: () => void } | null)?.unref?.();
      }
    },
    dispose() {
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
    },
  };
}
