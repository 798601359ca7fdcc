// Upgrade (and downgrade) end to end: release 0.1.0 (built by the test from its commit) runs a daemon with a
// plain PTY run and a durable PTY run and is SIGKILLed; this build's daemon boots on the same
// home. Nothing is quarantined, the plain orphan is ended (its whole tree verified dead) and
// recorded orphan-killed, the durable run is reattached through 0.1.0's own run host (which
// speaks protocol 1, as this code does) and its numbered output goes on; then everything ends.
import { afterEach, beforeAll, expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { terminateRunTree } from '../../src/os/terminate-run-tree.js';
import {
  CURRENT_BIN,
  runBuildCli,
  startBuildDaemon,
  type BuildDaemon,
} from '../support/build-daemon.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveMarked } from '../support/process-checks.js';
import { ensureReleaseBuild, type ReleaseBuild } from '../support/release-build.js';
import { liveRunHosts } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const RELEASE = { version: '0.1.0', commit: '0a4963b9a93982bab3521e61ec35c7ad60b49ad6' };
// Survives its daemon's SIGKILL (the kernel's hangup is ignored), with two escapees: a
// double-forked child and one in its own session. It is the daemon's only PTY, so no leaked
// master (node-pty#657) keeps anything else alive.
const PLAIN = "trap '' HUP; (sleep 301 &); (setsid sleep 302 &); exec sleep 303";
const NUMBERED = 'i=0; while :; do i=$((i+1)); echo "line-$i"; sleep 0.1; done';
// The host leaves soon after its last run is collected, so the test can see it gone.
const ENV = { ...process.env, RUNWARDEN_HOST_LINGER_MS: '200' };

let release: ReleaseBuild;
beforeAll(() => {
  assertFreshBuild();
  release = ensureReleaseBuild(RELEASE.version, RELEASE.commit);
}, 600_000);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function daemon(bin: string, home: string): Promise<BuildDaemon> {
  const started = await startBuildDaemon(bin, home, [], ENV);
  cleanups.push(() => started.kill());
  return started;
}

// Whatever a failed run of this test left is ended by marker and verified identity.
function endAfter(home: string, ids: readonly string[]): void {
  cleanups.push(async () => {
    for (const id of ids) {
      await terminateRunTree({
        query: { marker: `${RUN_MARKER}=${id}`, root: null },
        graceMs: 200,
        softSignals: ['SIGTERM'],
      });
    }
    for (const host of liveRunHosts(home)) signalVerified(host, 'SIGKILL');
  });
}

function numbered(text: string): number[] {
  return [...text.matchAll(/line-(\d+)/g)].map((match) => Number(match[1]));
}

async function show(bin: string, home: string, id: string): Promise<RunInfo> {
  return JSON.parse(await runBuildCli(bin, home, ['show', id, '--json'], ENV)) as RunInfo;
}

// `before` runs a daemon with both runs and is SIGKILLed; `after` boots on the same home.
async function restartAcross(before: string, after: string): Promise<void> {
  const temp = createTempHome('runwarden-upgrade-');
  cleanups.push(temp.remove);
  const home = temp.path;
  const old = await daemon(before, home);
  const cli = (bin: string, args: string[]) => runBuildCli(bin, home, args, ENV);
  const durable = (
    await cli(before, ['run', '--pty', '--durable', '--', 'bash', '-c', NUMBERED])
  ).trim();
  const plain = (await cli(before, ['run', '--pty', '--', 'bash', '-c', PLAIN])).trim();
  endAfter(home, [plain, durable]);
  await waitUntil(() => liveMarked(plain).length >= 3, 10_000, 'the plain run and its escapees');
  await waitUntil(
    async () => numbered(await cli(before, ['logs', durable])).length >= 5,
    10_000,
    "the durable run's first lines",
  );
  const [host] = liveRunHosts(home);
  expect(host).toBeDefined();

  await old.kill();
  // Nothing of either run died with the daemon.
  expect(liveMarked(plain).length).toBeGreaterThanOrEqual(3);
  expect(liveMarked(durable).length).toBeGreaterThanOrEqual(1);

  const next = await daemon(after, home);
  expect(next.report).toMatchObject({
    killed: [plain],
    reattached: [durable],
    lost: [],
    uncertain: [],
    quarantined: [],
  });
  // This build reports records of newer versions: there are none.
  if (after === CURRENT_BIN) expect(next.report.newer).toEqual([]);
  // The plain orphan: its whole tree, escapees included, verified dead, and recorded.
  expect(liveMarked(plain)).toEqual([]);
  expect(await show(after, home, plain)).toMatchObject({
    state: 'done',
    exit: { reason: 'orphan-killed', survivors: [] },
  });
  // The durable run: still held by the first daemon's host, followed again, output going on.
  expect(liveRunHosts(home)).toEqual([host]);
  expect(['running', 'idle']).toContain((await show(after, home, durable)).state);
  const seenAtBoot = numbered(await cli(after, ['logs', durable]));
  const lines = await waitUntil(
    async () => {
      const now = numbered(await cli(after, ['logs', durable]));
      return now.length >= seenAtBoot.length + 10 ? now : null;
    },
    15_000,
    'the durable run to print on after the restart',
  );
  // Every line once, in order, from the first.
  expect(lines).toEqual(lines.map((_, index) => index + 1));

  const ended = JSON.parse(await cli(after, ['kill', durable, '--json'])) as Array<{
    reason: string;
    survivors: number[];
  }>;
  expect(ended).toMatchObject([{ reason: 'cancelled', survivors: [] }]);
  expect(liveMarked(durable)).toEqual([]);
  expect(await next.stop()).toBe(0);
  // The first daemon's host let go of its last run and left by itself.
  await waitUntil(() => liveRunHosts(home).length === 0, 10_000, 'the run host to leave');
}

test('upgrade: 0.1.0 SIGKILLed with a plain and a durable PTY run; this build boots: plain ended, durable reattached', async () => {
  await restartAcross(release.bin, CURRENT_BIN);
}, 120_000);

// What a user who goes back to 0.1.0 meets: this build's records (run records v1, lease v2)
// and its run host (protocol 1, answered) are 0.1.0's still.
test('downgrade: this build SIGKILLed with the same runs; 0.1.0 boots: plain ended, durable reattached', async () => {
  await restartAcross(CURRENT_BIN, release.bin);
}, 120_000);
