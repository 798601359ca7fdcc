// The faults a burst of runs meets: the daemon SIGKILLed, the durable run host SIGKILLed
// (found by its marker, signalled by verified identity), or both.
import { signalVerified } from '../dist/os/signal-verified.js';
import { killDaemon } from './daemon.mjs';
import { runHosts } from './processes.mjs';

/** Injects `fault`; returns what was really done (no live host: the daemon instead). */
export async function injectFault(fault, daemon, tag) {
  let done = fault;
  if (fault === 'host' || fault === 'both') {
    const hosts = runHosts(tag);
    for (const host of hosts) signalVerified(host.identity, 'SIGKILL');
    if (hosts.length === 0) done = 'daemon (no live host)';
  }
  if (done !== 'host') await killDaemon(daemon);
  return done;
}

/** A random fault: mostly the daemon, sometimes the run host, sometimes both. */
export function randomFault(random) {
  return random.pick(['daemon', 'daemon', 'daemon', 'host', 'both']);
}
