// Global setup/teardown: after the whole suite, no cgroup the suite created may remain. Every
// test supervisor that uses cgroups is named by testSupervisorName(): `rwtest-<suite>-<random>`,
// where <suite> is 8 hex digits of this suite's id (RUNWARDEN_TEST_SUITE, set by
// global-marker-check.ts, whose setup runs first). Its area is `runwarden.rwtest-<suite>-...`
// wherever the test's process stood in the cgroup v2 hierarchy, so the teardown walks the
// whole hierarchy for directories with that prefix. A suite of another checkout on the same
// machine has another <suite>, and a real supervisor's area (`runwarden.default`) never
// matches: neither is ever touched. Each leftover is ended (cgroup.kill, then `populated 0`),
// removed, and the run FAILS: the exit status is set (without a throw, which would stop
// vitest from running the process leak check's teardown after this one) and the findings go to test-artifacts/cgroup-leak-check.json, which .ci/run adds to the
// process leak report that .ci/summarize.mjs counts. A test supervisor named otherwise (the
// default `default` of test/support/supervisor-harness.ts today) is not covered: a test that
// gives a supervisor cgroups must name it with testSupervisorName().
// Registered after global-marker-check.ts and before global-services.ts: teardowns run in
// reverse, so this runs after the services stopped and before the process leak check.
import { readdirSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { killCgroup } from '../../src/os/cgroup/kill-cgroup.js';
import { readCgroup2Mounts } from '../../src/os/cgroup/own-cgroup.js';
import { removeCgroup } from '../../src/os/cgroup/remove-cgroup.js';
import { listCgroupPids, waitCgroupEmpty } from '../../src/os/cgroup/wait-cgroup.js';
import { randomHex } from '../../src/os/random-hex.js';

/** Every cgroup-using test supervisor's name starts with this. */
export const TEST_SUPERVISOR_PREFIX = 'rwtest-';
/** Where the verdict goes; a test of the check points it elsewhere. */
const REPORT_VARIABLE = 'RUNWARDEN_CGROUP_LEAK_REPORT';
const DEFAULT_REPORT = 'test-artifacts/cgroup-leak-check.json';
const EMPTY_WAIT_MS = 5000;

/** 8 hex digits of this suite's id: the part of test names that makes them this suite's. */
export function suiteTag(suite = process.env.RUNWARDEN_TEST_SUITE): string {
  const hex = (suite ?? '')
    .replace(/[^0-9a-f]/gi, '')
    .slice(0, 8)
    .toLowerCase();
  return hex.length === 8 ? hex : 'nosuite0';
}

/** A fresh supervisor name for a test: `rwtest-<suite>-<12 hex>`. */
export function testSupervisorName(): string {
  return `${TEST_SUPERVISOR_PREFIX}${suiteTag()}-${randomHex(6)}`;
}

/** The prefix of every area of this suite's test supervisors. */
export function suiteAreaPrefix(): string {
  return `runwarden.${TEST_SUPERVISOR_PREFIX}${suiteTag()}-`;
}

/** One leftover cgroup, as written to the report. */
export interface LeakedCgroup {
  readonly path: string;
  /** The processes in it (and below it) when it was found. */
  readonly pids: readonly number[];
  /** `removed`, or why it could not be. */
  readonly removed: string;
}

/** What the check found. */
export interface CgroupLeakReport {
  /** False when there is no cgroup v2 hierarchy to check (`reason` says why). */
  readonly checked: boolean;
  readonly reason?: string;
  /** The check itself failed (it counts as a failure of the run). */
  readonly error?: string;
  readonly prefix: string;
  readonly leaked: readonly LeakedCgroup[];
}

/** Directories below `dir` whose name starts with `prefix` (not descending into them). */
function findByPrefix(dir: string, prefix: string, found: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    // A cgroup removed during the walk (another test file finishing) has nothing to find.
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix)) found.push(join(dir, name));
    else findByPrefix(join(dir, name), prefix, found);
  }
}

/** Ends and removes one leftover; what happened, for the report. */
async function endLeftover(path: string): Promise<LeakedCgroup> {
  const pids = listCgroupPids(path);
  try {
    await killCgroup(path);
    await waitCgroupEmpty(path, { timeoutMs: EMPTY_WAIT_MS });
    removeCgroup(path);
    return { path, pids, removed: existsSync(path) ? 'still there after rmdir' : 'removed' };
  } catch (error) {
    return { path, pids, removed: `not removed: ${(error as Error).message}` };
  }
}

/** Finds, ends and removes every cgroup named `prefix*` in the cgroup v2 hierarchy. */
export async function checkCgroupLeaks(prefix: string): Promise<CgroupLeakReport> {
  const mounts = readCgroup2Mounts();
  // The whole hierarchy: a mount of its root if there is one (others show parts of it).
  const mount = mounts.find((m) => m.root === '/') ?? mounts[0];
  if (mount === undefined) {
    return { checked: false, reason: 'no cgroup2 mount', prefix, leaked: [] };
  }
  const found: string[] = [];
  findByPrefix(mount.mountPoint, prefix, found);
  const leaked: LeakedCgroup[] = [];
  for (const path of found.sort()) leaked.push(await endLeftover(path));
  return { checked: true, prefix, leaked };
}

/** Writes the report to `path`. */
export function writeCgroupReport(path: string, report: CgroupLeakReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Checks for cgroups named `prefix*`, writes the report to `reportPath`, and fails the run
 * (exit status 1) when it found any. It never throws: vitest stops running the remaining
 * teardowns at the first that throws, and the process leak check (global-marker-check.ts)
 * must still run after this one. Returns what it found.
 */
export async function runCgroupCheck(
  prefix: string,
  reportPath: string,
): Promise<CgroupLeakReport> {
  let report: CgroupLeakReport;
  try {
    report = await checkCgroupLeaks(prefix);
  } catch (error) {
    report = { checked: false, error: (error as Error).message, prefix, leaked: [] };
    console.error(`[cgroup-leak-check] the check failed: ${report.error}`);
    process.exitCode = 1;
  }
  writeCgroupReport(reportPath, report);
  if (report.leaked.length === 0) return report;
  const list = report.leaked.map(
    (c) => `${c.path} (pids ${c.pids.join(' ') || 'none'}; ${c.removed})`,
  );
  const message = `[cgroup-leak-check] ${report.leaked.length} cgroup(s) of the suite were left behind: ${list.join(', ')}`;
  console.error(message);
  process.exitCode = 1;
  return report;
}

export function setup(): () => Promise<void> {
  const prefix = suiteAreaPrefix();
  const reportPath = process.env[REPORT_VARIABLE] ?? DEFAULT_REPORT;
  return async () => {
    await runCgroupCheck(prefix, reportPath);
  };
}
