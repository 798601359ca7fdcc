// An exclusive lock around building a kept release: two test files (or two checkouts'
// runs) building the same release at once would race on one worktree. The lock file names
// its holder by verified identity, so a holder that died (a killed vitest) frees it.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkIdentity,
  readIdentity,
  type ProcessIdentity,
} from '../../src/os/process-identity.js';

// A release build (an install at worst) takes minutes: the wait is generous.
const WAIT_MS = 15 * 60_000;
const POLL_MS = 200;

/** Runs `fn` holding the build lock of the release worktree `dir`. */
export function withReleaseBuildLock<T>(dir: string, fn: () => T, waitMs = WAIT_MS): T {
  const path = join(
    tmpdir(),
    `runwarden-release-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.lock`,
  );
  const self = readIdentity(process.pid);
  if (self === undefined) throw new Error('cannot read the identity of this process');
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryLock(path, self)) break;
    if (holderGone(path)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`the release build lock ${path} is still held`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, POLL_MS);
  }
  try {
    return fn();
  } finally {
    rmSync(path, { force: true });
  }
}

function tryLock(path: string, self: ProcessIdentity): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(self));
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

// Gone only when verified: a lock file being written (empty, partial) is still held.
function holderGone(path: string): boolean {
  let holder: ProcessIdentity;
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as ProcessIdentity;
  } catch {
    return false;
  }
  const check = checkIdentity(holder);
  return check === 'exited' || check === 'replaced';
}
