// Real cgroups for the cgroup tests: areas of fresh test supervisors (testSupervisorName(),
// so the suite's cgroup leak check covers them), ended and removed after each test, verified
// gone; and process shapes that try to escape, found again by a nonce in their arguments.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, expect } from 'vitest';
import { openArea, type CgroupArea } from '../../../src/os/cgroup/cgroup-area.js';
import { killCgroup } from '../../../src/os/cgroup/kill-cgroup.js';
import type { CgroupLocation } from '../../../src/os/cgroup/mount-info.js';
import { locateOwnCgroup, readCgroupPathOf } from '../../../src/os/cgroup/own-cgroup.js';
import { removeCgroup } from '../../../src/os/cgroup/remove-cgroup.js';
import { spawnInCgroup } from '../../../src/os/cgroup/spawn-in-cgroup.js';
import { waitCgroupEmpty } from '../../../src/os/cgroup/wait-cgroup.js';
import { testSupervisorName } from '../../support/global-cgroup-check.js';

/** Call at the top of a test file: opens areas that are ended and removed after each test. */
export function useCgroupAreas(): { home: () => CgroupLocation; open: () => CgroupArea } {
  const opened: string[] = [];
  afterEach(async () => {
    for (const dir of opened.splice(0)) {
      await killCgroup(dir);
      await waitCgroupEmpty(dir, { timeoutMs: 10_000 });
      removeCgroup(dir);
      expect(existsSync(dir), `${dir} is removed`).toBe(false);
    }
  });
  return {
    home: () => locateOwnCgroup(),
    open: () => {
      const area = openArea(locateOwnCgroup().dir, testSupervisorName());
      opened.push(area.dir);
      return area;
    },
  };
}

/** A process tree that tries to leave its parent's reach, and how many processes it settles to. */
export interface Shape {
  readonly name: string;
  /** The sh script; `$N` stands for the nonce argument every process of the shape carries. */
  readonly script: string;
  /** Processes carrying the nonce once the shape has settled. */
  readonly nonceProcesses: number;
  /** Processes in its cgroup once settled. */
  readonly members: number;
}

// Each shape: an escapee started in the background, and the root (sh) waiting on a sleep.
// Every process of interest carries the argument `600.<nonce>` (sleep's duration, or an
// ignored perl argument), so it is found wherever it went.
export const SHAPES: readonly Shape[] = [
  { name: 'double fork', script: '(sleep $N &); sleep $N', nonceProcesses: 2, members: 3 },
  { name: 'setsid', script: '(setsid sleep $N &); sleep $N', nonceProcesses: 2, members: 3 },
  {
    name: 'setsid env -i',
    script: '(setsid env -i /bin/sleep $N &); sleep $N',
    nonceProcesses: 2,
    members: 3,
  },
  {
    name: 'closes all its descriptors',
    script: `(perl -e 'use POSIX (); POSIX::close($_) for 0..1023; fork and exit; POSIX::setsid(); sleep 600' $N &); sleep $N`,
    nonceProcesses: 2,
    members: 3,
  },
  {
    name: 'changes its own process group',
    script: `(perl -e 'setpgrp(0, 0); sleep 600' $N &); sleep $N`,
    nonceProcesses: 2,
    members: 3,
  },
];

/** A started shape. */
export interface StartedShape {
  readonly child: ChildProcess;
  readonly nonce: string;
  /** Resolves once the root (our child) exited and was reaped. */
  readonly exited: Promise<void>;
}

/** Starts `shape` placed in `leafDir` by spawnInCgroup. */
export function startShape(leafDir: string, shape: Shape, home: CgroupLocation): StartedShape {
  const nonce = `600.${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const child = spawnInCgroup(
    leafDir,
    () => spawn('/bin/sh', ['-c', shape.script.replaceAll('$N', nonce)], { stdio: 'ignore' }),
    { home },
  );
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
  return { child, nonce, exited };
}

/** Every live (non-zombie) process on the machine whose arguments include `nonce`. */
export function processesWithNonce(nonce: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(nonce)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** The cgroup path of each pid (null once gone). */
export function cgroupsOf(pids: readonly number[]): Array<string | null> {
  return pids.map((pid) => readCgroupPathOf(pid));
}
