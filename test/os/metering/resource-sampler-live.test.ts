// The sampler on real process trees and real (short) timers: samples arrive per run, a tree
// that dies samples 0, untracked runs are forgotten. Waits are on conditions, never on time.
import { afterEach, expect, test } from 'vitest';
import { ResourceSampler } from '../../../src/os/metering/resource-sampler.js';
import { systemClock, type Clock } from '../../../src/support/clock.js';
import type { CgroupUsage, ResourceSample } from '../../../src/os/metering/metering-types.js';
import { collectRunTree } from '../../../src/os/collect-run-tree.js';
import {
  destroyAllSpawned,
  destroyTree,
  spawnTree,
  type SpawnedTree,
} from '../../support/spawn-tree.js';
import { waitUntil } from '../../support/wait-for.js';

const samplers: ResourceSampler[] = [];
afterEach(async () => {
  for (const sampler of samplers.splice(0)) sampler.stop();
  await destroyAllSpawned();
});

/** A sampler at 50 ms, recording every sample. */
function liveSampler(readCgroupUsage?: (dir: string) => CgroupUsage | null) {
  const samples: [string, ResourceSample][] = [];
  const errors: unknown[] = [];
  const sampler = new ResourceSampler({
    intervalMs: 50,
    onError: (error) => errors.push(error),
    ...(readCgroupUsage === undefined ? {} : { readCgroupUsage }),
  });
  sampler.onSample((runId, sample) => samples.push([runId, sample]));
  samplers.push(sampler);
  return { sampler, samples, errors };
}

/** Three sleeps under one shell. */
function threeSleeps(): SpawnedTree {
  return spawnTree('sleep 91 & sleep 92 & wait');
}

test('samples each tracked run from one timer until its tree dies, then 0', async () => {
  const { sampler, samples, errors } = liveSampler();
  const a = threeSleeps();
  const b = threeSleeps();
  const idA = a.runId ?? '';
  const idB = b.runId ?? '';
  sampler.track(idA, { root: a.root });
  sampler.track(idB, { root: b.root });

  // Three processes, each past its exec (a fork caught before it still runs bash).
  const ready = (id: string) => {
    const commands = sampler.latest(id)?.members.map((m) => m.command) ?? [];
    return commands.length === 3 && commands.includes('sleep 91') && commands.includes('sleep 92');
  };
  await waitUntil(() => ready(idA) && ready(idB), 10_000, 'both runs sampled with 3 processes');
  const latestA = sampler.latest(idA);
  expect(latestA?.memoryBytes).toBeGreaterThan(0);
  expect(latestA?.members.map((m) => m.command).sort()).toEqual([
    'bash -c sleep 91 & sleep 92 & wait',
    'sleep 91',
    'sleep 92',
  ]);
  expect(latestA?.containment).toBe('marker');

  await destroyTree(a);
  await waitUntil(() => sampler.latest(idA)?.processes === 0, 10_000, 'run a sampled empty');
  expect(sampler.latest(idA)?.peakProcesses).toBe(3);
  expect(sampler.latest(idB)?.processes).toBe(3);

  const last = sampler.untrack(idA);
  expect(last?.processes).toBe(0);
  // A tick after untrack never mentions it again.
  const seen = samples.length;
  await waitUntil(() => samples.length > seen + 1, 10_000, 'two more samples of b');
  expect(samples.slice(seen).every(([id]) => id === idB)).toBe(true);
  expect(sampler.history(idA)).toEqual([]);
  expect(errors).toEqual([]);
});

test('cgroup mode with an injected reader measures the pids it lists', async () => {
  const tree = threeSleeps();
  const pidsOf = () =>
    collectRunTree({ marker: tree.marker, root: tree.root }).members.map((m) => m.identity.pid);
  await waitUntil(() => pidsOf().length === 3, 10_000, 'three processes');
  // What a cgroup with no memory controller would say of this tree.
  const { sampler } = liveSampler(() => ({
    cpuUsec: 4_200_000,
    memoryBytes: null,
    pids: pidsOf(),
  }));
  sampler.track('cg', { root: null, cgroupDir: '/sys/fs/cgroup/fake' });
  const sample = await waitUntil(() => sampler.latest('cg'), 10_000, 'a cgroup sample');
  expect(sample).toMatchObject({
    containment: 'cgroup',
    processes: 3,
    cpuMs: 4200,
    cpuSource: 'cpu.stat',
    memorySource: 'rss-sum',
  });
  expect(sample.memoryBytes).toBe(sample.members.reduce((sum, m) => sum + m.rssBytes, 0));
});

test('after stop(), no timer is left and no sample arrives', async () => {
  // The system clock, counting the timers the sampler has pending.
  const live = new Set<unknown>();
  const clock: Clock = {
    now: () => systemClock.now(),
    setTimeout: (callback, ms) => {
      const handle = systemClock.setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout: (handle) => {
      live.delete(handle);
      systemClock.clearTimeout(handle);
    },
  };
  const sampler = new ResourceSampler({ intervalMs: 50, clock });
  samplers.push(sampler);
  let samples = 0;
  sampler.onSample(() => samples++);
  const tree = threeSleeps();
  sampler.track(tree.runId ?? '', { root: tree.root });
  await waitUntil(() => samples >= 2, 10_000, 'two samples');
  const count = samples;
  sampler.stop();
  expect(live.size).toBe(0);
  // A tick in flight finishes (without emitting) before sampleNow() returns, which starts
  // none of its own after stop().
  await sampler.sampleNow();
  expect(samples).toBe(count);
  expect(live.size).toBe(0);
});
