// `runwarden status` and `status --json` through the built binary and a real daemon: every
// field the README documents (`{ name, pid, state, home, socket, store, lastReconcile }`, and
// the store's health) checked against the daemon that answers.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { ReconcileReport } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { containmentLinePattern, defaultContainment } from '../support/containment.js';
import { liveMarked } from '../support/process-checks.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-status-');

async function daemon(
  home: string,
  args: string[] = [],
): Promise<{ daemon: DaemonProcess; report: Record<string, unknown> }> {
  const started = await startDaemon(home, args);
  cleanups.push(async () => {
    expect(await stopDaemon(started.daemon)).toBe(0);
  });
  return started;
}

interface Status {
  readonly name: string;
  readonly pid: number;
  readonly state: string;
  readonly home: string;
  readonly socket: string;
  readonly store: string;
  readonly storeHealth: { state: string; since: number };
  readonly lastReconcile: ReconcileReport;
}

test('status --json: name, pid, state, home, socket, store, store health and the boot report', async () => {
  const home = tempHome();
  const before = Date.now();
  const { daemon: started, report } = await daemon(home);
  const status = await runCli(home, ['status', '--json']);
  expect(status).toMatchObject({ code: 0, stderr: '' });
  const parsed = JSON.parse(status.stdout) as Status;
  expect(parsed).toEqual({
    name: 'default',
    pid: started.pid,
    state: 'active',
    home,
    socket: join(home, 'default.sock'),
    store: 'sqlite (default)',
    storeHealth: {
      state: 'ok',
      since: expect.any(Number) as number,
      lastError: null,
      laggingRuns: [],
    },
    containment: expect.objectContaining({ mode: defaultContainment() }) as unknown,
    // The same report the daemon printed when it started.
    lastReconcile: report,
  });
  expect(parsed.storeHealth.since).toBeGreaterThanOrEqual(before);
  expect(parsed.storeHealth.since).toBeLessThanOrEqual(Date.now());
  expect(parsed.lastReconcile).toMatchObject({ dryRun: false, killed: [], lost: [] });
});

test('status in words: the daemon, its pid and state; the store and its health', async () => {
  const home = tempHome();
  const { daemon: started } = await daemon(home);
  const status = await runCli(home, ['status']);
  expect(status).toMatchObject({ code: 0, stderr: '' });
  expect(status.stdout).toMatch(
    new RegExp(
      `^daemon default \\(pid ${String(started.pid)}\\): active\nstore sqlite \\(default\\): ok\n${containmentLinePattern()}last boot: nothing to reconcile \\(\\d+ ms\\)\n$`,
    ),
  );
});

test('status of a named daemon on its own store reports the orphan its boot killed', async () => {
  const home = tempHome();
  const store = `sqlite://${join(home, 'other.sqlite')}`;
  const args = ['--name', 'other', '--store', store];
  const first = await startDaemon(home, args);
  cleanups.push(() => stopDaemon(first.daemon, 'SIGKILL'));
  // A piped child that never writes outlives its daemon's SIGKILL.
  const id = (await runCli(home, ['--name', 'other', 'run', '--', 'sleep', '60'])).stdout.trim();
  await waitUntil(() => liveMarked(id).length === 1, 10_000, 'the run');
  expect(await stopDaemon(first.daemon, 'SIGKILL')).toBeNull();
  expect(liveMarked(id)).toHaveLength(1);

  const { daemon: second, report } = await daemon(home, args);
  expect(liveMarked(id)).toEqual([]);
  const status = JSON.parse(
    (await runCli(home, ['--name', 'other', 'status', '--json'])).stdout,
  ) as Status;
  expect(status).toMatchObject({
    name: 'other',
    pid: second.pid,
    state: 'active',
    socket: join(home, 'other.sock'),
    store,
    lastReconcile: { ...report, killed: [id] },
  });
  // The default name has no daemon on this home.
  const unnamed = await runCli(home, ['status']);
  expect(unnamed.code).toBe(1);
  expect(unnamed.stderr).toContain(`no daemon on ${join(home, 'default.sock')}`);
  const words = (await runCli(home, ['--name', 'other', 'status'])).stdout;
  expect(words).toMatch(
    new RegExp(`^daemon other \\(pid ${String(second.pid)}\\): active\nstore [^\n]+: ok\n`),
  );
  expect(words).toMatch(new RegExp(`\n${containmentLinePattern()}`));
  expect(words.endsWith(`\nlast boot: 1 killed (${String(report.durationMs)} ms)\n`)).toBe(true);
  expect(words).toContain(`store ${store}: ok`);
});
