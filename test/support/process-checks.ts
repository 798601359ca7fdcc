// Liveness checks on real processes, by pid + start time (never by name).
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { collectRunTree } from '../../src/os/collect-run-tree.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { readProcStat } from '../../src/os/proc-fs.js';
import {
  inspectIdentity,
  readIdentity,
  type ProcessIdentity,
} from '../../src/os/process-identity.js';
import { destroyTree, spawnProcess, type SpawnedTree } from './spawn-tree.js';
import { waitUntil } from './wait-for.js';

/** Live processes that carry `RUNWARDEN_RUN_ID=<runId>`. */
export function liveMarked(runId: string): number[] {
  return findMarkedProcesses(RUN_MARKER)
    .found.filter((p) => p.value === runId)
    .map((p) => p.identity.pid);
}

/** Live members of a run's tree by marker only (root unknown). */
export function liveTree(runId: string): number[] {
  return collectRunTree({ marker: `${RUN_MARKER}=${runId}`, root: null }).members.map(
    (m) => m.identity.pid,
  );
}

/** test/fixtures/signal-recorder.mjs: records every catchable signal it gets to a file. */
export const SIGNAL_RECORDER = fileURLToPath(
  new URL('../fixtures/signal-recorder.mjs', import.meta.url),
);

/**
 * Long enough for what a supervisor might still send once the call under test returned: a
 * signal in flight, the SIGKILL after a kill grace (the tests' graces are at most 1 s).
 */
export const NEVER_SIGNALLED_WAIT_MS = 2500;

/** The spawn spec fields that make a run's own process a signal recorder writing to `file`. */
export function recorderSpec(file: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [SIGNAL_RECORDER, file] };
}

/** What a recorder wrote so far: its pid once its handlers were installed, every signal since. */
export function readRecorder(file: string): { pid: number | null; signals: string[] } {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return { pid: null, signals: [] };
  }
  const ready = lines.find((line) => line.startsWith('ready '));
  return {
    pid: ready === undefined ? null : Number(ready.slice('ready '.length)),
    signals: lines.filter((line) => !line.startsWith('ready ')),
  };
}

/** Waits until the recorder writing `file` handles signals; returns its identity. */
export async function waitRecorderReady(file: string): Promise<ProcessIdentity> {
  return waitUntil(
    () => {
      const { pid } = readRecorder(file);
      return pid === null ? undefined : readIdentity(pid);
    },
    10_000,
    `the signal recorder writing ${file} to be ready`,
  );
}

/**
 * Asserts that the recorder `identity` (writing `file`) was never signalled: after `waitMs`,
 * the very same process (pid + start time) still runs, neither a zombie nor stopped (state
 * from /proc/<pid>/stat), and it recorded no signal at all. Call it once the code under
 * test has returned: the wait covers signals in flight and kill graces, not the work itself.
 */
export async function expectNeverSignalled(
  identity: ProcessIdentity,
  file: string,
  waitMs = NEVER_SIGNALLED_WAIT_MS,
): Promise<void> {
  await sleep(waitMs);
  const { check, stopped } = inspectIdentity(identity);
  const seen = {
    pid: identity.pid,
    check,
    state: readProcStat(identity.pid)?.state ?? 'gone',
    stopped,
    signals: readRecorder(file).signals,
  };
  expect(seen, `process ${identity.pid} was signalled: ${JSON.stringify(seen)}`).toEqual({
    pid: identity.pid,
    check: 'alive',
    state: expect.stringMatching(/^[RSD]$/) as string,
    stopped: false,
    signals: [],
  });
}

/** A signal recorder the test started itself, not part of any run unless marked. */
export interface Bystander {
  readonly tree: SpawnedTree;
  readonly identity: ProcessIdentity;
  readonly file: string;
  /** With `withChild`: the recorder's own child (same group and session). */
  readonly child: { readonly identity: ProcessIdentity; readonly file: string } | null;
  /** Asserts that neither it nor its child was ever signalled (see expectNeverSignalled). */
  expectNeverSignalled(waitMs?: number): Promise<void>;
  /** Ends it (and its child) by verified identity and removes its files. */
  stop(): Promise<void>;
}

const NOBODY = 65534;

/**
 * Starts a signal recorder and waits until it handles signals. `runId` marks it (default:
 * unmarked), `asNobody` runs it as user nobody (from a copy of the fixture nobody can read,
 * in a directory nobody owns), `withChild` gives it a child recorder.
 */
export async function startBystander(
  options: { runId?: string | null; asNobody?: boolean; withChild?: boolean } = {},
): Promise<Bystander> {
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-bystander-'));
  let script = SIGNAL_RECORDER;
  if (options.asNobody === true) {
    script = join(dir, 'signal-recorder.mjs');
    copyFileSync(SIGNAL_RECORDER, script);
    chmodSync(script, 0o644);
    chownSync(dir, NOBODY, NOBODY);
  }
  const file = join(dir, 'signals');
  const childFile = join(dir, 'child-signals');
  const args = [script, file, ...(options.withChild === true ? ['--child', childFile] : [])];
  const tree = spawnProcess(process.execPath, args, {
    runId: options.runId ?? null,
    asNobody: options.asNobody ?? false,
  });
  const identity = await waitRecorderReady(file);
  const child =
    options.withChild === true
      ? { identity: await waitRecorderReady(childFile), file: childFile }
      : null;
  return {
    tree,
    identity,
    file,
    child,
    expectNeverSignalled: async (waitMs = NEVER_SIGNALLED_WAIT_MS) => {
      await expectNeverSignalled(identity, file, waitMs);
      if (child !== null) await expectNeverSignalled(child.identity, child.file, 0);
    },
    stop: async () => {
      try {
        await destroyTree(tree);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
