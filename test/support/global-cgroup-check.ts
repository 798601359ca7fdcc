// Global setup/teardown: after the whole suite, no cgroup the suite created may remain.
// Where this process may create and enter cgroups (root in CI), the setup moves vitest's main
// process into a cgroup of the suite's own, `<own>/runwarden-testsuite.<suite>`, before any
// test worker is forked: every worker, every supervisor and every process of the suite is
// born inside it, and every area a test supervisor opens is created below it. The teardown
// removes every cgroup left below it. One that still holds a process is a leak: it is ended
// (cgroup.kill, then `populated 0`), removed, and the run FAILS. One that holds none (the
// area of a supervisor a test crashed on a throwaway home, which only that supervisor's next
// boot would sweep) is removed and listed as tidied. The exit status is set without a throw (a throw
// would stop vitest from running the process leak check's teardown after this one), and the
// findings go to test-artifacts/cgroup-leak-check.json, which .ci/run adds to the process
// leak report that .ci/summarize.mjs counts. Suites of other checkouts have cgroups of their
// own and are never touched. The suite cgroup itself holds the workers until vitest exits:
// the next suite's setup (and .ci/run) remove such leftovers once they are empty.
// Registered after global-marker-check.ts (which sets RUNWARDEN_TEST_SUITE) and before
// global-services.ts: teardowns run in reverse, so this runs after the services stopped and
// before the process leak check.
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { probeCgroups } from '../../src/os/cgroup/cgroup-probe.js';
import { enterCgroup } from '../../src/os/cgroup/spawn-in-cgroup.js';
import { killCgroup } from '../../src/os/cgroup/kill-cgroup.js';
import { removeCgroup } from '../../src/os/cgroup/remove-cgroup.js';
import { listCgroupPids, waitCgroupEmpty } from '../../src/os/cgroup/wait-cgroup.js';
import { randomHex } from '../../src/os/random-hex.js';

/** The suite's cgroup is `<own>/runwarden-testsuite.<8 hex of the suite id>`. */
export const SUITE_CGROUP_PREFIX = 'runwarden-testsuite.';
/** Where the verdict goes; a test of the check points it elsewhere. */
const REPORT_VARIABLE = 'RUNWARDEN_CGROUP_LEAK_REPORT';
const DEFAULT_REPORT = 'test-artifacts/cgroup-leak-check.json';
const EMPTY_WAIT_MS = 5000;

/** 8 hex digits of this suite's id. */
export function suiteTag(suite = process.env.RUNWARDEN_TEST_SUITE): string {
  const hex = (suite ?? '')
    .replace(/[^0-9a-f]/gi, '')
    .slice(0, 8)
    .toLowerCase();
  return hex.length === 8 ? hex : 'nosuite0';
}

/** A fresh supervisor name for a test that opens cgroup areas itself: `rwtest-<suite>-<12 hex>`. */
export function testSupervisorName(): string {
  return `rwtest-${suiteTag()}-${randomHex(6)}`;
}

/** One leftover cgroup, as written to the report. */
export interface LeakedCgroup {
  readonly path: string;
  /** The processes in it (and below it) when it was found. */
  readonly pids: readonly number[];
  /** The cgroups below it when it was found. */
  readonly below: readonly string[];
  /** `removed`, or why it could not be. */
  readonly removed: string;
}

/** What the check found. */
export interface CgroupLeakReport {
  /** False when the suite ran without a cgroup of its own (`reason` says why). */
  readonly checked: boolean;
  readonly reason?: string;
  /** The check itself failed (it counts as a failure of the run). */
  readonly error?: string;
  /** The cgroup whose children were checked. */
  readonly root: string;
  readonly leaked: readonly LeakedCgroup[];
  /** Empty cgroups left below the suite's, removed (crashed test supervisors' areas). */
  readonly tidied?: readonly string[];
}

/** The cgroups directly below `dir`. */
export function cgroupsBelow(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/** Ends and removes one leftover; what happened, for the report. */
async function endLeftover(path: string): Promise<LeakedCgroup> {
  const pids = listCgroupPids(path);
  const below = cgroupsBelow(path).map((dir) => dir.slice(path.length + 1));
  try {
    await killCgroup(path);
    await waitCgroupEmpty(path, { timeoutMs: EMPTY_WAIT_MS });
    removeCgroup(path);
    const removed = existsSync(path) ? 'still there after rmdir' : 'removed';
    return { path, pids, below, removed };
  } catch (error) {
    return { path, pids, below, removed: `not removed: ${(error as Error).message}` };
  }
}

/** Ends and removes every cgroup below `root`: one holding a process is a leak. */
export async function checkCgroupLeaks(root: string): Promise<CgroupLeakReport> {
  const leaked: LeakedCgroup[] = [];
  const tidied: string[] = [];
  for (const path of cgroupsBelow(root)) {
    const left = await endLeftover(path);
    if (left.pids.length === 0 && left.removed === 'removed') tidied.push(path);
    else leaked.push(left);
  }
  return { checked: true, root, leaked, ...(tidied.length > 0 ? { tidied } : {}) };
}

/** Writes the report to `path`. */
export function writeCgroupReport(path: string, report: CgroupLeakReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Checks `root`, writes the report to `reportPath`, and fails the run (exit status 1) when
 * it found any leftover. It never throws (see the header). Returns what it found.
 */
export async function runCgroupCheck(root: string, reportPath: string): Promise<CgroupLeakReport> {
  let report: CgroupLeakReport;
  try {
    report = await checkCgroupLeaks(root);
  } catch (error) {
    report = { checked: false, error: (error as Error).message, root, leaked: [] };
    console.error(`[cgroup-leak-check] the check failed: ${report.error}`);
    process.exitCode = 1;
  }
  writeCgroupReport(reportPath, report);
  if (report.leaked.length === 0) return report;
  const list = report.leaked.map(
    (c) =>
      `${c.path} (pids ${c.pids.join(' ') || 'none'}; below: ${c.below.join(' ') || 'none'}; ${c.removed})`,
  );
  console.error(
    `[cgroup-leak-check] ${report.leaked.length} cgroup(s) of the suite were left behind: ${list.join(', ')}`,
  );
  process.exitCode = 1;
  return report;
}

/** Removes earlier suites' cgroups below `own` that are empty now (their vitest exited). */
export function removeStaleSuiteCgroups(own: string): void {
  for (const dir of cgroupsBelow(own)) {
    if (!dir.slice(dir.lastIndexOf('/') + 1).startsWith(SUITE_CGROUP_PREFIX)) continue;
    try {
      rmdirSync(dir); // refused while anything lives in it or below it
    } catch {
      // still in use (another suite running now), or holding leftovers: not ours to touch
    }
  }
}

export function setup(): (() => Promise<void>) | undefined {
  const reportPath = process.env[REPORT_VARIABLE] ?? DEFAULT_REPORT;
  const probe = probeCgroups();
  if (!probe.available) {
    writeCgroupReport(reportPath, { checked: false, reason: probe.reason, root: '', leaked: [] });
    return undefined;
  }
  removeStaleSuiteCgroups(probe.own.dir);
  const suite = join(probe.own.dir, `${SUITE_CGROUP_PREFIX}${suiteTag()}`);
  mkdirSync(suite, { recursive: true });
  enterCgroup(suite, probe.own);
  return async () => {
    await runCgroupCheck(suite, reportPath);
    // Back where it came from; the workers leave the suite's cgroup as they exit.
    enterCgroup(probe.own.dir, probe.own);
  };
}
