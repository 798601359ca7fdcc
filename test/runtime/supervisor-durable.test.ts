// Durable runs through the real run host: real processes, real PTYs, a real SQLite store.
// A `leave` shutdown stands for a supervisor that went away without a word; the daemon
// tests SIGKILL a real one.
import { statSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import type { HostedExit } from '../../src/host/host-protocol.js';
import { RunHostLink } from '../../src/host/client/run-host-link.js';
import { runHostPaths } from '../../src/host/run-host-paths.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { liveMarked } from '../support/process-checks.js';
import { liveRunHosts, waitRunHostGone } from '../support/run-hosts.js';
import { waitUntil } from '../support/wait-for.js';

const homes: string[] = [];
const removers: Array<() => void> = [];

// Registered before the harness's own hook, so it runs after it (hooks run as a stack):
// once every supervisor is shut down, each host must exit by itself.
afterEach(async () => {
  for (const home of homes.splice(0)) await waitRunHostGone(home);
  for (const remove of removers.splice(0)) remove();
});
const supervisors = useSupervisors();

/** The exit the run host keeps for `runId` until a supervisor collects it, or null. */
async function hostedExit(dir: string, runId: string): Promise<HostedExit | null> {
  const link = new RunHostLink(dir, 'default');
  try {
    const connection = await link.existing();
    return (await connection?.client.run(runId))?.exit ?? null;
  } finally {
    link.close();
  }
}

function home(): string {
  const temp = createTempHome();
  homes.push(temp.path);
  removers.push(temp.remove);
  return temp.path;
}

test('a durable PTY run keeps its terminal, output and input across supervisors', async () => {
  const dir = home();
  const first = await supervisors({ home: dir });
  const run = await first.spawn({
    mode: 'pty',
    durable: true,
    command: 'sh',
    args: ['-c', 'echo ready; read a; echo "got:$a"; read b; echo "got:$b"; exit 3'],
  });
  expect(run.info().host).toMatchObject({ pid: expect.any(Number) as number });
  await waitUntil(() => run.output().text.includes('ready'), 10_000, 'ready');
  run.write('one\n');
  await waitUntil(() => run.output().text.includes('got:one'), 10_000, 'got:one');
  await first.shutdown({ runs: 'leave' });
  expect(liveMarked(run.id).length).toBeGreaterThan(0);

  const second = await supervisors({ home: dir });
  expect(second.lastReconcile?.reattached).toEqual([run.id]);
  const again = second.handle(run.id);
  if (again === undefined) throw new Error('the reattached run has no handle');
  expect(['running', 'idle']).toContain(again.state);
  // Everything the run ever wrote is readable from offset 0: the host's log has it.
  await waitUntil(() => again.output({ since: 0 }).text.includes('got:one'), 10_000, 'history');
  again.write('two\n');
  const exit = await again.exited;
  expect(exit).toMatchObject({ reason: 'exit', exitCode: 3 });
  const text = again.output({ since: 0 }).text;
  expect(text.indexOf('ready')).toBeLessThan(text.indexOf('got:one'));
  expect(text.indexOf('got:one')).toBeLessThan(text.indexOf('got:two'));
  expect(liveMarked(run.id)).toEqual([]);
});

test('the host enforces the no-output timeout while no supervisor exists', async () => {
  const dir = home();
  const first = await supervisors({ home: dir });
  const before = Date.now();
  const run = await first.spawn({
    durable: true,
    command: 'sleep',
    args: ['30'],
    noOutputTimeoutMs: 3000,
  });
  // The host holds this deadline; the supervisor keeps only the idle clock of a durable run.
  expect(run.info().deadlines).toMatchObject({ timeoutAt: null, noOutputAt: null });
  await first.shutdown({ runs: 'leave' });
  // Seconds of margin: the run outlived its supervisor, so only the host can end it.
  expect(liveMarked(run.id)).toHaveLength(1);
  await waitUntil(() => liveMarked(run.id).length === 0, 15_000, 'the host to end the run');
  const kept = await waitUntil(() => hostedExit(dir, run.id), 10_000, 'the exit the host keeps');
  expect(kept).toMatchObject({ reason: 'no-output-timeout', signal: 'SIGTERM' });
  // Armed when the host spawned the run, after `before`: never earlier than 3 s after it.
  expect(kept.endedAt - before).toBeGreaterThanOrEqual(3000);

  const second = await supervisors({ home: dir });
  const handle = second.handle(run.id);
  if (handle === undefined) throw new Error('the run was not adopted');
  const exit = await handle.exited;
  expect(exit).toMatchObject({ reason: 'no-output-timeout', noOutputTimedOut: true });
  expect(exit.signal).toBe('SIGTERM');
  expect(second.get(run.id)?.state).toBe('done');
});

test('resize reaches the terminal of a reattached durable run', async () => {
  const dir = home();
  const first = await supervisors({ home: dir });
  const run = await first.spawn({
    mode: 'pty',
    durable: true,
    command: 'bash',
    // The kernel sends SIGWINCH on a resize; the trap prints the new size. `wait` is the
    // one builtin a trapped signal interrupts at once (bash defers traps during `read`).
    args: ['-c', 'trap "stty size" WINCH; stty size; sleep 600 & while :; do wait $!; done'],
    cols: 80,
    rows: 24,
  });
  await waitUntil(() => run.output().text.includes('24 80'), 10_000, 'the first size');
  await first.shutdown({ runs: 'leave' });

  const second = await supervisors({ home: dir });
  expect(second.lastReconcile?.reattached).toEqual([run.id]);
  const again = second.handle(run.id);
  if (again === undefined) throw new Error('the run was not reattached');
  again.resize(132, 50);
  await waitUntil(() => again.output({ since: 0 }).text.includes('50 132'), 10_000, 'the new size');
  const text = again.output({ since: 0 }).text;
  expect(text.indexOf('24 80')).toBeLessThan(text.indexOf('50 132'));
  expect(await again.cancel()).toMatchObject({ reason: 'cancelled', survivors: [] });
  expect(liveMarked(run.id)).toEqual([]);
});

test('onOrphan kill ends a hosted run like any other orphan', async () => {
  const dir = home();
  const first = await supervisors({ home: dir });
  const run = await first.spawn({
    mode: 'pty',
    durable: true,
    onOrphan: 'kill',
    command: 'bash',
    args: ['-c', "trap '' HUP; (setsid sleep 91 &); sleep 92"],
    killGraceMs: 500,
  });
  await waitUntil(() => liveMarked(run.id).length >= 2, 10_000, 'the tree to start');
  await first.shutdown({ runs: 'leave' });

  const second = await supervisors({ home: dir });
  expect(second.lastReconcile?.killed).toEqual([run.id]);
  expect(second.get(run.id)?.exit?.reason).toBe('orphan-killed');
  expect(liveMarked(run.id)).toEqual([]);
});

test('a SIGKILLed run host: the live supervisor ends the run as lost, nothing leaks', async () => {
  const dir = home();
  const sup = await supervisors({ home: dir });
  const run = await sup.spawn({
    mode: 'pty',
    durable: true,
    command: 'bash',
    // Survives the hangup of its terminal when the host dies.
    args: ['-c', "trap '' HUP; sleep 93"],
    killGraceMs: 500,
  });
  const host = run.info().host;
  if (host === null) throw new Error('no host recorded');
  expect(signalVerified(host, 'SIGKILL')).toMatchObject({ kind: 'sent' });
  const exit = await run.exited;
  expect(exit.reason).toBe('lost');
  expect(liveMarked(run.id)).toEqual([]);
});

test('a host that died while no supervisor existed: the next boot makes every record final', async () => {
  const dir = home();
  const first = await supervisors({ home: dir });
  const survivor = await first.spawn({
    mode: 'pty',
    durable: true,
    command: 'bash',
    args: ['-c', "trap '' HUP; sleep 94"],
    killGraceMs: 500,
  });
  const quiet = await first.spawn({ mode: 'pty', durable: true, command: 'sleep', args: ['95'] });
  await first.shutdown({ runs: 'leave' });
  const [host] = liveRunHosts(dir);
  if (host === undefined) throw new Error('no live host');
  signalVerified(host, 'SIGKILL');
  // The hangup ends the run that does not ignore it.
  await waitUntil(() => liveMarked(quiet.id).length === 0, 10_000, 'the hangup');

  const second = await supervisors({ home: dir });
  const report = second.lastReconcile;
  expect(report?.killed).toEqual([survivor.id]);
  expect(report?.lost).toEqual([quiet.id]);
  expect(second.get(survivor.id)?.exit?.reason).toBe('orphan-killed');
  expect(second.get(quiet.id)?.exit?.reason).toBe('lost');
  expect(liveMarked(survivor.id)).toEqual([]);
});

test('the host socket and files are private, and the host leaves when it holds no run', async () => {
  const dir = home();
  const sup = await supervisors({ home: dir });
  const run = await sup.spawn({ durable: true, command: 'sh', args: ['-c', 'echo hi'] });
  const paths = runHostPaths(dir, 'default');
  expect(statSync(paths.socket).mode & 0o777).toBe(0o600);
  expect(statSync(paths.identity).mode & 0o777).toBe(0o600);
  expect(statSync(paths.log).mode & 0o777).toBe(0o600);
  expect(statSync(paths.runsDir).mode & 0o777).toBe(0o700);
  expect(await run.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
  expect(run.output().text).toBe('hi\n');
  // Collected: the host holds nothing and exits by itself, removing its socket.
  await waitRunHostGone(dir);
  expect(() => statSync(paths.socket)).toThrow();
});
