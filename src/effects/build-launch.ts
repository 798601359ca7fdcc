// Turns a run's descriptor into what a backend launches: resolved program, argv, and the
// environment carrying the run marker that every descendant inherits.
import { RUN_GENERATION, RUN_MARKER } from '../os/run-marker.js';
import type { LaunchSpec } from '../os/process-handle.js';
import { assertDirectory, resolveCommand } from '../os/resolve-command.js';
import type { RunDescriptor } from '../types.js';

/** Builds the launch spec. Throws SpawnError for a missing cwd or command. */
export function buildLaunch(
  runId: string,
  descriptor: RunDescriptor,
  supervisorName: string,
  generation = 1,
): LaunchSpec {
  assertDirectory(descriptor.cwd);
  const env: Record<string, string> = {};
  if (descriptor.extendEnv) {
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined) env[key] = value;
    }
  }
  Object.assign(env, descriptor.env);
  // A host that is itself a run must not pass its own marker down as ours.
  env[RUN_MARKER] = runId;
  env.RUNWARDEN_SUPERVISOR = supervisorName;
  env[RUN_GENERATION] = String(generation);

  // With a shell, `command` is shell code; each of `args` is quoted, so arguments stay data.
  const line = [descriptor.command, ...descriptor.args.map(quoteForShell)];
  const [program, args] =
    descriptor.shell === null
      ? [descriptor.command, descriptor.args]
      : [descriptor.shell, ['-c', line.join(' ')]];
  return {
    file: resolveCommand(program, descriptor.cwd, env.PATH),
    args,
    cwd: descriptor.cwd,
    env,
    cols: descriptor.cols,
    rows: descriptor.rows,
    stdin: descriptor.stdin,
  };
}

/** POSIX single-quoting: the shell sees `value` as one literal word. */
function quoteForShell(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
