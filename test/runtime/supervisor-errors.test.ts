// Bad input gets a clear, typed error; spawn failures are runs that end with spawn-error.
import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import { expect, test } from 'vitest';
import {
  InvalidOptionError,
  LimitExceededError,
  StoreError,
  UnknownRunError,
  createSupervisor,
} from '../../src/index.js';
import { liveMarked } from '../support/process-checks.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();

test.each(['pty', 'child'] as const)(
  '%s: a missing command ends the run with spawn-error',
  async (mode) => {
    const sup = await create();
    const run = await sup.spawn({ mode, command: 'runwarden-surely-missing-command' });
    expect(run.state).toBe('done');
    expect(run.pid).toBeNull();
    expect(await run.exited).toMatchObject({
      reason: 'spawn-error',
      exitCode: null,
      error: {
        code: 'E_COMMAND_NOT_FOUND',
        message: expect.stringContaining('runwarden-surely-missing-command') as string,
      },
    });
  },
);

test('a missing cwd ends the run with spawn-error naming the directory', async () => {
  const sup = await create();
  const run = await sup.spawn({ command: 'true', cwd: '/definitely/not/here' });
  expect((await run.exited).error).toMatchObject({
    code: 'E_CWD_NOT_FOUND',
    message: expect.stringContaining('/definitely/not/here') as string,
  });
});

test('invalid spawn options throw a TypeError naming the option and the value', async () => {
  const sup = await create();
  await expect(sup.spawn({ command: 'true', timeoutMs: -5 })).rejects.toThrow(InvalidOptionError);
  await expect(sup.spawn({ command: 'true', timeoutMs: -5 })).rejects.toMatchObject({
    option: 'timeoutMs',
    received: -5,
  });
  await expect(sup.spawn({ command: 'true', mode: 'tty' as never })).rejects.toThrow(
    /`mode`.*"tty"/,
  );
  await expect(sup.spawn({ command: 'true', tiemoutMs: 5 } as never)).rejects.toMatchObject({
    option: 'tiemoutMs',
  });
  await expect(sup.spawn({ command: '' })).rejects.toBeInstanceOf(TypeError);
  expect(sup.list()).toEqual([]); // nothing was created, nothing was recorded
});

test('invalid supervisor options throw before anything is opened', async () => {
  await expect(createSupervisor({ name: 'a/b' })).rejects.toMatchObject({
    option: 'name',
    received: 'a/b',
  });
  await expect(createSupervisor({ limits: { maxLiveRuns: 0 } })).rejects.toMatchObject({
    option: 'limits.maxLiveRuns',
  });
  await expect(createSupervisor({ store: 'mysql://x' })).rejects.toMatchObject({ option: 'store' });
});

test('limits.maxLiveRuns refuses spawns beyond the limit with a typed error', async () => {
  const sup = await create({ limits: { maxLiveRuns: 2 } });
  await sup.spawn({ command: 'sleep', args: ['30'] });
  await sup.spawn({ command: 'sleep', args: ['30'] });
  await expect(sup.spawn({ command: 'sleep', args: ['30'] })).rejects.toBeInstanceOf(
    LimitExceededError,
  );
});

test('cancelling an unknown run is a typed error', async () => {
  const sup = await create();
  await expect(sup.cancel('nope')).rejects.toBeInstanceOf(UnknownRunError);
  expect(sup.get('nope')).toBeUndefined();
});

test('a store that refuses the write-ahead record: the run never starts, the failure is an event', async () => {
  const keyv = new Keyv();
  const set = keyv.set.bind(keyv);
  let storeDown = false;
  keyv.set = async (...args: Parameters<typeof set>) => {
    if (storeDown) throw new Error('store is down');
    return set(...args);
  };
  // A name of its own: the host-wide lock of a caller's Keyv is keyed by name alone, and
  // crash-test fixtures (of this suite, or another checkout's) use `default`.
  const sup = await create({ store: keyv, name: `write-ahead-${randomUUID().slice(0, 8)}` });
  const failures: string[] = [];
  sup.onEvent((event) => {
    if (event.type === 'run.record-failed') failures.push(event.error.message);
  });
  storeDown = true;
  // Never a process without a durable record: the spawn is refused with a typed error.
  const refused: unknown = await sup
    .spawn({ command: 'sleep', args: ['30'] })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(StoreError);
  expect(refused).toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
  const runId = /run (\S+) was not started/.exec((refused as Error).message)?.[1] ?? '';
  expect(liveMarked(runId)).toEqual([]);
  expect(sup.get(runId)).toBeUndefined();
  expect(failures[0]).toContain('store is down');
  expect(sup.storeHealth.state).toBe('degraded');
  storeDown = false;
  await waitUntil(() => sup.storeHealth.state === 'ok', 5000, 'the store health probe');
});
