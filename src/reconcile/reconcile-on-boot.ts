// Cold-start reconciliation: load every record of this supervisor name (migrated to this
// code's version; newer ones set aside untouched), quarantine the unusable ones, restore
// each live one into `orphaned` (never spawning), decide with verified facts, then end
// escapees of finished runs and apply record retention.
import { dirname } from 'node:path';
import { thisHostname } from '../os/this-host.js';
import type { RunContext } from '../machines/run-context.js';
import { RUN_MARKER } from '../os/run-marker.js';
import { findMarkedProcesses } from '../os/find-marked-processes.js';
import { checkIdentity, currentBootId } from '../os/process-identity.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { RunErrorInfo } from '../types.js';
import { SupervisorStoppedError } from '../errors.js';
import { RunHostProtocolError } from '../host/client/host-client.js';
import type { FoundHostedRun } from '../host/client/find-hosted-run.js';
import { decideAdoption, type OrphanFacts } from '../machines/decide-orphan.js';
import { restartsAfterAdoption } from '../machines/run-restarts.js';
import { earliest, noteDecision } from './note-decision.js';
import { groupByRun, sweepEscapees } from './sweep-escapees.js';
import { countLiveMembers } from './live-members.js';
import { loadRecords } from './load-records.js';
import { settleAdoption, writeBackQuarantine } from './settle-adoption.js';
import { noDecisions, type NewerRecord, type ReconcileReport } from './reconcile-report.js';
import type { BootHost } from './boot-host.js';

export type { BootHost } from './boot-host.js';

function contextOf(record: ValidRunRecord): RunContext {
  return record.snapshot.context as unknown as RunContext;
}

/** Runs reconciliation. With `dryRun` nothing is written, restored or signalled. */
export async function reconcileOnBoot(host: BootHost, dryRun: boolean): Promise<ReconcileReport> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  const phase = <T>(name: string, value: T, since: number): T => {
    phases[name] = Math.round((performance.now() - since) * 10) / 10;
    return value;
  };
  const report = {
    ...noDecisions(),
    quarantined: [] as Array<{ runId: string; reason: string }>,
    newer: [] as NewerRecord[],
    escapeesKilled: [] as Array<{ runId: string; pid: number }>,
    unknownMarked: [] as Array<{ runId: string; pid: number }>,
    unreadable: 0,
    otherHosts: 0,
    expired: 0,
    strayCgroups: [],
  };

  let t = performance.now();
  const loaded = phase('load', await loadRecords(host.store, host.logger, dryRun, host.shapes), t);
  report.quarantined.push(...loaded.quarantined);
  // Quarantined runs, earlier or now, are never judged: nothing of them is touched.
  for (const runId of loaded.quarantinedEarlier) host.leaveAlone?.(runId);
  report.newer.push(...loaded.newer);

  t = performance.now();
  const live: ValidRunRecord[] = [];
  const finished: ValidRunRecord[] = [];
  for (const record of loaded.valid) {
    if (record.hostname !== thisHostname()) {
      report.otherHosts++;
      host.leaveAlone?.(record.runId);
    }
    // A released run's actor is final too, but its process lives on: it is adopted.
    else if (record.final || record.snapshot.value === 'done') finished.push(record);
    else live.push(record);
  }
  if (!dryRun) host.restoreGroups?.(loaded.groups, live.map(contextOf));
  // One scan of /proc serves every decision below.
  const scan = findMarkedProcesses(RUN_MARKER);
  const marked = groupByRun(scan.found);
  report.unreadable = scan.unreadable.length;
  phase('restore', undefined, t);

  t = performance.now();
  const adoptions: Array<Promise<void>> = [];
  for (const record of live) {
    stopIfCalledOff(host);
    const context = trustedCgroup(record.snapshot.context as unknown as RunContext, host);
    const identity = context.identity;
    const fromEarlierBoot = record.bootId !== currentBootId();
    if (fromEarlierBoot) host.leaveAlone?.(record.runId);
    const rootCheck = identity === null || fromEarlierBoot ? null : checkIdentity(identity);
    const durable = context.descriptor.durable;
    // A run waiting to restart has no process: its last generation was verified dead (a
    // host may still keep that generation's exit; its next start replaces it there).
    const waiting = context.nextStartAt !== null;
    const found =
      durable && !fromEarlierBoot && !waiting
        ? await findHostedSafely(host, context)
        : unhosted(null);
    const hosted = found.hosted;
    const facts: OrphanFacts = {
      fromEarlierBoot,
      rootCheck,
      markedProcesses: fromEarlierBoot ? 0 : countLiveMembers(marked.get(record.runId), context),
      wasFinalizing: context.endReason !== null,
      hosted: hosted !== null,
      // A durable run reattaches by default; without its host (or with a host this code
      // cannot speak to) it has no terminal, no output and no input left, so whatever of
      // it lives is killed.
      policy: durable
        ? hosted === null
          ? 'kill'
          : (context.descriptor.onOrphan ?? 'reattach')
        : (context.descriptor.onOrphan ?? host.defaultPolicy),
    };
    const root =
      rootCheck === 'alive' || (hosted !== null && identity !== null)
        ? identity
        : (hosted?.status.identity ?? earliest(marked.get(record.runId) ?? []));
    if (dryRun) {
      const decision = decideAdoption(context.nextStartAt, facts);
      // As the run machine goes on: a run killed or lost may start again.
      const again =
        (decision === 'kill' || decision === 'lost') &&
        restartsAfterAdoption(context, decision, host.now());
      const restarting = decision === 'restart' || again;
      noteDecision(report, record.runId, { decision, restarting }, identity);
      continue;
    }
    const adoption = { record, facts, root, hosted, why: found.why, refused: found.refused };
    const migrated = loaded.migrated.has(record.runId);
    adoptions.push(
      settleAdoption(host, adoption, migrated).then(async (settled) => {
        if (typeof settled === 'string') {
          report.quarantined.push({ runId: record.runId, reason: settled });
          host.logger.warn({ runId: record.runId, reason: settled }, 'run record quarantined');
          await host.store.quarantine(record.runId, record, settled);
          return;
        }
        noteDecision(report, record.runId, settled, identity);
        host.logger.info(
          {
            runId: record.runId,
            decision: settled.decision,
            rootCheck,
            hosted: hosted !== null,
            why: found.why,
          },
          'orphan reconciled',
        );
      }),
    );
  }
  await Promise.all(adoptions);
  if (!dryRun) await collectFinishedHosted(host, finished);
  // Migrated quarantine entries are written back only now that this supervisor owns them.
  if (!dryRun) {
    await writeBackQuarantine(host, loaded, new Set(report.quarantined.map((q) => q.runId)));
  }
  phase('resolve', undefined, t);

  stopIfCalledOff(host);
  t = performance.now();
  const liveIds = new Set(live.map((record) => record.runId));
  const newerIds = new Set(loaded.newer.map((newer) => newer.runId));
  const graces = new Map(finished.map((r) => [r.runId, r.snapshot.context.descriptor.killGraceMs]));
  const swept = await sweepEscapees(
    marked,
    {
      isLive: (runId) => liveIds.has(runId),
      // A newer supervisor's run: not this code's to judge, whatever its processes do.
      isNewer: (runId) => newerIds.has(runId),
      finishedGraceMs: (runId) => graces.get(runId),
    },
    dryRun,
    host.logger,
  );
  report.escapeesKilled.push(...swept.escapeesKilled);
  report.unknownMarked.push(...swept.unknownMarked);
  phase('sweep', undefined, t);

  stopIfCalledOff(host);
  t = performance.now();
  const kept = dryRun ? finished : await applyRetention(host, finished, report);
  for (const record of kept) {
    host.retainFinished(record);
    if (!dryRun && loaded.migrated.has(record.runId)) await host.store.writeBack(record);
  }
  phase('retention', undefined, t);

  return { ...report, dryRun, durationMs: Math.round(performance.now() - started), phases };
}

// Finished records stay listable up to a count and an age; older ones are deleted.
async function applyRetention(
  host: BootHost,
  finished: ValidRunRecord[],
  report: { expired: number },
): Promise<ValidRunRecord[]> {
  const oldestFirst = [...finished].sort((a, b) => a.updatedAt - b.updatedAt);
  const cutoff = host.now() - host.retention.maxAgeMs;
  const excess = Math.max(0, oldestFirst.length - host.retention.maxFinishedRecords);
  const kept: ValidRunRecord[] = [];
  for (const [index, record] of oldestFirst.entries()) {
    stopIfCalledOff(host);
    if (index < excess || record.updatedAt < cutoff) {
      await host.store.delete(host.store.runKey(record.runId));
      host.removeRunFiles(record.runId);
      report.expired++;
    } else {
      kept.push(record);
    }
  }
  return kept;
}

// A durable run's final record may have been written by a supervisor that died before it
// let the run host forget the run: the host would keep that exit, and itself, forever. A
// host this code cannot bridge is told through its frozen release route, or it would keep
// the host lock too, and every durable spawn would fail while it lives.
async function collectFinishedHosted(host: BootHost, finished: ValidRunRecord[]): Promise<void> {
  for (const record of finished) {
    const context = record.snapshot.context as unknown as RunContext;
    if (!context.descriptor.durable || record.bootId !== currentBootId()) continue;
    const { hosted, refused } = await findHostedSafely(host, context);
    const release =
      refused !== null
        ? host.releaseUnbridged(context, refused)
        : hosted !== null && hosted.status.exit !== null
          ? hosted.collect()
          : null;
    await release?.catch((error: unknown) => {
      host.logger.warn({ runId: record.runId, err: error }, 'run host did not release a run');
    });
  }
}

// A host that cannot be asked (down between the check and the question, say) holds nothing
// this boot can follow: the run is decided as any other. A host speaking a protocol this
// code cannot (another runwarden's) is the same, and `why` says so in the run's exit.
async function findHostedSafely(host: BootHost, context: RunContext): Promise<FoundHosted> {
  try {
    return { hosted: await host.findHosted(context), why: null, refused: null };
  } catch (error) {
    host.logger.warn({ runId: context.runId, err: error }, 'run host could not be asked');
    if (!(error instanceof RunHostProtocolError)) return unhosted(null);
    return { ...unhosted({ code: error.code, message: error.message }), refused: error };
  }
}

interface FoundHosted {
  hosted: FoundHostedRun | null;
  why: RunErrorInfo | null;
  refused: RunHostProtocolError | null;
}

function unhosted(why: RunErrorInfo | null): FoundHosted {
  return { hosted: null, why, refused: null };
}

// A boot called off (its supervisor shut down while booting) takes no further step.
function stopIfCalledOff(host: BootHost): void {
  if (host.signal?.aborted === true) {
    throw new SupervisorStoppedError('the supervisor was shut down while it booted');
  }
}

// A record's cgroup is trusted only inside this supervisor's own area: the only cgroups it
// ever places processes in. Any other (a record of another area, or a damaged one) is
// dropped from the record, and the marker alone finds the run's processes.
function trustedCgroup(context: RunContext, host: BootHost): RunContext {
  if (context.cgroup === null || dirname(context.cgroup) === host.cgroupArea) return context;
  host.logger.warn(
    { runId: context.runId, cgroup: context.cgroup },
    'a record names a foreign cgroup',
  );
  (context as { cgroup: string | null }).cgroup = null;
  return context;
}
