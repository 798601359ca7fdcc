import { hostname } from 'node:os';
import { afterEach, describe, expect, onTestFinished, test } from 'vitest';
import { checkIdentity } from '../../src/os/process-identity.js';
import { readProcStat } from '../../src/os/proc-fs.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { startBystander } from '../support/process-checks.js';
import { runOsScript } from '../support/run-os-script.js';
import { destroyAllSpawned, spawnProcess } from '../support/spawn-tree.js';
import { WAIT_MS, waitUntil } from '../support/wait-for.js';
import { testNeeding } from '../support/requirements.js';
import { nobodyUser } from '../support/run-as-nobody.js';

// The tests that act as user nobody: they need root and that user (skipped loudly elsewhere).
const testAsNobody = testNeeding(nobodyUser());

afterEach(destroyAllSpawned);

describe('signalVerified', () => {
  test('signals the process its identity names while that process lives', async () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(signalVerified(tree.root, 'SIGTERM')).toMatchObject({ kind: 'sent' });
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('says whether the process was stopped when it was re-checked', async () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(signalVerified(tree.root, 'SIGSTOP')).toEqual({ kind: 'sent', stopped: false });
    await waitUntil(() => readProcStat(tree.root.pid)?.state === 'T', WAIT_MS, 'sleep to stop');
    expect(signalVerified(tree.root, 'SIGTERM')).toEqual({ kind: 'sent', stopped: true });
    expect(signalVerified(tree.root, 'SIGCONT')).toEqual({ kind: 'sent', stopped: true });
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('skips a stale identity (same pid, other start ticks) and leaves the live process alone', async () => {
    // PID reuse: the recorded process is gone and its pid now names this sleep.
    const tree = spawnProcess('sleep', ['30']);
    for (const delta of [1, -1]) {
      const stale = { ...tree.root, startTicks: tree.root.startTicks + delta };
      expect(signalVerified(stale, 'SIGKILL')).toEqual({ kind: 'skipped', check: 'replaced' });
    }
    expect(checkIdentity(tree.root)).toBe('alive');
    // Proof that no SIGKILL was ever delivered: a pending SIGKILL would win over this SIGTERM.
    expect(signalVerified(tree.root, 'SIGTERM')).toMatchObject({ kind: 'sent' });
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('skips a process that exited and was reaped', async () => {
    const tree = spawnProcess('sleep', ['30']);
    tree.child.kill('SIGKILL');
    await tree.exited;
    expect(signalVerified(tree.root, 'SIGTERM')).toEqual({ kind: 'skipped', check: 'exited' });
  });

  test('skips an identity from another host as uncertain, leaving the local pid alone', async () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(signalVerified({ ...tree.root, hostname: `${hostname()}-other` }, 'SIGKILL')).toEqual({
      kind: 'skipped',
      check: 'uncertain',
    });
    expect(signalVerified(tree.root, 'SIGTERM')).toMatchObject({ kind: 'sent' });
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('skips an identity from another boot as exited, leaving the local pid alone', async () => {
    const tree = spawnProcess('sleep', ['30']);
    const otherBoot = '00000000-0000-4000-8000-000000000000';
    expect(signalVerified({ ...tree.root, bootId: otherBoot }, 'SIGKILL')).toEqual({
      kind: 'skipped',
      check: 'exited',
    });
    expect(signalVerified(tree.root, 'SIGTERM')).toMatchObject({ kind: 'sent' });
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('reports a signal the runtime rejects as failed instead of throwing', async () => {
    const bystander = await startBystander();
    onTestFinished(() => bystander.stop());
    const outcome = signalVerified(bystander.identity, 'SIGNOPE' as NodeJS.Signals);
    expect(outcome).toMatchObject({ kind: 'failed', code: 'ERR_UNKNOWN_SIGNAL' });
    await bystander.expectNeverSignalled();
  });

  testAsNobody('reports EPERM as failed when the process belongs to another user', async () => {
    const bystander = await startBystander();
    onTestFinished(() => bystander.stop());
    for (const signal of ['SIGKILL', 'SIGTERM']) {
      const outcome = await runOsScript(
        `import { signalVerified } from './signal-verified.js';
         console.log(JSON.stringify(signalVerified(INPUT.identity, INPUT.signal)));`,
        { identity: bystander.identity, signal },
      );
      expect(outcome).toMatchObject({ kind: 'failed', code: 'EPERM' });
    }
    await bystander.expectNeverSignalled();
  });
});
