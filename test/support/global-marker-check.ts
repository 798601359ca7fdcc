// Global setup/teardown: after the whole suite, no process carrying a run marker may remain,
// and no run host (which exits by itself once it holds no run). Leftovers are ended by
// verified identity (never by name) and the run FAILS: vitest only logs an error thrown by a
// global teardown and exits 0, so the teardown also sets the exit status itself and writes
// what it found to test-artifacts/leak-check.json, which .ci/run reads to name the leaks.
// Every process the suite starts inherits RUNWARDEN_TEST_SUITE, so a suite running next to
// this one (another checkout, another developer, a benchmark) is never mistaken for ours.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_HOST_MARKER } from '../../src/host/run-host-link.js';
import { RUN_MARKER } from '../../src/options/run-spec.js';
import { findMarkedProcesses, type MarkedProcess } from '../../src/os/find-marked-processes.js';
import { readEnvironValue } from '../../src/os/proc-fs.js';
import type { ProcessIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';

const SUITE_VARIABLE = 'RUNWARDEN_TEST_SUITE';
/** Where the verdict goes; a child suite (the check's own test) points it elsewhere. */
const REPORT_VARIABLE = 'RUNWARDEN_LEAK_REPORT';
const DEFAULT_REPORT = 'test-artifacts/leak-check.json';

/** One leaked process, as written to the report. */
export interface LeakedProcess {
  readonly pid: number;
  readonly identity: ProcessIdentity;
  readonly command: string;
  /** `RUNWARDEN_RUN_ID=<value>` or the run host's marker. */
  readonly marker: string;
  /** What the teardown's SIGKILL did: `sent`, or why it was not sent. */
  readonly ended: string;
}

export function setup(): () => Promise<void> {
  const suite = randomUUID();
  process.env[SUITE_VARIABLE] = suite;
  // Run hosts of the suite linger briefly once they hold no run.
  process.env.RUNWARDEN_HOST_LINGER_MS = '200';
  const reportPath = process.env[REPORT_VARIABLE] ?? DEFAULT_REPORT;
  // Only a process carrying this suite's tag is ours. One without it (a run started with
  // extendEnv: false, or a benchmark of another checkout on this machine) is never judged
  // nor signalled: a test that drops the environment passes the tag itself.
  const ours = (p: MarkedProcess) => {
    const tag = readEnvironValue(p.identity.pid, SUITE_VARIABLE);
    return typeof tag === 'object' && tag.value === suite;
  };
  const leftovers = () =>
    [RUN_MARKER, RUN_HOST_MARKER].flatMap((key) =>
      findMarkedProcesses(key)
        .found.filter(ours)
        .map((p) => ({ ...p, marker: `${key}=${p.value}` })),
    );
  return async () => {
    // A host whose last run was just collected is still within its linger.
    let leaked = leftovers();
    for (let i = 0; i < 20 && leaked.length > 0; i++) {
      await sleep(100);
      leaked = leftovers();
    }
    const found: LeakedProcess[] = leaked.map((p) => {
      const result = signalVerified(p.identity, 'SIGKILL');
      return {
        pid: p.identity.pid,
        identity: p.identity,
        command: p.comm,
        marker: p.marker,
        ended: result.kind === 'sent' ? 'sent' : JSON.stringify(result),
      };
    });
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, `${JSON.stringify({ suite, leaked: found }, null, 2)}\n`);
    if (found.length === 0) return;
    const list = found.map((p) => `pid ${p.pid} (${p.command}, ${p.marker}, SIGKILL ${p.ended})`);
    const message = `[leak-check] ${found.length} run process(es) or run host(s) leaked: ${list.join(', ')}`;
    console.error(message);
    process.exitCode = 1;
    throw new Error(message);
  };
}
