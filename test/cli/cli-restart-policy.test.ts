// Restart policies through the built CLI (`run --restart ...`), a real daemon and real
// processes: the restart limit, a run waiting in backoff, a restarted run, and the flags'
// usage errors. (Daemon restarts are cli-restart.test.ts.)
import { expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-cli-restart-policy-');

async function homeWithDaemon(): Promise<string> {
  const home = tempHome();
  const { daemon } = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  return home;
}

async function show(home: string, id: string): Promise<RunInfo> {
  const shown = await runCli(home, ['show', id, '--json']);
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as RunInfo;
}

/** Waits until `show --json` answers a run for which `ready` holds, and returns it. */
function waitForRun(home: string, id: string, ready: (run: RunInfo) => boolean, what: string) {
  return waitUntil(
    async () => {
      const run = await show(home, id);
      return ready(run) && run;
    },
    30_000,
    what,
    100,
  );
}

test('on-failure with --max-restarts 2: three starts, then restart-limit with 2 restarts', async () => {
  const home = await homeWithDaemon();
  const started = await runCli(home, [
    'run',
    '--restart',
    'on-failure',
    '--restart-delay',
    '200ms',
    '--max-restarts',
    '2',
    '--',
    'sh',
    '-c',
    'echo try; exit 3',
  ]);
  expect(started.code, started.stderr).toBe(0);
  const id = started.stdout.trim();
  // Follows every generation's output until the run ends for good.
  const following = runCli(home, ['logs', id, '--follow']);

  const ended = await waitForRun(home, id, (run) => run.state === 'done', 'the restart limit');
  expect(ended).toMatchObject({
    restart: 'on-failure',
    restartDelayMs: 200,
    maxRestarts: 2,
    restarts: 2,
    generation: 3,
    nextStartAt: null,
    exit: { reason: 'restart-limit', exitCode: 3, restarts: 2 },
  });
  const followed = await following;
  expect(followed.code).toBe(0);
  expect(followed.stdout).toBe('try\ntry\ntry\n');
  expect(followed.stderr).toContain('run ended: restart-limit (last exit code 3, 2 restarts)');

  const all = await runCli(home, ['ls', '--all']);
  expect(all.stdout).toMatch(new RegExp(`${id}\\s+done \\(restart-limit, 2 restarts\\)\\s`));
  expect((await runCli(home, ['ls'])).stdout).not.toContain(id);
  const text = (await runCli(home, ['show', id])).stdout;
  expect(text).toContain(
    'restart: on-failure, 2 restarts of at most 2 in 1m, delay 200ms up to 30s, generation 3',
  );
  expect(text).toMatch(/exit: .*"reason":"restart-limit"/);
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('a run waiting in backoff is listed as such; kill ends it cancelled', async () => {
  const home = await homeWithDaemon();
  const id = (
    await runCli(home, [
      'run',
      '--restart',
      'on-failure',
      '--restart-delay',
      '60s',
      '--',
      'sh',
      '-c',
      'exit 1',
    ])
  ).stdout.trim();
  const waiting = await waitForRun(home, id, (run) => run.state === 'backoff', 'the backoff');
  expect(waiting).toMatchObject({ restarts: 0, generation: 1, exit: null });
  // The delay is drawn between 80% and 100% of 60 s, from when the first generation ended.
  const nextStartAt = waiting.nextStartAt ?? 0;
  expect(nextStartAt - (waiting.startedAt ?? 0)).toBeGreaterThanOrEqual(48_000);
  expect(nextStartAt - Date.now()).toBeLessThanOrEqual(60_000);

  // Seconds (or `1m`, rounded) to go: the delay is far longer than anything this test does.
  const listed = (await runCli(home, ['ls'])).stdout;
  expect(listed).toMatch(
    new RegExp(`${id}\\s+backoff \\(restart 1 in (\\d+s|1m)\\)\\s+\\(\\d+\\)\\s`),
  );
  const text = (await runCli(home, ['show', id])).stdout;
  expect(text).toMatch(/backoff \(restart 1 in (\d+s|1m)\)/);
  expect(text).toContain(`next start in `);
  expect(text).toContain(`(${new Date(nextStartAt).toISOString()})`);

  const killed = await runCli(home, ['kill', id]);
  expect(killed).toMatchObject({ code: 0, stdout: 'cancelled\n' });
  expect(await show(home, id)).toMatchObject({
    state: 'done',
    restarts: 0,
    generation: 1,
    nextStartAt: null,
    exit: { reason: 'cancelled', restarts: 0 },
  });
  expect((await runCli(home, ['ls', '--all'])).stdout).toMatch(
    new RegExp(`${id}\\s+done \\(cancelled\\)\\s`),
  );
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('a restarted run shows its restart count, and kill says how many restarts it had', async () => {
  const home = await homeWithDaemon();
  const work = tempHome();
  // The first generation exits 0 (`always` restarts it anyway); the second stays up.
  const script = 'if [ -e started ]; then echo second; exec sleep 60; fi; touch started';
  const started = await runCli(home, [
    'run',
    '--json',
    '--cwd',
    work,
    '--restart',
    'always',
    '--restart-delay',
    '100ms',
    '--max-restart-delay',
    '2m',
    '--max-restarts',
    '7',
    '--restart-window',
    '90s',
    '--',
    'sh',
    '-c',
    script,
  ]);
  expect(started.code, started.stderr).toBe(0);
  const record = JSON.parse(started.stdout) as RunInfo;
  expect(record).toMatchObject({
    restart: 'always',
    restartDelayMs: 100,
    maxRestartDelayMs: 120_000,
    maxRestarts: 7,
    restartWindowMs: 90_000,
  });
  const id = record.id;
  const second = await waitForRun(
    home,
    id,
    (run) => run.generation === 2 && (run.state === 'running' || run.state === 'idle'),
    'the second generation',
  );
  expect(second).toMatchObject({ restarts: 1, nextStartAt: null, exit: null });
  await waitUntil(
    async () => (await runCli(home, ['logs', id])).stdout === 'second\n',
    10_000,
    "the second generation's output",
  );
  expect((await runCli(home, ['ls'])).stdout).toMatch(
    new RegExp(`${id}\\s+(running|idle) \\(1 restart\\)\\s`),
  );
  expect((await runCli(home, ['show', id])).stdout).toContain(
    'restart: always, 1 restart of at most 7 in 90s, delay 100ms up to 2m, generation 2',
  );

  const killed = await runCli(home, ['kill', id]);
  expect(killed).toMatchObject({ code: 0, stdout: 'cancelled (1 restart)\n' });
  expect(await show(home, id)).toMatchObject({
    state: 'done',
    exit: { reason: 'cancelled', restarts: 1 },
  });
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('invalid restart flags exit 2 with one clear line, and start nothing', async () => {
  const home = await homeWithDaemon();
  const cases: Array<[string[], string]> = [
    [['--restart', 'sometimes'], "option '--restart <policy>' argument 'sometimes' is invalid"],
    [
      ['--restart', 'always', '--restart-delay', '5 minutes'],
      'invalid duration for --restart-delay',
    ],
    [
      ['--restart', 'always', '--max-restart-delay', 'soon'],
      'invalid duration for --max-restart-delay',
    ],
    [['--restart', 'on-failure', '--max-restarts', '-1'], 'invalid count for --max-restarts'],
    [['--restart', 'on-failure', '--max-restarts', '1.5'], 'invalid count for --max-restarts'],
    [['--restart', 'on-failure', '--max-restarts', '10001'], '(a whole number from 0 to 10000)'],
    [['--restart', 'always', '--restart-window', '0s'], 'invalid duration for --restart-window'],
    [
      ['--restart', 'always', '--restart-delay', '2s', '--max-restart-delay', '1s'],
      'invalid --max-restart-delay "1s": shorter than the restart delay (2000ms)',
    ],
    [
      ['--restart', 'always', '--max-restart-delay', '500ms'],
      'shorter than the restart delay (1000ms)',
    ],
    [['--max-restarts', '3'], '--max-restarts needs --restart on-failure or --restart always'],
    [['--restart', 'never', '--restart-delay', '1s'], '--restart-delay needs --restart'],
  ];
  for (const [flags, message] of cases) {
    const result = await runCli(home, ['run', ...flags, '--', 'true']);
    const what = `${JSON.stringify(flags)} -> ${result.code}: ${result.stderr}`;
    expect(result.code, what).toBe(2);
    const lines = result.stderr.split('\n').filter((line) => /^(error|runwarden):/.test(line));
    expect(lines, what).toHaveLength(1);
    expect(lines[0], what).toContain(message);
  }
  expect(JSON.parse((await runCli(home, ['ls', '--all', '--json'])).stdout)).toEqual([]);

  const help = await runCli(home, ['run', '--help']);
  expect(help.code).toBe(0);
  for (const flag of [
    '--restart <policy>',
    '--restart-delay <duration>',
    '--max-restart-delay <duration>',
    '--max-restarts <n>',
    '--restart-window <duration>',
  ])
    expect(help.stdout).toContain(flag);
  expect(help.stdout).toMatch(/"never", "on-failure", "always"/);
}, 60_000);
