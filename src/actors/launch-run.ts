// Starts a run's process through the right backend.
import { launchChild } from '../os/child-process.js';
import type { ProcessHandle } from '../os/process-handle.js';
import { launchPty } from '../os/pty-process.js';
import type { RunDescriptor } from '../types.js';
import { buildLaunch } from './build-launch.js';

/** Resolves the command and launches it (PTY or child). Throws SpawnError. */
export async function launchRun(
  runId: string,
  descriptor: RunDescriptor,
  supervisorName: string,
): Promise<ProcessHandle> {
  const spec = buildLaunch(runId, descriptor, supervisorName);
  return descriptor.mode === 'pty' ? launchPty(spec) : launchChild(spec);
}
