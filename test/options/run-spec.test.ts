import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { normalizeRunSpec, type RunDefaults } from '../../src/options/run-spec.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';

const DEFAULTS: RunDefaults = { defaultNoOutputTimeoutMs: 1_800_000 };

/** Normalizes `spec`, expecting an InvalidOptionError; returns it. */
function rejection(spec: unknown, defaults: RunDefaults = DEFAULTS): InvalidOptionError {
  try {
    normalizeRunSpec(spec, defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toBeInstanceOf(TypeError);
    return error as InvalidOptionError;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe('normalizeRunSpec defaults', () => {
  test('fills in every default for a bare command', () => {
    expect(normalizeRunSpec({ command: 'ls' }, DEFAULTS)).toEqual({
      mode: 'child',
      command: 'ls',
      args: [],
      shell: null,
      cwd: process.cwd(),
      env: {},
      extendEnv: true,
      cols: 120,
      rows: 30,
      stdin: 'pipe',
      scopeKey: null,
      replaceExistingScope: false,
      sessionId: null,
      ownerId: null,
      backendId: null,
      timeoutMs: null,
      noOutputTimeoutMs: null,
      idleAfterMs: 10_000,
      killGraceMs: 5000,
      maxOutputBytes: 1024 * 1024,
      onOrphan: null,
      durable: false,
      maxLogBytes: 8 * 1024 * 1024,
      restart: 'never',
      restartDelayMs: 1000,
      maxRestartDelayMs: 30_000,
      maxRestarts: 5,
      restartWindowMs: 60_000,
      group: null,
    });
  });

  test('keeps every value it is given', () => {
    const spec = {
      mode: 'pty',
      command: 'vim',
      args: ['-u', 'NONE'],
      shell: '/bin/bash',
      cwd: '/tmp',
      env: { TERM: 'xterm' },
      extendEnv: false,
      cols: 80,
      rows: 24,
      stdin: 'ignore',
      scopeKey: 'slot-1',
      replaceExistingScope: true,
      sessionId: 'session-1',
      ownerId: 'owner-1',
      backendId: 'backend-1',
      timeoutMs: 60_000,
      noOutputTimeoutMs: 30_000,
      idleAfterMs: 2000,
      killGraceMs: 100,
      maxOutputBytes: 4096,
      onOrphan: 'reattach',
      durable: true,
      maxLogBytes: 1024 * 1024,
      restart: 'on-failure',
      restartDelayMs: 200,
      maxRestartDelayMs: 5000,
      maxRestarts: 0,
      restartWindowMs: 1,
    } as const;
    // A spec does not pick its group: `group.spawn()` does.
    expect(normalizeRunSpec(spec, DEFAULTS)).toEqual({ ...spec, group: null });
  });

  test('a first restart delay above the default maximum raises the maximum to it', () => {
    const spec = normalizeRunSpec({ command: 'ls', restartDelayMs: 90_000 }, DEFAULTS);
    expect(spec).toMatchObject({ restartDelayMs: 90_000, maxRestartDelayMs: 90_000 });
  });

  test('leaves the orphan policy unset: the supervisor that finds the orphan decides', () => {
    expect(normalizeRunSpec({ command: 'ls' }, DEFAULTS).onOrphan).toBeNull();
  });

  test('shell: true is /bin/sh, false is none, a string is that shell', () => {
    const shellOf = (shell: unknown) => normalizeRunSpec({ command: 'ls', shell }, DEFAULTS).shell;
    expect(shellOf(true)).toBe('/bin/sh');
    expect(shellOf(false)).toBeNull();
    expect(shellOf('/bin/zsh')).toBe('/bin/zsh');
  });

  test('resolves a relative cwd against the host cwd', () => {
    expect(normalizeRunSpec({ command: 'ls', cwd: 'sub/dir' }, DEFAULTS).cwd).toBe(
      join(process.cwd(), 'sub/dir'),
    );
    expect(normalizeRunSpec({ command: 'ls', cwd: '/abs' }, DEFAULTS).cwd).toBe('/abs');
  });

  test('ownerId defaults to sessionId', () => {
    expect(normalizeRunSpec({ command: 'ls', sessionId: 's' }, DEFAULTS).ownerId).toBe('s');
    expect(
      normalizeRunSpec({ command: 'ls', sessionId: 's', ownerId: 'o' }, DEFAULTS).ownerId,
    ).toBe('o');
  });

  test('0 disables timeoutMs and idleAfterMs', () => {
    const spec = normalizeRunSpec({ command: 'ls', timeoutMs: 0, idleAfterMs: 0 }, DEFAULTS);
    expect(spec.timeoutMs).toBeNull();
    expect(spec.idleAfterMs).toBeNull();
  });

  test('killGraceMs 0 is kept (SIGKILL at once), not turned into the default', () => {
    expect(normalizeRunSpec({ command: 'ls', killGraceMs: 0 }, DEFAULTS).killGraceMs).toBe(0);
  });

  test('accepts the bounds of each range', () => {
    expect(() =>
      normalizeRunSpec(
        {
          command: 'x'.repeat(64 * 1024),
          timeoutMs: 2 ** 31 - 1,
          maxOutputBytes: 1024,
          cols: 10_000,
          rows: 1,
          scopeKey: 'k'.repeat(256),
        },
        DEFAULTS,
      ),
    ).not.toThrow();
    expect(
      normalizeRunSpec({ command: 'ls', maxOutputBytes: 2 ** 31 }, DEFAULTS).maxOutputBytes,
    ).toBe(2 ** 31);
  });
});

describe('normalizeRunSpec no-output default for PTY runs', () => {
  test('a PTY run with no timeout at all gets the supervisor default', () => {
    expect(normalizeRunSpec({ mode: 'pty', command: 'sh' }, DEFAULTS).noOutputTimeoutMs).toBe(
      1_800_000,
    );
  });

  test('an explicit noOutputTimeoutMs of 0 disables it', () => {
    expect(
      normalizeRunSpec({ mode: 'pty', command: 'sh', noOutputTimeoutMs: 0 }, DEFAULTS)
        .noOutputTimeoutMs,
    ).toBeNull();
  });

  test('an explicit noOutputTimeoutMs wins over the default', () => {
    expect(
      normalizeRunSpec({ mode: 'pty', command: 'sh', noOutputTimeoutMs: 500 }, DEFAULTS)
        .noOutputTimeoutMs,
    ).toBe(500);
  });

  test('a PTY run with a timeoutMs does not get the default', () => {
    const spec = normalizeRunSpec({ mode: 'pty', command: 'sh', timeoutMs: 60_000 }, DEFAULTS);
    expect(spec.timeoutMs).toBe(60_000);
    expect(spec.noOutputTimeoutMs).toBeNull();
  });

  test('a child run does not get the default', () => {
    expect(normalizeRunSpec({ command: 'sh' }, DEFAULTS).noOutputTimeoutMs).toBeNull();
    expect(
      normalizeRunSpec({ mode: 'child', command: 'sh' }, DEFAULTS).noOutputTimeoutMs,
    ).toBeNull();
  });

  test('a supervisor default of 0 means no default', () => {
    expect(
      normalizeRunSpec({ mode: 'pty', command: 'sh' }, { ...DEFAULTS, defaultNoOutputTimeoutMs: 0 })
        .noOutputTimeoutMs,
    ).toBeNull();
  });
});

describe('normalizeRunSpec rejects invalid specs', () => {
  test.each([
    ['timeoutMs', { command: 'ls', timeoutMs: -1 }, '-1'],
    ['timeoutMs', { command: 'ls', timeoutMs: 1.5 }, '1.5'],
    ['timeoutMs', { command: 'ls', timeoutMs: 'abc' }, '"abc"'],
    ['timeoutMs', { command: 'ls', timeoutMs: NaN }, 'NaN'],
    ['timeoutMs', { command: 'ls', timeoutMs: Infinity }, 'Infinity'],
    ['timeoutMs', { command: 'ls', timeoutMs: 2 ** 31 }, String(2 ** 31)],
    ['noOutputTimeoutMs', { command: 'ls', noOutputTimeoutMs: -5 }, '-5'],
    ['killGraceMs', { command: 'ls', killGraceMs: null }, 'null'],
    ['args.1', { command: 'ls', args: ['a', 1] }, '1'],
    ['args', { command: 'ls', args: 'a b' }, '"a b"'],
    ['mode', { command: 'ls', mode: 'tty' }, '"tty"'],
    ['command', { command: '' }, '""'],
    ['command', {}, 'undefined'],
    ['command', { command: 42 }, '42'],
    ['shell', { command: 'ls', shell: '' }, '""'],
    ['cols', { command: 'ls', cols: 0 }, '0'],
    ['stdin', { command: 'ls', stdin: 'inherit' }, '"inherit"'],
    ['maxOutputBytes', { command: 'ls', maxOutputBytes: 1023 }, '1023'],
    ['env.A', { command: 'ls', env: { A: 1 } }, '1'],
    ['scopeKey', { command: 'ls', scopeKey: '' }, '""'],
    ['onOrphan', { command: 'ls', onOrphan: 'ignore' }, '"ignore"'],
    ['durable', { command: 'ls', durable: 'yes' }, '"yes"'],
    ['maxLogBytes', { command: 'ls', maxLogBytes: 10 }, '10'],
    ['restart', { command: 'ls', restart: 'sometimes' }, '"sometimes"'],
    ['restartDelayMs', { command: 'ls', restartDelayMs: -1 }, '-1'],
    ['maxRestarts', { command: 'ls', maxRestarts: 1.5 }, '1.5'],
    ['restartWindowMs', { command: 'ls', restartWindowMs: 0 }, '0'],
    ['maxRestartDelayMs', { command: 'ls', restartDelayMs: 5000, maxRestartDelayMs: 100 }, '100'],
    ['tiemoutMs', { command: 'ls', tiemoutMs: 5000 }, '5000'],
  ])('names %s and shows the received value (%j)', (option, spec, shown) => {
    const error = rejection(spec);
    expect(error.option).toBe(option);
    expect(error.code).toBe('E_INVALID_OPTION');
    expect(error.name).toBe('InvalidOptionError');
    expect(error.message).toContain(`\`${option}\``);
    expect(error.message).toContain(`received ${shown}`);
  });

  test('an unknown key is reported as such, with the value it was given', () => {
    const error = rejection({ command: 'ls', tiemoutMs: 5000 });
    expect(error.received).toBe(5000);
    expect(error.message).toContain('no such option');
  });

  test('a long received string is cut short in the message', () => {
    const error = rejection({ command: 'ls', mode: 'p'.repeat(500) });
    expect(error.received).toBe('p'.repeat(500));
    expect(error.message).toContain(`"${'p'.repeat(80)}…"`);
    expect(error.message).not.toContain('p'.repeat(81));
  });

  test('a spec that is not an object names the spec itself', () => {
    for (const spec of [null, undefined, 'ls', 42, ['ls']]) {
      const error = rejection(spec);
      expect(error.option).toBe('spec');
      expect(error.message).toContain('expected object');
    }
  });

  test(`env may not set ${RUN_MARKER}: runwarden owns the marker`, () => {
    const error = rejection({ command: 'ls', env: { [RUN_MARKER]: 'forged' } });
    expect(error.option).toBe(`env.${RUN_MARKER}`);
    expect(error.received).toBe('forged');
    expect(error.message).toContain('"forged"');
  });

  test('other variables that merely contain the marker name are fine', () => {
    const env = { [`${RUN_MARKER}_X`]: 'a', [`X_${RUN_MARKER}`]: 'b' };
    expect(normalizeRunSpec({ command: 'ls', env }, DEFAULTS).env).toEqual(env);
  });

  test('replaceExistingScope needs a scopeKey', () => {
    const error = rejection({ command: 'ls', replaceExistingScope: true });
    expect(error.option).toBe('replaceExistingScope');
    expect(error.message).toContain('scopeKey');
    expect(
      normalizeRunSpec({ command: 'ls', replaceExistingScope: true, scopeKey: 'k' }, DEFAULTS)
        .replaceExistingScope,
    ).toBe(true);
    expect(
      normalizeRunSpec({ command: 'ls', replaceExistingScope: false }, DEFAULTS)
        .replaceExistingScope,
    ).toBe(false);
  });
});
