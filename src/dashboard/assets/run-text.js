// How the dashboard words a run: ages, exits, restart policies, the countdown of a run in
// `backoff` and what a run `held` by its group waits for. Pure functions of a RunInfo (or RunExit) and the time, no DOM: the page
// calls them at every tick, and test/dashboard/run-text.test.ts calls them in Node.

/** `42s`, `3m 5s`, `2h 10m`: a whole number of seconds. */
function formatSeconds(s) {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** How long ago, or for how long: `42s`, `3m 5s`, `2h 10m`. */
export function formatAge(ms) {
  return formatSeconds(Math.max(0, Math.round(ms / 1000)));
}

/** A policy duration as the CLI's flags take it: `500ms`, `30s`, `10m`, `2h`. */
export function formatDuration(ms) {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function countOf(n, what) {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Whether the run has a restart policy (a daemon older than restart policies sends none). */
export function restartsAtAll(run) {
  return run.restart === 'on-failure' || run.restart === 'always';
}

/**
 * The countdown of a run in `backoff`: `restarts in 3s` (rounded up, so it never reads 0s
 * while there is time left), or `restarting now…` once its time has come and the next
 * generation is being started. The page and the daemon share one clock: the dashboard
 * listens on loopback only.
 */
export function countdownText(nextStartAt, now) {
  const left = nextStartAt - now;
  return left <= 0 ? 'restarting now…' : `restarts in ${formatSeconds(Math.ceil(left / 1000))}`;
}

/**
 * What a run in `held` waits for (a run of a group, stopped, its tree verified dead): its
 * group, `waits for group agent-1`, with the countdown when the group gave it a start time
 * still ahead, `waits for group agent-1, restarts in 3s`. A time already passed (when a run
 * stopped for a sibling's restart ended) says nothing of when it starts: its group decides.
 */
export function heldText(run, now) {
  const group = typeof run.group === 'string' ? `group ${run.group}` : 'its group';
  const at = run.nextStartAt;
  const ahead = typeof at === 'number' && at > now;
  return ahead ? `waits for ${group}, ${countdownText(at, now)}` : `waits for ${group}`;
}

/** The policy: `on-failure, ≤5 in 1m`, or with `long`, every tuning knob spelt out. */
export function policyText(run, long = false) {
  const within = formatDuration(run.restartWindowMs);
  if (!long) return `${run.restart}, ≤${run.maxRestarts} in ${within}`;
  const limit = `at most ${countOf(run.maxRestarts, 'restart')} in ${within}`;
  const first = formatDuration(run.restartDelayMs);
  return `${run.restart}: ${limit}, delay ${first} doubling up to ${formatDuration(run.maxRestartDelayMs)}`;
}

/**
 * A run's restart facts at `now`, as `[part, text]` pairs in display order: the countdown
 * (in `backoff`) or what it waits for (in `held`, policy or not), the restart count (when
 * > 0), the generation and the policy (for a run with a policy). Empty for a run without a
 * policy that never restarted and waits for nothing. `long` words them for the detail panel.
 */
export function restartParts(run, now, long = false) {
  const parts = [];
  if (run.state === 'backoff' && typeof run.nextStartAt === 'number')
    parts.push(['countdown', countdownText(run.nextStartAt, now)]);
  if (run.state === 'held') parts.push(['held', heldText(run, now)]);
  const restarts = run.restarts ?? 0;
  if (restarts > 0) parts.push(['count', countOf(restarts, 'restart')]);
  if (restartsAtAll(run)) {
    parts.push(['generation', long ? `generation ${run.generation}` : `gen ${run.generation}`]);
    parts.push(['policy', policyText(run, long)]);
  }
  return parts;
}

/**
 * How a run ended: `exit 0`, `cancelled SIGTERM (forced)`, `exit 0 (after 2 restarts)`; for a
 * run with a policy ended by something else than its program, the code is its last
 * generation's, `cancelled (last exit 3, after 1 restart)` (cancelled while in backoff); and
 * for a policy that gave up `restart-limit: gave up after 5 restarts (at most 5 in 1m), last
 * exit 3`. `run` (its RunInfo) tells whether it had a policy, and words the limit.
 */
export function exitText(exit, run) {
  if (exit === null) return '';
  const code = exit.exitCode === null ? '' : ` ${exit.exitCode}`;
  const signal = exit.signal === null ? '' : ` ${exit.signal}`;
  const lastEnd = signal !== '' ? `last signal${signal}` : code !== '' ? `last exit${code}` : '';
  const restarts = countOf(exit.restarts ?? 0, 'restart');
  const policy = run !== undefined && restartsAtAll(run);
  if (exit.reason === 'restart-limit') {
    // The limit is not how the program ended: say how its last generation did.
    const within = policy
      ? ` (at most ${run.maxRestarts} in ${formatDuration(run.restartWindowMs)})`
      : '';
    const tail = [lastEnd, exit.forced ? 'forced' : ''].filter((note) => note !== '');
    return `restart-limit: gave up after ${restarts}${within}${tail.map((n) => `, ${n}`).join('')}`;
  }
  // An end the program did not choose (a cancel in backoff) keeps its last generation's code.
  const byLast = policy && exit.reason !== 'exit' && exit.reason !== 'signal' && lastEnd !== '';
  const notes = [
    byLast ? lastEnd : '',
    exit.forced ? 'forced' : '',
    (exit.restarts ?? 0) > 0 ? `after ${restarts}` : '',
  ].filter((note) => note !== '');
  const how = byLast ? '' : `${code}${signal}`;
  return `${exit.reason}${how}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`;
}
