// Random spawn specs: the kinds of runs that make supervision hard. Sleeps are long enough
// to outlive a cycle's faults; every cycle ends with a kill-policy shutdown that ends them.
// Some restart (any kind, any policy); every start of every generation logs its run id
// and generation to the cycle's starts log before it becomes the kind's command.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The variable naming the starts log, inherited from the daemon by every run. */
export const STARTS_LOG = 'CHAOS_STARTS';

/** The starts log of the cycle whose home is `home`: a line `<run id> <generation>` a start. */
export function startsLog(home) {
  return join(home, 'starts.log');
}

/** Starts of a later generation (restarts) in the starts log of `home`; of `runs` if given. */
export function restartsLogged(home, runs) {
  const file = startsLog(home);
  if (!existsSync(file)) return 0;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.filter((line) => {
    const [id, generation] = line.split(' ');
    return Number(generation) > 1 && (runs === undefined || runs.has(id));
  }).length;
}

/** `sh -c LOG_START CMD ARGS...`: logs the start, then becomes CMD. */
export const LOG_START =
  'echo "$RUNWARDEN_RUN_ID $RUNWARDEN_RUN_GENERATION" >> "$CHAOS_STARTS"; exec "$0" "$@"';

// Each kind: its command and whether it needs a terminal.
const KINDS = [
  // Never writes: survives its daemon's death (no SIGPIPE), an orphan to kill or reattach.
  { name: 'sleeper', command: 'sleep', args: ['40'] },
  // Writes all the time: output offsets move; a plain one dies of SIGPIPE with its daemon.
  { name: 'talker', command: 'sh', args: ['-c', 'while :; do echo tick; sleep 0.1; done'] },
  { name: 'quick', command: 'sh', args: ['-c', 'echo quick; exit 3'] },
  // Only SIGKILL ends it, after killGraceMs.
  { name: 'ignores-term', command: 'bash', args: ['-c', "trap '' TERM; sleep 41"] },
  // Survives the hangup of its terminal when a PTY-holding daemon dies.
  { name: 'ignores-hup', command: 'bash', args: ['-c', "trap '' HUP; sleep 42"], pty: true },
  // A double-forked child (reparented to init) and a setsid one (left group and session).
  {
    name: 'escapees',
    command: 'bash',
    args: ['-c', "trap '' HUP; (sleep 43 &); (setsid sleep 44 &); sleep 45"],
  },
  // Ignores SIGTERM in the whole tree, double-forks a setsid grandchild.
  {
    name: 'stubborn-tree',
    command: 'bash',
    args: ['-c', "trap '' TERM HUP; (setsid bash -c \"trap '' TERM HUP; sleep 46\" &); sleep 47"],
  },
  { name: 'missing', command: 'runwarden-chaos-no-such-command', args: [] },
];

const SCOPES = ['tool-a', 'tool-b'];

/** A random spawn spec (`spec`) and the kind it is (`kind`, for messages). */
export function randomRunPlan(random) {
  const kind = random.pick(KINDS);
  const mode = kind.pty === true || random.chance(0.4) ? 'pty' : 'child';
  // A command that is not found never starts: nothing to log.
  const logged = kind.name !== 'missing';
  const spec = {
    mode,
    command: logged ? 'sh' : kind.command,
    args: logged ? ['-c', LOG_START, kind.command, ...kind.args] : kind.args,
    killGraceMs: random.int(50, 400),
    // Deadlines ticking while the daemon dies, restarts, and reattaches.
    ...(random.chance(0.25) ? { timeoutMs: random.int(100, 2500) } : {}),
    ...(random.chance(0.15) ? { noOutputTimeoutMs: random.int(100, 2000) } : {}),
    ...(random.chance(0.3) ? { durable: true } : {}),
    ...(random.chance(0.3) ? { onOrphan: random.pick(['kill', 'reattach']) } : {}),
    ...(random.chance(0.35)
      ? {
          restart: random.pick(['on-failure', 'always']),
          restartDelayMs: random.int(20, 400),
          maxRestartDelayMs: 1000,
          maxRestarts: random.int(1, 3),
        }
      : {}),
    env: { CHAOS_KIND: kind.name },
  };
  if (random.chance(0.4)) {
    spec.scopeKey = random.pick(SCOPES);
    if (random.chance(0.7)) spec.replaceExistingScope = true;
  }
  return { kind: kind.name, spec };
}
