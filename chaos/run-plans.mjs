// Random spawn specs: the kinds of runs that make supervision hard. Sleeps are long enough
// to outlive a cycle's faults; every cycle ends with a kill-policy shutdown that ends them.

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
  const spec = {
    mode,
    command: kind.command,
    args: kind.args,
    killGraceMs: random.int(50, 400),
    // Deadlines ticking while the daemon dies, restarts, and reattaches.
    ...(random.chance(0.25) ? { timeoutMs: random.int(100, 2500) } : {}),
    ...(random.chance(0.15) ? { noOutputTimeoutMs: random.int(100, 2000) } : {}),
    ...(random.chance(0.3) ? { durable: true } : {}),
    ...(random.chance(0.3) ? { onOrphan: random.pick(['kill', 'reattach']) } : {}),
    env: { CHAOS_KIND: kind.name },
  };
  if (random.chance(0.4)) {
    spec.scopeKey = random.pick(SCOPES);
    if (random.chance(0.7)) spec.replaceExistingScope = true;
  }
  return { kind: kind.name, spec };
}
