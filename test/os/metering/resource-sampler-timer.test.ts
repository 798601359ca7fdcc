// The sampler's one timer: when it is armed, that ticks never overlap, and that nothing is
// emitted after stop() or for a run untracked meanwhile. Manual clock, fake process table.
import { afterEach, describe, expect, test } from 'vitest';
import { InvalidOptionError } from '../../../src/errors.js';
import { ResourceSampler, SAMPLER_DEFAULTS } from '../../../src/os/metering/resource-sampler.js';
import { createHarness, DeferredCgroups, settle, stopHarnesses } from './sampler-harness.js';

afterEach(stopHarnesses);

describe('options', () => {
  test.each([
    ['intervalMs', 0],
    ['intervalMs', 1.5],
    ['intervalMs', Number.NaN],
    ['intervalMs', 'fast'],
    ['historyLength', 0],
    ['historyLength', 1e9],
  ])('%s: %s is refused, naming the option', (option, value) => {
    expect(() => new ResourceSampler({ [option]: value })).toThrow(InvalidOptionError);
    expect(() => new ResourceSampler({ [option]: value })).toThrow(`\`${option}\``);
  });

  test('a target the sampler cannot measure is refused', () => {
    const { sampler } = createHarness();
    expect(() => {
      sampler.track('', { root: null });
    }).toThrow('`runId`');
    expect(() => {
      sampler.track('a', { root: null, cgroupDir: '/x' });
    }).toThrow('`cgroupDir`');
    expect(() => {
      sampler.track('a', { root: null, marker: null });
    }).toThrow('`target`');
    expect(sampler.tracked()).toEqual([]);
  });
});

describe('the shared timer', () => {
  test('no timer without runs; one for any number of runs; none again once all are untracked', async () => {
    const { sampler, clock, table, samples, addRun } = createHarness();
    expect(clock.pending).toBe(0);
    for (let i = 0; i < 5; i++) addRun(`run-${i}`, 100 + i);
    expect(clock.pending).toBe(1);

    clock.advance(0);
    await settle();
    // One tick, one scan of the table, one sample per run.
    expect(table.reads.list).toBe(1);
    expect(samples.map(([id]) => id).sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4']);
    expect(clock.pending).toBe(1);

    for (let i = 0; i < 5; i++) sampler.untrack(`run-${i}`);
    expect(clock.pending).toBe(0);
  });

  test('ticks come every intervalMs (2 s by default), the first at once', async () => {
    const { clock, samples, addRun } = createHarness();
    expect(SAMPLER_DEFAULTS.intervalMs).toBe(2000);
    addRun('a', 100);
    clock.advance(0);
    await settle();
    expect(samples).toHaveLength(1);
    const first = samples[0]?.[1].at ?? 0;

    clock.advance(1999);
    await settle();
    expect(samples).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(samples).toHaveLength(2);
    expect(samples[1]?.[1].at).toBe(first + 2000);
  });

  test('a run tracked while others are sampled joins the next tick, not a timer of its own', async () => {
    const { clock, samples, addRun } = createHarness({ intervalMs: 1000 });
    addRun('a', 100);
    clock.advance(0);
    await settle();
    clock.advance(300);
    addRun('b', 101);
    expect(clock.pending).toBe(1);
    clock.advance(700);
    await settle();
    expect(samples.map(([id]) => id)).toEqual(['a', 'a', 'b']);
  });

  test('a tick slower than the interval delays the next one: never two at once', async () => {
    const cgroups = new DeferredCgroups();
    const { sampler, clock, samples } = createHarness({
      intervalMs: 1000,
      readCgroupUsage: cgroups.read,
    });
    sampler.track('c', { root: null, cgroupDir: '/cg/c' });
    clock.advance(0);
    const started = clock.now();
    expect(cgroups.calls).toHaveLength(1);

    // Five intervals pass while the read hangs: no second tick starts, no timer waits.
    clock.advance(5000);
    await settle();
    expect(cgroups.calls).toHaveLength(1);
    expect(clock.pending).toBe(0);

    clock.advance(400);
    cgroups.resolve({ cpuUsec: 0, memoryBytes: null, pids: [] });
    await settle();
    expect(samples).toHaveLength(1);
    // The missed slots are skipped: the next tick keeps the rhythm, at start + 6 s.
    expect(clock.pending).toBe(1);
    clock.advance(started + 6000 - clock.now() - 1);
    expect(cgroups.calls).toHaveLength(1);
    clock.advance(1);
    expect(cgroups.calls).toHaveLength(2);
  });

  test('with no run tracked, sampleNow() reads nothing', async () => {
    const { sampler, table, samples } = createHarness();
    await sampler.sampleNow();
    expect(table.reads).toMatchObject({ list: 0, usage: 0 });
    expect(samples).toEqual([]);
  });

  test('sampleNow() samples at once and the timer counts from it', async () => {
    const { sampler, clock, samples, addRun } = createHarness({ intervalMs: 1000 });
    addRun('a', 100);
    clock.advance(0);
    await settle();
    clock.advance(600);
    await sampler.sampleNow();
    expect(samples.map(([, s]) => s.at - (samples[0]?.[1].at ?? 0))).toEqual([0, 600]);
    expect(clock.pending).toBe(1);
    clock.advance(999);
    await settle();
    expect(samples).toHaveLength(2);
    clock.advance(1);
    await settle();
    expect(samples).toHaveLength(3);
  });
});

describe('stop and untrack', () => {
  test('stop() clears the timer; no tick starts after it', async () => {
    const { sampler, clock, table, samples, addRun } = createHarness({ intervalMs: 100 });
    addRun('a', 100);
    clock.advance(0);
    await settle();
    sampler.stop();
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    await sampler.sampleNow();
    expect(table.reads.list).toBe(1);
    expect(samples).toHaveLength(1);
    // The data stays readable; tracking does nothing any more.
    expect(sampler.latest('a')?.processes).toBe(1);
    addRun('b', 101);
    expect(clock.pending).toBe(0);
  });

  test('a tick in flight when stop() is called emits nothing', async () => {
    const cgroups = new DeferredCgroups();
    const { sampler, clock, table, samples, addRun } = createHarness({
      readCgroupUsage: cgroups.read,
    });
    addRun('m', 100);
    sampler.track('c', { root: null, cgroupDir: '/cg/c' });
    clock.advance(0);
    expect(cgroups.calls).toHaveLength(1);
    sampler.stop();
    cgroups.resolve({ cpuUsec: 5, memoryBytes: 1, pids: [] });
    await sampler.sampleNow();
    expect(samples).toEqual([]);
    // It does not even scan /proc once it knows it is stopped.
    expect(table.reads.list).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('a run untracked during a tick is not emitted; the others are', async () => {
    const cgroups = new DeferredCgroups();
    const { sampler, clock, samples, addRun } = createHarness({ readCgroupUsage: cgroups.read });
    addRun('m', 100);
    sampler.track('c', { root: null, cgroupDir: '/cg/c' });
    clock.advance(0);
    expect(sampler.untrack('m')).toBeUndefined();
    cgroups.resolve({ cpuUsec: 5, memoryBytes: 1, pids: [] });
    await settle();
    expect(samples.map(([id]) => id)).toEqual(['c']);
    expect(sampler.latest('m')).toBeUndefined();
    expect(sampler.history('m')).toEqual([]);
  });

  test('untrack() returns the last sample and forgets the run', async () => {
    const { sampler, clock, addRun } = createHarness();
    addRun('a', 100, 3);
    clock.advance(0);
    await settle();
    const last = sampler.untrack('a');
    expect(last?.processes).toBe(1);
    expect(sampler.tracked()).toEqual([]);
    expect(sampler.untrack('a')).toBeUndefined();
  });

  test('a listener that stops the sampler ends the emission of that tick', async () => {
    const { sampler, clock, samples, addRun } = createHarness();
    addRun('a', 100);
    addRun('b', 101);
    sampler.onSample(() => {
      sampler.stop();
    });
    clock.advance(0);
    await settle();
    // The harness's own listener was first: it saw the first sample, then the stop came.
    expect(samples).toHaveLength(1);
  });
});
