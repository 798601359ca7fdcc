// `runwarden chart` from the built binary: no daemon, the same text as the library.
import { beforeAll, expect, test } from 'vitest';
import { generateChart } from '../../src/charts/generate-chart.js';
import { runCli } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { createTempHome } from '../support/temp-home.js';

beforeAll(() => {
  assertFreshBuild();
});

test('prints each machine in each format, Mermaid of the run machine by default', async () => {
  const home = createTempHome('runwarden-chart-');
  try {
    const byDefault = await runCli(home.path, ['chart']);
    expect(byDefault).toMatchObject({ code: 0, stdout: await generateChart('run', 'mermaid') });
    const svg = await runCli(home.path, ['chart', '--machine', 'supervisor', '--format', 'svg']);
    expect(svg.stdout).toBe(await generateChart('supervisor', 'svg'));
  } finally {
    home.remove();
  }
});

test('an unknown machine or format is a usage error', async () => {
  const home = createTempHome('runwarden-chart-');
  try {
    const machine = await runCli(home.path, ['chart', '--machine', 'nope']);
    expect(machine.code).toBe(2);
    expect(machine.stderr).toContain('Allowed choices are run, supervisor');
    const format = await runCli(home.path, ['chart', '--format', 'png']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('mermaid, scxml, json, svg');
  } finally {
    home.remove();
  }
});
