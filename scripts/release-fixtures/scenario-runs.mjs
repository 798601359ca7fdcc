// The runs of the fixture scenarios (scenarios.mjs): the shell scripts they run and what is
// done to them, through the helpers `t` that host.mjs gives (the supervisor, the mode, spawn
// and report, waits). Each run is reported with the state its record must be in.

// Survives its supervisor (a PTY hangup is ignored) and prints one line.
export const LONG = "trap '' HUP; echo ready; exec sleep 600";
// Dies with its terminal (a plain PTY, or a durable one whose run host dies).
export const MORTAL = 'echo ready; exec sleep 600';
// Ignores SIGTERM and SIGHUP: finalization waits for SIGKILL after the grace.
export const STUBBORN = "trap '' TERM HUP; echo ready; exec sleep 600";
// Ends (exit 7) once the generator creates `go` in the home (the runs' cwd).
const UNTIL_GO = "trap '' HUP; while [ ! -e go ]; do sleep 0.1; done; exit 7";

// Every option of a spawn spec set to a non-default value, one string starting with ':'
// (Keyv escapes those in the stored text).
export function fullSpec(t) {
  return t.sh(null, {
    command: LONG,
    shell: true,
    env: { FIXTURE_VALUE: 'plain', FIXTURE_COLON: ':starts with a colon' },
    cols: 100,
    rows: 40,
    stdin: t.mode === 'child' ? 'ignore' : 'pipe',
    scopeKey: 'fixture-scope',
    sessionId: 'fixture-session',
    ownerId: 'fixture-owner',
    backendId: 'fixture-backend',
    timeoutMs: 3_600_000,
    noOutputTimeoutMs: 1_800_000,
    idleAfterMs: 600_000,
    killGraceMs: 2500,
    maxOutputBytes: 65_536,
    onOrphan: 'reattach',
    maxLogBytes: 1_048_576,
  });
}

// A successor replacing a predecessor that ignores SIGTERM: it stays in `replacing`.
export async function startReplacement(t, scopeKey, killGraceMs, labels) {
  const before = await t.spawn(labels[0], 'finalizing', t.sh(STUBBORN, { scopeKey, killGraceMs }));
  const spawned = t.sup.spawn(t.sh(LONG, { scopeKey, replaceExistingScope: true }));
  spawned.catch(() => undefined);
  const after = await t.waitRun((info) => info.scopeKey === scopeKey && info.id !== before.id);
  await t.waitState(after, 'replacing');
  await t.waitState(before, 'finalizing');
  t.report(after.id, labels[1], 'replacing');
  return { before, after, spawned };
}

// One run per exit reason a live supervisor records (plus shutdown at the phase's end).
export async function finishRuns(t) {
  const ended = (label, spec, act) =>
    t.spawn(label, 'running', spec).then(async (run) => {
      if (act !== undefined) await act(run);
      const exit = await run.exited;
      t.report(run.id, label, `done:${exit.reason}`);
    });
  const replaced = async () => {
    const slot = 'fixture-replaced';
    const first = await t.spawn(
      'predecessor replaced in its scope',
      'running',
      t.sh(LONG, { scopeKey: slot }),
    );
    const second = await t.sup.spawn(t.sh(LONG, { scopeKey: slot, replaceExistingScope: true }));
    t.report(first.id, 'predecessor replaced in its scope', `done:${(await first.exited).reason}`);
    t.report(
      second.id,
      'successor that replaced it, ended by shutdown({runs:"kill"})',
      'done:shutdown',
    );
  };
  const cancelledWhileReplacing = async () => {
    const labels = [
      'predecessor (ignores SIGTERM) replaced',
      'successor cancelled while replacing',
    ];
    const { before, after } = await startReplacement(t, 'fixture-cancel-replacing', 1500, labels);
    await t.sup.cancel(after.id);
    t.report(after.id, labels[1], 'done:cancelled');
    t.report(before.id, labels[0], `done:${(await before.exited).reason}`);
  };
  await Promise.all([
    ended('exited by itself with code 3', t.sh('echo bye; exit 3')),
    ended('killed itself with SIGTERM', t.sh('echo bye; kill -TERM $$; sleep 5')),
    ended('timeoutMs 300', t.sh(LONG, { timeoutMs: 300, killGraceMs: 1000 })),
    ended('noOutputTimeoutMs 300', t.sh(LONG, { noOutputTimeoutMs: 300, killGraceMs: 1000 })),
    ended('cancelled', t.sh(LONG), (run) => run.cancel()),
    ended(
      'cancelled, ignored SIGTERM: SIGKILL after 300 ms',
      t.sh(STUBBORN, { killGraceMs: 300 }),
      (run) => run.cancel(),
    ),
    ended('owner gone (reconcileOrphans)', t.sh(LONG, { ownerId: 'fixture-gone-owner' }), () =>
      t.sup.reconcileOrphans({ isOwned: () => false }),
    ),
    t.sup.spawn(t.sh(null, { command: 'runwarden-fixture-no-such-command' })).then((run) => {
      t.report(run.id, 'command not found', `done:${run.info().exit?.reason}`);
    }),
    replaced(),
    cancelledWhileReplacing(),
    t.spawn('live at shutdown({runs:"kill"})', 'running', t.sh(LONG), { final: 'done:shutdown' }),
  ]);
}

// Live runs left by a SIGKILLed supervisor, for the next boot to decide.
export async function leaveForBoot(t) {
  const durable = t.mode === 'durable';
  await t.spawn(
    'alive orphan, onOrphan kill: killed at boot',
    'running',
    t.sh(LONG, { onOrphan: 'kill' }),
    {
      final: 'done:orphan-killed',
    },
  );
  await t.spawn(
    'alive orphan, onOrphan reattach: reattached at boot, then left',
    'running',
    t.sh(LONG, { onOrphan: 'reattach' }),
  );
  await t.spawn(
    durable
      ? 'ended while no supervisor ran: its run host kept the exit'
      : 'ended while no supervisor ran: lost',
    'running',
    t.sh(UNTIL_GO),
    { final: durable ? 'done:exit' : 'done:lost', gone: true },
  );
  const stubborn = await t.spawn(
    'finalizing (cancelled) at the crash: finished at boot',
    'running',
    t.sh(STUBBORN, { killGraceMs: 6000 }),
  );
  void stubborn.cancel();
  await t.waitState(stubborn, 'finalizing');
  t.report(stubborn.id, 'finalizing (cancelled) at the crash: finished at boot', 'finalizing', {
    final: 'done:cancelled',
  });
}

// A phase that spawns one run, acts on it, and is SIGKILLed once its record is `now`.
export const sigkilled = (label, now, script, extra = {}, act) => ({
  end: 'sigkill',
  run: async (t) => {
    const run = await t.spawn(label, 'running', t.sh(script, extra));
    if (act !== undefined) await act(t, run);
    t.report(run.id, label, now);
  },
});

// Cancels a run and waits until it is finalizing (its grace keeps it there).
export const cancelInto = async (t, run) => {
  void run.cancel();
  await t.waitState(run, 'finalizing');
};

// A boot that restores the previous phase's run into `orphaned`, and whose next record
// write never returns: the store keeps `orphaned`.
export const adoptedThenHung = (label) => ({
  end: 'hook',
  onOrphan: 'reattach',
  hook: { state: 'orphaned', store: true, leaves: 'orphaned', label },
});

// A boot (kill policy) of what the previous phase left, then left: every run it holds is
// reported with the state `final(mode)` its record must end in.
export const bootOver = (label, final) => ({
  end: 'leave',
  onOrphan: 'kill',
  run: (t) => {
    for (const info of t.sup.list()) t.report(info.id, label, final(t.mode));
  },
});

// A durable run whose run host is SIGKILLed (verified) under its live supervisor.
export async function loseRunHost(t) {
  const label = 'run host SIGKILLed under its live supervisor';
  const run = await t.spawn(label, 'running', t.sh(LONG));
  t.killRunHost(run);
  t.report(run.id, label, `done:${(await run.exited).reason}`);
}
