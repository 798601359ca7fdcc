// Figures 1 and 2: spawn-to-exit of `true`, sequential runs, durable SQLite records on,
// against the raw backend (node-pty spawn + onExit, or child_process.spawn + exit).
import { spawn as spawnChild } from 'node:child_process';
import { createRequire } from 'node:module';
import { createSupervisor, RUN_MARKER } from '../dist/index.js';
import { alternate, report, row, size, summarize, tempHome } from './lib.mjs';

const require = createRequire(import.meta.url);
const nodePty = require('node-pty');

/** Runs figure `id` for `mode` ('pty' or 'child'). */
export async function runSequentialFigure({ id, mode, baseline }) {
  const runs = size(300, 20);
  const rounds = size(5, 2);
  const home = tempHome(`fig${id}`);
  const sup = await createSupervisor({ home: home.dir });
  let raw = 0;
  const env = () => ({ ...process.env, [RUN_MARKER]: `bench-raw-${process.pid}-${raw++}` });

  // One round: `runs` sequential runs; the figure is the mean spawn-to-exit per run (ms).
  // The CPU time this process spent per run is kept too: on a machine shared with other
  // work, wall-clock ratios stretch with the load, CPU time much less.
  const cpu = { a: [], b: [] };
  const rounds_ = (side, once) => async (round) => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < runs; i++) await once();
    const ms = (performance.now() - started) / runs;
    const used = process.cpuUsage(cpuBefore);
    if (round >= 0) cpu[side].push((used.user + used.system) / 1000 / runs);
    return ms;
  };
  const viaRunwarden = async () => {
    const run = await sup.spawn({ mode, command: 'true' });
    const exit = await run.exited;
    if (exit.exitCode !== 0) throw new Error(`runwarden run ended ${JSON.stringify(exit)}`);
  };
  const viaPty = () =>
    new Promise((resolve) => {
      const pty = nodePty.spawn('true', [], { cols: 80, rows: 24, cwd: process.cwd(), env: env() });
      pty.onExit(resolve);
    });
  // Like for like: the stdio runwarden gives a child run (stdin, stdout and stderr piped,
  // the output read), done once the exit is known and the pipes are closed.
  const viaChild = () =>
    new Promise((resolve, reject) => {
      const child = spawnChild('true', [], {
        detached: true,
        env: env(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdout.on('data', () => undefined);
      child.stderr.on('data', () => undefined);
      child.once('error', reject);
      child.once('close', resolve);
    });

  const stats = await alternate({
    rounds,
    a: rounds_('a', viaRunwarden),
    b: rounds_('b', mode === 'pty' ? viaPty : viaChild),
  });
  await sup.shutdown();
  home.remove();
  report({
    id,
    title: `spawn-to-exit of \`true\`, ${runs} sequential ${mode === 'pty' ? 'PTY' : 'child'} runs, durable SQLite records on`,
    baseline,
    target: '<= 1.25x',
    rows: [
      row('spawn-to-exit per run', 'ms', stats, { maxRatio: 1.25 }),
      row('CPU time of this process per run', 'ms', {
        a: summarize(cpu.a),
        b: summarize(cpu.b),
      }),
    ],
    rounds,
  });
}
