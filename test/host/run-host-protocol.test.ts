// Run host protocol versions, with real processes of this build on both sides: a host
// started with RUNWARDEN_TEST_HOST_PROTOCOL plays another runwarden's host (and its daemon
// that runwarden). A supervisor that cannot speak a host's protocol ends the host's runs by
// the verified termination (identity and marker) and records why; never leaves them running.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { protocolOf } from '../../src/host/host-protocol.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import type { RunInfo } from '../../src/index.js';
import {
  CURRENT_BIN,
  runBuildCli,
  startBuildDaemon,
  type BuildDaemon,
} from '../support/build-daemon.js';
import { liveMarked } from '../support/process-checks.js';
import { liveRunHosts } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups } = useBuiltCli('runwarden-cli-');

const SURVIVOR = "trap '' HUP; (setsid sleep 97 &); sleep 98";

function envWithProtocol(protocol: number | null): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.RUNWARDEN_TEST_HOST_PROTOCOL;
  return protocol === null ? env : { ...env, RUNWARDEN_TEST_HOST_PROTOCOL: String(protocol) };
}

async function daemon(home: string, protocol: number | null): Promise<BuildDaemon> {
  const started = await startBuildDaemon(CURRENT_BIN, home, [], envWithProtocol(protocol));
  cleanups.push(() => started.kill());
  return started;
}

// A host left holding the exit of a run it could not hand over is ended by the test, by
// verified identity (never by name), and checked gone.
function endHostsAfter(home: string): void {
  cleanups.push(async () => {
    for (const host of liveRunHosts(home)) signalVerified(host, 'SIGKILL');
    await waitUntil(() => liveRunHosts(home).length === 0, 10_000, 'the run host to be gone');
  });
}

async function crossVersions(old: number | null, current: number | null, speaks: string) {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const home = temp.path;
  endHostsAfter(home);
  const first = await daemon(home, old);
  const id = (
    await runBuildCli(CURRENT_BIN, home, [
      'run',
      '--pty',
      '--durable',
      '--',
      'bash',
      '-c',
      SURVIVOR,
    ])
  ).trim();
  cleanups.push(() => {
    expect(liveMarked(id)).toEqual([]);
  });
  await waitUntil(() => liveMarked(id).length >= 2, 10_000, 'the run and its escapee');
  const hostFile = JSON.parse(readFileSync(join(home, 'default.host.json'), 'utf8')) as {
    protocol?: number;
  };
  expect(hostFile.protocol).toBe(old ?? 1);
  await first.kill();
  expect(liveMarked(id).length).toBeGreaterThanOrEqual(2);

  const second = await daemon(home, current);
  expect(second.report).toMatchObject({ killed: [id], reattached: [], quarantined: [] });
  const info = JSON.parse(await runBuildCli(CURRENT_BIN, home, ['show', id, '--json'])) as RunInfo;
  expect(info.state).toBe('done');
  expect(info.exit?.reason).toBe('orphan-killed');
  expect(info.exit?.error).toMatchObject({ code: 'E_RUN_HOST_PROTOCOL' });
  expect(info.exit?.error?.message).toContain(speaks);
  // The whole tree, escapee included, verified dead: nothing left running untracked.
  expect(liveMarked(id)).toEqual([]);
  expect(second.log()).toContain(speaks);
  expect(await second.stop()).toBe(0);
  return { home, id };
}

test("a host that answers no protocol is 0.1.0's: protocol 1", () => {
  expect(protocolOf({})).toBe(1);
  expect(protocolOf({ protocol: 3 })).toBe(3);
  expect(protocolOf({ protocol: '3' })).toBe('"3"');
});

test('a newer host (protocol 7): its durable run is ended by identity and marker, and why is recorded', async () => {
  const { home } = await crossVersions(7, null, 'run host speaks protocol 7, this supervisor 1');
  // The newer host keeps the exit for a supervisor that speaks its protocol: still alive.
  expect(liveRunHosts(home).map((host) => checkIdentity(host))).toEqual(['alive']);
}, 60_000);

test('an older host (protocol 1) met by a supervisor that speaks only 2: the same, in reverse; a new durable spawn is refused', async () => {
  const { home } = await crossVersions(null, 2, 'run host speaks protocol 1, this supervisor 2');
  const third = await daemon(home, 2);
  const spawned = JSON.parse(
    await runBuildCli(CURRENT_BIN, home, ['run', '--durable', '--json', '--', 'true']),
  ) as RunInfo;
  const info = await waitUntil(
    async () => {
      const run = JSON.parse(
        await runBuildCli(CURRENT_BIN, home, ['show', spawned.id, '--json']),
      ) as RunInfo;
      return run.state === 'done' ? run : null;
    },
    10_000,
    'the refused spawn to be recorded',
  );
  expect(info.exit).toMatchObject({
    reason: 'spawn-error',
    error: { code: 'E_RUN_HOST_PROTOCOL' },
  });
  expect(await third.stop()).toBe(0);
}, 60_000);
