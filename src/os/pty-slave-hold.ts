// Linux quirk (node-pty#85, #726): when a PTY child exits, the last close of the slave
// side makes the master's reads fail with EIO and the tail of the output can be lost.
// We hold our own slave descriptor while the child lives, and close it only once the
// child is dead (SIGCHLD) and the master has been quiet for a moment, so the tail is read
// first. Without the early release node-pty would wait its own 200 ms for the master.
import { closeSync, constants, openSync } from 'node:fs';
import { processTable } from './process-table.js';
import { isDeadState } from './process-identity.js';

// A dead child's output may still sit in the kernel's flip buffers, pushed to the master
// by a kernel worker as we read. Release only after a window of this length in which the
// event loop ran on time and no chunk arrived: a loop that was blocked proves nothing.
const QUIET_MS = 25;

/** A held slave descriptor of one PTY. */
export interface SlaveHold {
  /** Tells the hold that output arrived (postpones the release). */
  noteData(): void;
  /** Closes the descriptor now (idempotent). */
  release(): void;
}

interface Entry {
  readonly pid: number;
  fd: number | null;
  lastDataAt: number;
  dead: boolean;
  timer: NodeJS.Timeout | null;
}

const entries = new Set<Entry>();
let listening = false;

/** Call before spawning: a fast child may exit before its hold exists. */
export function prepareSlaveHold(): void {
  listen();
}

/** Call when the spawn prepared for failed: stops listening if no hold is left. */
export function abandonSlaveHold(): void {
  unlistenIfIdle();
}

/** Opens the slave `ptsName` (O_NOCTTY: never our controlling terminal) for child `pid`. */
export function holdSlave(pid: number, ptsName: string | undefined): SlaveHold {
  let fd: number | null = null;
  if (ptsName !== undefined) {
    try {
      fd = openSync(ptsName, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch {
      fd = null; // the child already exited and the slave is gone: nothing to hold
    }
  }
  const entry: Entry = { pid, fd, lastDataAt: 0, dead: false, timer: null };
  if (fd !== null) {
    entries.add(entry);
    listen();
    checkChildren(); // its SIGCHLD may have come before the hold existed
  } else {
    unlistenIfIdle();
  }
  return {
    noteData: () => {
      entry.lastDataAt = performance.now();
    },
    release: () => {
      release(entry);
    },
  };
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('SIGCHLD', checkChildren);
}

// SIGCHLD coalesces: one signal may stand for several exits, so every hold is checked.
function checkChildren(): void {
  for (const entry of entries) {
    if (entry.dead) continue;
    const stat = processTable().stat(entry.pid);
    if (stat !== undefined && !isDeadState(stat.state)) continue;
    entry.dead = true;
    scheduleRelease(entry);
  }
}

function scheduleRelease(entry: Entry): void {
  const armedAt = performance.now();
  entry.timer = setTimeout(() => {
    entry.timer = null;
    const late = performance.now() - armedAt - QUIET_MS;
    if (entry.lastDataAt >= armedAt || late > QUIET_MS) scheduleRelease(entry);
    else release(entry);
  }, QUIET_MS);
}

function release(entry: Entry): void {
  if (entry.timer !== null) clearTimeout(entry.timer);
  entry.timer = null;
  if (entry.fd !== null) closeSync(entry.fd);
  entry.fd = null;
  entries.delete(entry);
  unlistenIfIdle();
}

function unlistenIfIdle(): void {
  if (entries.size === 0 && listening) {
    process.off('SIGCHLD', checkChildren);
    listening = false;
  }
}
