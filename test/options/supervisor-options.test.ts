import Keyv from 'keyv';
import { describe, expect, test } from 'vitest';
import { systemClock, type Clock } from '../../src/support/clock.js';
import { silentLogger, type Logger } from '../../src/support/logger.js';
import { InvalidOptionError } from '../../src/errors.js';
import { resolveSupervisorOptions } from '../../src/options/supervisor-options.js';

const noop = () => undefined;
const logger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
const clock: Clock = { now: () => 0, setTimeout: () => 1, clearTimeout: noop };

/** Resolves `options`, expecting an InvalidOptionError; returns it. */
function rejection(options: unknown): InvalidOptionError {
  try {
    resolveSupervisorOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toBeInstanceOf(TypeError);
    return error as InvalidOptionError;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be rejected`);
}

describe('resolveSupervisorOptions defaults', () => {
  test.each([undefined, null, {}])('%j gets every default', (options) => {
    const resolved = resolveSupervisorOptions(options);
    expect(resolved).toMatchObject({
      name: 'default',
      defaultNoOutputTimeoutMs: 30 * 60 * 1000,
      onOrphan: 'kill',
      maxLiveRuns: 512,
      maxFinishedRuns: 100,
      retention: { maxFinishedRecords: 1000, maxAgeMs: 7 * 24 * 60 * 60 * 1000 },
    });
    expect(resolved.logger).toBe(silentLogger);
    expect(resolved.clock).toBe(systemClock);
    expect(resolved.store).toBeUndefined();
    expect(resolved.home).toBeUndefined();
    expect(resolved.inspect).toBeUndefined();
  });

  test('keeps every value it is given, flattening limits', () => {
    const inspect = () => undefined;
    const resolved = resolveSupervisorOptions({
      name: 'agent-1.tools_x',
      defaultNoOutputTimeoutMs: 0,
      onOrphan: 'reattach',
      logger,
      limits: { maxLiveRuns: 1, maxFinishedRuns: 0 },
      clock,
      store: 'sqlite:///var/lib/x.sqlite',
      home: '/var/lib/runwarden',
      inspect,
      retention: { maxFinishedRecords: 0, maxAgeMs: 0 },
    });
    expect(resolved).toMatchObject({
      name: 'agent-1.tools_x',
      defaultNoOutputTimeoutMs: 0,
      onOrphan: 'reattach',
      maxLiveRuns: 1,
      maxFinishedRuns: 0,
      store: 'sqlite:///var/lib/x.sqlite',
      home: '/var/lib/runwarden',
      retention: { maxFinishedRecords: 0, maxAgeMs: 0 },
    });
    expect(resolved.inspect).toBe(inspect);
  });

  test('accepts a Keyv instance as the store, keeping the instance', () => {
    const store = new Keyv();
    expect(resolveSupervisorOptions({ store }).store).toBe(store);
  });

  test.each([
    'sqlite:///tmp/x.sqlite',
    'redis://localhost:6379',
    'rediss://h:1',
    'postgres://u@h/db',
    'postgresql://h/db',
  ])('accepts the store URL %s', (store) => {
    expect(resolveSupervisorOptions({ store }).store).toBe(store);
  });

  test('a partial retention object keeps the other default', () => {
    expect(resolveSupervisorOptions({ retention: { maxAgeMs: 5 } }).retention).toEqual({
      maxFinishedRecords: 1000,
      maxAgeMs: 5,
    });
  });

  test('keeps the logger and clock objects themselves', () => {
    const resolved = resolveSupervisorOptions({ logger, clock });
    expect(resolved.logger).toBe(logger);
    expect(resolved.clock).toBe(clock);
  });

  test('a partial limits object keeps the other default', () => {
    expect(resolveSupervisorOptions({ limits: { maxLiveRuns: 3 } })).toMatchObject({
      maxLiveRuns: 3,
      maxFinishedRuns: 100,
    });
  });

  test('a name of 64 characters is accepted', () => {
    expect(resolveSupervisorOptions({ name: 'n'.repeat(64) }).name).toBe('n'.repeat(64));
  });

  test('a logger with extra methods (pino-like) is accepted', () => {
    const pinoLike = { ...logger, trace: noop, fatal: noop, child: () => pinoLike };
    expect(resolveSupervisorOptions({ logger: pinoLike }).logger).toBe(pinoLike);
  });
});

describe('resolveSupervisorOptions rejects invalid options', () => {
  test.each([
    ['name', { name: 'has space' }, '"has space"'],
    ['name', { name: '-leading-dash' }, '"-leading-dash"'],
    ['name', { name: 'n'.repeat(65) }, `"${'n'.repeat(65)}"`],
    ['name', { name: '' }, '""'],
    ['defaultNoOutputTimeoutMs', { defaultNoOutputTimeoutMs: -5 }, '-5'],
    ['defaultNoOutputTimeoutMs', { defaultNoOutputTimeoutMs: 0.5 }, '0.5'],
    ['onOrphan', { onOrphan: 'x' }, '"x"'],
    ['limits.maxLiveRuns', { limits: { maxLiveRuns: 0 } }, '0'],
    ['limits.maxFinishedRuns', { limits: { maxFinishedRuns: -1 } }, '-1'],
    ['limits.maxLive', { limits: { maxLive: 1 } }, '1'],
    ['limits', { limits: 5 }, '5'],
    ['logger', { logger: console.log }, 'a function'],
    ['clock', { clock: Date }, 'a function'],
    ['nmae', { nmae: 'x' }, '"x"'],
    ['store', { store: 'mysql://h/db' }, '"mysql://h/db"'],
    ['store', { store: 5 }, '5'],
    ['home', { home: '' }, '""'],
    ['inspect', { inspect: 5 }, '5'],
    ['retention.maxAgeMs', { retention: { maxAgeMs: -1 } }, '-1'],
    ['retention.maxFinishedRecords', { retention: { maxFinishedRecords: 1.5 } }, '1.5'],
    ['retention.keep', { retention: { keep: 1 } }, '1'],
  ])('names %s and shows the received value', (option, options, shown) => {
    const error = rejection(options);
    expect(error.option).toBe(option);
    expect(error.code).toBe('E_INVALID_OPTION');
    expect(error.message).toContain(`\`${option}\``);
    expect(error.message).toContain(`received ${shown}`);
  });

  test('options that are not an object name the options themselves', () => {
    for (const options of [5, 'name', true]) {
      const error = rejection(options);
      expect(error.option).toBe('options');
      expect(error.received).toBe(options);
    }
  });

  test('a logger missing a level says which methods a logger needs', () => {
    const error = rejection({ logger: { debug: noop, info: noop, warn: noop } });
    expect(error.option).toBe('logger');
    expect(error.message).toContain('(debug, info, warn, error methods)');
    expect(error.message).toContain('received an object');
  });

  test('a clock missing a method says what a clock needs', () => {
    const error = rejection({ clock: { now: () => 0, setTimeout: noop } });
    expect(error.option).toBe('clock');
    expect(error.message).toContain('(now, setTimeout, clearTimeout)');
  });

  test('a bad store URL says which URLs are supported', () => {
    expect(rejection({ store: 'mysql://h/db' }).message).toContain(
      'expected a sqlite://, redis:// or postgres:// URL, received "mysql://h/db"',
    );
  });

  test('a bad name says which characters a name may use', () => {
    expect(rejection({ name: 'a b' }).message).toContain('letters, digits, . _ -');
  });
});
