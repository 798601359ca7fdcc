// The processes of one cycle, found by environment (never by name): every process the
// cycle's daemons start inherits RUNWARDEN_CHAOS=<tag>, so marked processes of other
// suites or other engineers on the same machine are never judged, nor touched.
import { RUN_HOST_MARKER } from '../dist/host/client/run-host-link.js';
import { RUN_GENERATION, RUN_MARKER } from '../dist/os/run-marker.js';
import { findMarkedProcesses } from '../dist/os/find-marked-processes.js';
import { readEnvironValue } from '../dist/os/proc-fs.js';
import { signalVerified } from '../dist/os/signal-verified.js';

/** The variable that tags a cycle's processes. */
export const CHAOS_TAG = 'RUNWARDEN_CHAOS';

// Those of `found` whose tag is `tag` (or, with `prefix`, starts with it).
function tagged(found, tag, prefix = false) {
  return found.filter((p) => {
    const value = readEnvironValue(p.identity.pid, CHAOS_TAG);
    if (typeof value !== 'object') return false;
    return prefix ? value.value.startsWith(tag) : value.value === tag;
  });
}

/**
 * Live processes of the cycle carrying a run marker: `{ identity, comm, value: runId,
 * generation }` (the generation they were started in; null if they dropped it).
 */
export function markedProcesses(tag) {
  return tagged(findMarkedProcesses(RUN_MARKER).found, tag).map((p) => {
    const generation = readEnvironValue(p.identity.pid, RUN_GENERATION);
    return { ...p, generation: typeof generation === 'object' ? Number(generation.value) : null };
  });
}

/** Live run hosts of the cycle. */
export function runHosts(tag) {
  return tagged(findMarkedProcesses(RUN_HOST_MARKER).found, tag);
}

/** SIGKILLs what is left of the cycle, by verified identity only. Returns how many. */
export function killLeftovers(tag) {
  const left = [...markedProcesses(tag), ...runHosts(tag)];
  for (const p of left) signalVerified(p.identity, 'SIGKILL');
  return left.length;
}

/**
 * After the last cycle: every marked process and run host whose tag starts with `prefix`
 * (the harness's own), each then SIGKILLed by verified identity. Returns their descriptions.
 */
export function endHarnessLeftovers(prefix) {
  const runs = tagged(findMarkedProcesses(RUN_MARKER).found, prefix, true);
  const hosts = tagged(findMarkedProcesses(RUN_HOST_MARKER).found, prefix, true);
  for (const p of [...runs, ...hosts]) signalVerified(p.identity, 'SIGKILL');
  return [
    ...runs.map((p) => `${describeProcess(p)} of run ${p.value}`),
    ...hosts.map((p) => `run host ${describeProcess(p)}`),
  ];
}

/** `pid (comm) of run X`, for messages. */
export function describeProcess(p) {
  return `pid ${p.identity.pid} (${p.comm})`;
}
