// Global setup/teardown: after the whole suite, no process the suite started may remain: no
// process carrying a run marker, no run host (which exits by itself once it holds no run),
// and no other process carrying this suite's tag (a daemon, a tmux or Redis server, a
// browser, a sleep) but vitest's own. Leftovers are ended by verified identity (never by
// name) and the run FAILS: vitest only logs an error thrown by a global teardown and exits
// 0, so the teardown also sets the exit status itself and writes what it found to
// test-artifacts/leak-check.json, which .ci/run reads to name the leaks.
// Every process the suite starts inherits RUNWARDEN_TEST_SUITE, so a suite running next to
// this one (another checkout, another developer, a benchmark) is never mistaken for ours.
// It must be the first globalSetup file: vitest tears down in reverse order, so the
// services of the later files (global-services.ts) are stopped before this check runs.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_HOST_MARKER } from '../../src/host/client/run-host-link.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { readProcStat } from '../../src/os/proc-fs.js';
import type { ProcessIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';

/** The tag every process of the suite inherits; a test that drops the environment passes it. */
export const SUITE_VARIABLE = 'RUNWARDEN_TEST_SUITE';
/** Where the verdict goes; a child suite (the check's own test) points it elsewhere. */
const REPORT_VARIABLE = 'RUNWARDEN_LEAK_REPORT';
const DEFAULT_REPORT = 'test-artifacts/leak-check.json';
// How long leftovers get to finish exiting (a run host within its linger, a server that was
// just told to stop) before they count as leaked.
const LINGER_MS = 2000;
// vitest 4 runs test files in worker processes it forks from its main process (pools
// `forks` and `vmForks`; `threads` and `vmThreads` are threads of the main process). They
// inherit the tag and are still alive during the global teardown (the pool is closed after
// it): a direct child of the main process running one of these entry points is vitest's.
const VITEST_DIST = dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
const WORKER_ENTRIES = ['forks.js', 'vmForks.js'].map((name) =>
  join(VITEST_DIST, 'dist', 'workers', name),
);

/** What made a leftover ours: a run marker, a run host's marker, or only the suite's tag. */
export type LeakKind = 'run' | 'run-host' | 'suite-process';

/** One leaked process, as written to the report. */
export interface LeakedProcess {
  readonly pid: number;
  readonly identity: ProcessIdentity;
  readonly command: string;
  readonly kind: LeakKind;
  /** `RUNWARDEN_RUN_ID=<value>`, the run host's marker, or `RUNWARDEN_TEST_SUITE=<suite>`. */
  readonly marker: string;
  /** What the teardown's SIGKILL did: `sent`, or why it was not sent. */
  readonly ended: string;
}

interface Leftover {
  readonly identity: ProcessIdentity;
  readonly comm: string;
  readonly kind: LeakKind;
  readonly marker: string;
}

/** The argv of `pid` (its initial one, as /proc keeps it); empty once it is gone. */
function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
  } catch {
    return [];
  }
}

/** True for a pool worker of vitest `main`: its child, running a worker entry. */
export function isVitestWorker(pid: number, main = process.pid): boolean {
  if (readProcStat(pid)?.ppid !== main) return false;
  const argv = argvOf(pid);
  return argv[0] === process.execPath && WORKER_ENTRIES.includes(argv.at(-1) ?? '');
}

/** Every live process of `suite` but this one and its pool workers, each named once. */
function findLeftovers(suite: string): Leftover[] {
  const byPid = new Map<number, Leftover>();
  const markers: Array<[string, LeakKind]> = [
    [RUN_MARKER, 'run'],
    [RUN_HOST_MARKER, 'run-host'],
  ];
  // The tag is read from /proc/<pid>/environ, the environment a process STARTED with: a
  // process of the suite that scrubbed its environment later still counts.
  const tagged = findMarkedProcesses(SUITE_VARIABLE).found.filter((p) => p.value === suite);
  for (const [key, kind] of markers) {
    for (const p of findMarkedProcesses(key).found) {
      if (!tagged.some((t) => t.identity.pid === p.identity.pid)) continue;
      if (!byPid.has(p.identity.pid))
        byPid.set(p.identity.pid, { ...p, kind, marker: `${key}=${p.value}` });
    }
  }
  for (const p of tagged) {
    if (byPid.has(p.identity.pid)) continue;
    if (isVitestWorker(p.identity.pid)) continue;
    byPid.set(p.identity.pid, {
      ...p,
      kind: 'suite-process',
      marker: `${SUITE_VARIABLE}=${suite}`,
    });
  }
  return [...byPid.values()];
}

export function setup(): () => Promise<void> {
  const suite = randomUUID();
  process.env[SUITE_VARIABLE] = suite;
  // Run hosts of the suite linger briefly once they hold no run.
  process.env.RUNWARDEN_HOST_LINGER_MS = '200';
  const reportPath = process.env[REPORT_VARIABLE] ?? DEFAULT_REPORT;
  return async () => {
    // Only a process carrying this suite's tag is ours. One without it (a run started with
    // extendEnv: false, or a benchmark of another checkout on this machine) is never judged
    // nor signalled: a test that drops the environment passes the tag itself.
    let leaked = findLeftovers(suite);
    for (const until = Date.now() + LINGER_MS; leaked.length > 0 && Date.now() < until;) {
      await sleep(100);
      leaked = findLeftovers(suite);
    }
    const found: LeakedProcess[] = leaked.map((p) => {
      const result = signalVerified(p.identity, 'SIGKILL');
      return {
        pid: p.identity.pid,
        identity: p.identity,
        command: p.comm,
        kind: p.kind,
        marker: p.marker,
        ended: result.kind === 'sent' ? 'sent' : JSON.stringify(result),
      };
    });
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, `${JSON.stringify({ suite, leaked: found }, null, 2)}\n`);
    if (found.length === 0) return;
    const list = found.map(
      (p) => `pid ${p.pid} (${p.command}, ${p.marker}, ${p.kind}, SIGKILL ${p.ended})`,
    );
    const message = `[leak-check] ${found.length} process(es) of the suite leaked: ${list.join(', ')}`;
    console.error(message);
    process.exitCode = 1;
    throw new Error(message);
  };
}
