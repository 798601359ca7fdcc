// Lifecycle events are typed and logged through an injected pino logger.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import type { SupervisorEvent } from '../../src/index.js';
import { useSupervisors } from '../support/supervisor-harness.js';

const create = useSupervisors();

test('a pino logger receives JSON lines for spawn, state changes, replacement and finalization', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink).child({ component: 'runwarden' });
  const sup = await create({ logger });
  const events: SupervisorEvent['type'][] = [];
  sup.onEvent((event) => events.push(event.type));

  const first = await sup.spawn({ command: 'sleep', args: ['30'], scopeKey: 'slot' });
  const second = await sup.spawn({
    command: 'sh',
    args: ['-c', 'echo secret-free; exit 3'],
    scopeKey: 'slot',
    replaceExistingScope: true,
  });
  await second.exited;

  expect((await first.exited).reason).toBe('replaced');
  expect(events).toEqual(
    expect.arrayContaining([
      'run.spawned',
      'run.state',
      'run.replaced',
      'run.sweep',
      'run.finalized',
    ]),
  );
  const messages = lines.map((line) => line.msg);
  expect(messages).toEqual(
    expect.arrayContaining([
      'boot reconciliation',
      'run spawned',
      'run replaced',
      'run state changed',
      'run tree terminated',
      'run finalized: replaced',
      'run finalized: exit',
    ]),
  );
  const finalized = lines.find((line) => line.msg === 'run finalized: exit');
  expect(finalized).toMatchObject({
    component: 'runwarden',
    runId: second.id,
    reason: 'exit',
    exitCode: 3,
  });
  // Logs carry what the caller passed and nothing of the inherited environment.
  expect(JSON.stringify(lines)).not.toContain(process.env.PATH ?? 'no-path');
});

test('a throwing event listener cannot break the supervisor; the error is logged', async () => {
  const errors: string[] = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (_: unknown, msg: string) => errors.push(msg),
  };
  const sup = await create({ logger });
  sup.onEvent(() => {
    throw new Error('listener bug');
  });
  const run = await sup.spawn({ command: 'true' });
  expect((await run.exited).reason).toBe('exit');
  expect(errors).toContain('supervisor event listener threw');
});
