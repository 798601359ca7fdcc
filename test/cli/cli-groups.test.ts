// Groups through the built CLI, a real daemon and real processes: `run --group` (and the
// flags that set up the group it creates), the GROUP column of `ls` and `show`, `ls --tree`
// as text and JSON, `kill --group`, and the usage errors and failures of each.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { RunExit, RunInfo, SupervisorTree } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type CliResult } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-cli-groups-');

async function homeWithDaemon(): Promise<string> {
  const home = tempHome();
  const { daemon } = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  return home;
}

async function ok(home: string, args: string[]): Promise<string> {
  const result = await runCli(home, args);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

async function show(home: string, id: string): Promise<RunInfo> {
  return JSON.parse(await ok(home, ['show', id, '--json'])) as RunInfo;
}

/** The one message line of a failed command. */
function messageOf(result: CliResult): string {
  const lines = result.stderr.split('\n').filter((line) => /^(error|runwarden):/.test(line));
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0] ?? '';
}

test('run --group, ls (GROUP), show, ls --tree (text and --json) and kill --group', async () => {
  const home = await homeWithDaemon();
  const work = tempHome();
  const agent = (
    await ok(home, [
      'run',
      '--group',
      'agent-1',
      '--group-strategy',
      'one-for-all',
      '--group-max-restarts',
      '3',
      '--group-restart-window',
      '90s',
      '--',
      'sleep',
      '60',
    ])
  ).trim();
  // Fails once, then stays up: one restart of the run, and one of its group.
  const flaky = 'if [ -e started ]; then exec sleep 61; fi; touch started; exit 1';
  const mcp = (
    await ok(home, [
      'run',
      '--group',
      'agent-1/mcp',
      '--restart',
      'on-failure',
      '--restart-delay',
      '100ms',
      '--cwd',
      work,
      '--',
      'sh',
      '-c',
      flaky,
    ])
  ).trim();
  const plain = JSON.parse(await ok(home, ['run', '--json', '--', 'sleep', '62'])) as RunInfo;
  expect(plain.group).toBeNull();
  const restarted = await waitUntil(
    async () => {
      const run = await show(home, mcp);
      return run.generation === 2 && (run.state === 'running' || run.state === 'idle') && run;
    },
    30_000,
    'the mcp run restarted',
  );
  const first = await show(home, agent);
  expect(first).toMatchObject({ group: 'agent-1', restarts: 0 });
  expect(restarted).toMatchObject({ group: 'agent-1/mcp', restarts: 1 });

  const listed = await ok(home, ['ls']);
  expect(listed.split('\n')[0]).toMatch(/^ID\s+STATE\s+PID\s+MODE\s+SCOPE\s+GROUP\s+AGE\s/);
  expect(listed).toMatch(
    new RegExp(`${agent}\\s+(running|idle)\\s+\\d+\\s+child\\s+-\\s+agent-1\\s`),
  );
  expect(listed).toMatch(
    new RegExp(`${mcp}\\s+\\S+ \\(1 restart\\)\\s+\\d+\\s+child\\s+-\\s+agent-1/mcp\\s`),
  );
  expect(listed).toMatch(new RegExp(`${plain.id}\\s+(running|idle)\\s+\\d+\\s+child\\s+-\\s+-\\s`));
  expect((await ok(home, ['show', mcp])).split('\n')[1]).toMatch(/\s+agent-1\/mcp\s+/);

  // A run's state may be running or idle (no output for 10 s on a busy machine).
  const sameState = (text: string) => text.replace(/\((running|idle), /g, '(STATE, ');
  const runLine = (run: RunInfo, restarts: string, command: string) =>
    `run ${run.id} (STATE, pid ${run.pid}, ${restarts}) ${command.slice(0, 60)}`;
  expect(sameState(await ok(home, ['ls', '--tree']))).toBe(
    [
      'supervisor default (active, store ok)',
      `├─ ${runLine(plain, '0 restarts', 'sleep 62')}`,
      '└─ group agent-1 (one-for-all, active, 0 restarts of at most 3 in 90s)',
      `   ├─ ${runLine(first, '0 restarts', 'sleep 60')}`,
      '   └─ group agent-1/mcp (one-for-one, active, 1 restart of at most 5 in 1m)',
      `      └─ ${runLine(restarted, '1 restart', `sh -c ${flaky}`)}`,
      '',
    ].join('\n'),
  );

  const treeJson = JSON.parse(await ok(home, ['ls', '--tree', '--json'])) as SupervisorTree;
  const fromApi = await callJson(join(home, 'default.sock'), 'GET', '/v1/tree');
  expect(treeJson).toEqual((fromApi.body as { tree: SupervisorTree }).tree);
  expect(treeJson.children.map((node) => [node.kind, node.id])).toEqual([
    ['run', plain.id],
    ['group', 'agent-1'],
  ]);

  // The nested group: one line per exit.
  expect(await runCli(home, ['kill', '--group', 'agent-1/mcp'])).toMatchObject({
    code: 0,
    stdout: 'cancelled (1 restart)\n',
  });
  expect(await show(home, mcp)).toMatchObject({ state: 'done', exit: { reason: 'cancelled' } });
  expect(liveMarked(mcp)).toEqual([]);
  const killed = await runCli(home, ['kill', '--group', 'agent-1', '--json']);
  expect(killed.code, killed.stderr).toBe(0);
  expect((JSON.parse(killed.stdout) as RunExit[]).map((exit) => exit.reason)).toEqual([
    'cancelled',
  ]);
  expect(liveMarked(agent)).toEqual([]);
  expect(sameState(await ok(home, ['ls', '--tree']))).toBe(
    `supervisor default (active, store ok)\n└─ ${runLine(plain, '0 restarts', 'sleep 62')}\n`,
  );
  // Gone: the same one line as an unknown run's.
  const again = await runCli(home, ['kill', '--group', 'agent-1']);
  expect(again.code).toBe(1);
  expect(again.stderr).toBe(
    'runwarden: no live group "agent-1" is known to this supervisor (E_UNKNOWN_GROUP)\n',
  );
  const unknownRun = await runCli(home, ['kill', 'nope']);
  expect(unknownRun.code).toBe(1);
  expect(unknownRun.stderr).toMatch(/^runwarden: no run with id "nope" .*\(E_UNKNOWN_RUN\)\n$/);
}, 90_000);

test('group flags: usage errors exit 2 in one line and start nothing; a conflict exits 1', async () => {
  const home = await homeWithDaemon();
  const usage: Array<[string[], string]> = [
    [['run', '--group', 'a//b', '--', 'true'], 'invalid --group "a//b": ids of letters'],
    [['run', '--group', '.x', '--', 'true'], 'invalid --group ".x"'],
    [['run', '--group-strategy', 'one-for-all', '--', 'true'], '--group-strategy needs --group'],
    [['run', '--group-max-restarts', '2', '--', 'true'], '--group-max-restarts needs --group'],
    [
      ['run', '--group', 'g', '--group-strategy', 'all', '--', 'true'],
      "option '--group-strategy <strategy>' argument 'all' is invalid",
    ],
    [
      ['run', '--group', 'g', '--group-max-restarts', '-1', '--', 'true'],
      'invalid count for --group-max-restarts: "-1" (a whole number from 0 to 10000)',
    ],
    [
      ['run', '--group', 'g', '--group-max-restarts', '10001', '--', 'true'],
      'invalid count for --group-max-restarts',
    ],
    [
      ['run', '--group', 'g', '--group-restart-window', '0s', '--', 'true'],
      'invalid duration for --group-restart-window: "0s" (longer than 0)',
    ],
    [
      ['run', '--group', 'g', '--group-restart-window', 'soon', '--', 'true'],
      'invalid duration for --group-restart-window',
    ],
    [['kill'], 'give a run id, --scope KEY or --group NAME (one of them)'],
    [['kill', 'r1', '--group', 'g'], 'give a run id, --scope KEY or --group NAME (one of them)'],
    [['kill', '--scope', 's', '--group', 'g'], '(one of them)'],
    [['kill', '--group', 'a/'], 'invalid --group "a/"'],
    [['ls', '--tree', '--all'], '--all does not apply to --tree'],
  ];
  for (const [args, message] of usage) {
    const result = await runCli(home, args);
    const what = `${JSON.stringify(args)} -> ${result.code}: ${result.stderr}`;
    expect(result.code, what).toBe(2);
    expect(messageOf(result), what).toContain(message);
  }
  expect(JSON.parse(await ok(home, ['ls', '--all', '--json']))).toEqual([]);
  expect(JSON.parse(await ok(home, ['ls', '--tree', '--json']))).toMatchObject({ children: [] });

  // Options that differ from the live group's: the daemon refuses, nothing starts.
  const id = (await ok(home, ['run', '--group', 'g', '--', 'sleep', '60'])).trim();
  const conflict = await runCli(home, [
    'run',
    '--group',
    'g',
    '--group-strategy',
    'rest-for-one',
    '--',
    'sleep',
    '60',
  ]);
  expect(conflict.code).toBe(1);
  expect(messageOf(conflict)).toBe(
    'runwarden: Invalid option `strategy`: expected one-for-one, as group g was created with, received "rest-for-one" (E_INVALID_OPTION)',
  );
  // The same settings as the live group's are no conflict.
  const same = (
    await ok(home, ['run', '--group', 'g', '--group-strategy', 'one-for-one', '--', 'true'])
  ).trim();
  const ended = await waitUntil(
    async () => {
      const run = await show(home, same);
      return run.state === 'done' && run;
    },
    15_000,
    'the second run to end',
  );
  expect(ended).toMatchObject({ group: 'g', exit: { reason: 'exit', exitCode: 0 } });
  expect((JSON.parse(await ok(home, ['ls', '--all', '--json'])) as RunInfo[]).length).toBe(2);
  // Last started first: the ended run's exit, if its group still held it, then the sleeper's.
  expect(await ok(home, ['kill', '--group', 'g'])).toMatch(/^(exit\n)?cancelled\n$/);
  expect(liveMarked(id)).toEqual([]);

  const help = await ok(home, ['run', '--help']);
  for (const flag of [
    '--group <name>',
    '--group-strategy <strategy>',
    '--group-max-restarts <n>',
    '--group-restart-window <duration>',
  ])
    expect(help).toContain(flag);
  expect(help).toMatch(/"one-for-one", "one-for-all",\s+"rest-for-one"/);
  expect(await ok(home, ['ls', '--help'])).toContain('--tree');
  expect(await ok(home, ['kill', '--help'])).toContain('--group <name>');
}, 90_000);
