// Random groups: a cycle's layout (top-level and nested groups, each with a random strategy
// and intensity) and, per burst, the members started in them and the group cancels. Drawn
// from a stream of their own, so a seed's other choices are the same as before groups.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from './random.mjs';
import { LOG_START } from './run-plans.mjs';

/** The variable naming the directory of stop logs and calm files, inherited by every run. */
export const GROUP_DIR = 'CHAOS_GROUPS';

/** The directory of `home`'s stop logs (one per top-level group) and calm files. */
export function groupDir(home) {
  return join(home, 'groups');
}

/** The stop log of the tree under top-level group `top`: `<run id> <generation> <time>`. */
export function stopsLog(home, top) {
  return join(groupDir(home), `${top}.stops`);
}

/** While it exists, no member of the tree under `top` fails any more. */
export function calmFile(home, top) {
  return join(groupDir(home), `calm-${top}`);
}

/** A line `<run id> <generation>` for each member start whose SIGTERM would be logged. */
export function readyLog(home) {
  return join(groupDir(home), 'ready');
}

/** Held shared by a member deciding to fail; taken exclusively to calm a tree. */
export function calmLock(home) {
  return join(groupDir(home), 'calm.lock');
}

/** Creates the directory and the lock file members open. */
export function prepareGroupDir(home) {
  mkdirSync(groupDir(home), { recursive: true });
  writeFileSync(calmLock(home), '');
}

// A member logs every SIGTERM (its group's stop), ignores SIGHUP (so a dying PTY holder
// leaves it an orphan), says once its traps are set (a SIGTERM before would go unlogged),
// and fails (exit 1) once its time is up unless its tree was calmed. The decision to fail
// is taken under a shared lock: once the harness holds the lock exclusively and has calmed
// the tree, every member that decided to fail has exited. It writes nothing to its output:
// bash reports a job killed by the signal on stderr, and an orphan whose daemon died would
// die of SIGPIPE there before its trap logs the stop.
const MEMBER = [
  'exec >/dev/null 2>&1',
  "trap '' HUP",
  `trap 'echo "$RUNWARDEN_RUN_ID $RUNWARDEN_RUN_GENERATION $EPOCHREALTIME" >> "$${GROUP_DIR}/$CHAOS_TOP.stops"; exit 0' TERM`,
  `echo "$RUNWARDEN_RUN_ID $RUNWARDEN_RUN_GENERATION" >> "$${GROUP_DIR}/ready"`,
  'sleep "$1" & wait $!',
  'if [ $? -eq 0 ]; then',
  `  exec 9>>"$${GROUP_DIR}/calm.lock"; flock -s 9`,
  `  [ -e "$${GROUP_DIR}/calm-$CHAOS_TOP" ] || exit 1`,
  '  exec 9>&-',
  'fi',
  'while :; do sleep 5 & wait $!; done',
].join('\n');

const STRATEGIES = ['one-for-one', 'one-for-all', 'rest-for-one'];

/** A stream of group choices for `seed`, apart from the stream of the cycle's other ones. */
export function groupRandom(seed) {
  return createRandom((seed ^ 0x5bd1e995) >>> 0);
}

/**
 * The cycle's groups, or null (no groups this cycle): `[{ path, options }]`, parents before
 * their children. Options are fixed for the cycle: a live group refuses different ones.
 */
export function randomGroupLayout(random) {
  if (!random.chance(0.7)) return null;
  const layout = [];
  const tops = random.int(1, 2);
  for (let top = 1; top <= tops; top++) {
    const path = `g${top}`;
    layout.push({ path, options: randomOptions(random) });
    if (random.chance(0.5)) {
      layout.push({ path: `${path}/tools`, options: randomOptions(random) });
      if (random.chance(0.3))
        layout.push({ path: `${path}/tools/mcp`, options: randomOptions(random) });
    }
  }
  return layout;
}

function randomOptions(random) {
  return {
    strategy: random.pick(STRATEGIES),
    // 0: its first failure fails it (escalation); up to 4 restarts otherwise.
    maxRestarts: random.pick([0, 1, 2, 3, 4]),
    ...(random.chance(0.3) ? { restartWindowMs: random.int(1000, 10_000) } : {}),
  };
}

/** A burst's group work: members (`{ path, spec, at }`) and at most one cancel. */
export function randomGroupBurst(random, layout) {
  const members = Array.from({ length: random.int(2, 4) }, () => {
    const { path } = random.pick(layout);
    return { path, spec: memberSpec(random, path.split('/')[0]), at: random.int(0, 800) };
  });
  const cancels = random.chance(0.5)
    ? [{ ...randomCancel(random, layout), at: random.int(100, 800) }]
    : [];
  return { members, cancels };
}

/**
 * The work after the last boot: the groups work `dwell` ms, or `cancel` ends one of them
 * (`slot` picks it among the live ones); with none alive, `refill` (members that never
 * fail) starts one again first.
 */
export function randomAfterBoot(random, layout) {
  const dwell = random.int(0, 400);
  const cancel = random.chance(0.6) ? randomCancel(random, layout) : null;
  const slot = random.next();
  const refill = Array.from({ length: 2 }, () => {
    const spec = memberSpec(random, (cancel?.path ?? layout[0].path).split('/')[0]);
    return { path: cancel?.path ?? layout[0].path, spec: neverFailing(spec), at: 0 };
  });
  return { dwell, cancel, slot, refill };
}

/**
 * A group cancel: `calm` (its tree's failures stopped first: its stops are held against the
 * start order), `aimed` (sent as soon as a group of its tree is starting a member again), or
 * `wild` (whenever it comes).
 */
export function randomCancel(random, layout) {
  return {
    path: random.pick(layout).path,
    how: random.chance(0.5) ? 'calm' : random.pick(['aimed', 'wild']),
  };
}

function neverFailing(spec) {
  return { ...spec, args: [...spec.args.slice(0, -1), '40'] };
}

// A member: fails after a random time (or lives on), restarts on failure or always, plain or
// durable, PTY or child; no deadline or scope (nothing but its group signals it).
function memberSpec(random, top) {
  // Soon enough to fail (and be restarted) before most faults; some never fail.
  const failAfter = random.chance(0.75) ? (random.int(10, 100) / 100).toFixed(2) : '40';
  return {
    mode: random.chance(0.3) ? 'pty' : 'child',
    command: 'sh',
    args: ['-c', LOG_START, 'bash', '-c', MEMBER, 'member', failAfter],
    // Generous: a member ends at once on SIGTERM; SIGKILL would lose its stop line.
    killGraceMs: 5000,
    ...(random.chance(0.25) ? { durable: true } : {}),
    ...(random.chance(0.3) ? { onOrphan: random.pick(['kill', 'reattach']) } : {}),
    restart: random.pick(['on-failure', 'always']),
    restartDelayMs: random.int(20, 200),
    maxRestartDelayMs: 1000,
    maxRestarts: random.int(2, 5),
    env: { CHAOS_KIND: 'member', CHAOS_TOP: top },
  };
}
