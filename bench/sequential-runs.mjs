// Figures 1 and 2: spawn-to-exit of `true`, sequential runs, durable SQLite records on,
// against the raw backend (node-pty spawn + onExit, or child_process.spawn + exit).
import { spawn as spawnChild } from 'node:child_process';
import { createRequire } from 'node:module';
import { createSupervisor, RUN_MARKER } from '../dist/index.js';
import { alternate, report, row, size, tempHome } from './lib.mjs';

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
  const rounds_ = (once) => async () => {
    const started = performance.now();
    for (let i = 0; i < runs; i++) await once();
    return (performance.now() - started) / runs;
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
  const viaChild = () =>
    new Promise((resolve, reject) => {
      const child = spawnChild('true', [], { detached: true, env: env(), stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', resolve);
    });

  const stats = await alternate({
    rounds,
    a: rounds_(viaRunwarden),
    b: rounds_(mode === 'pty' ? viaPty : viaChild),
  });
  await sup.shutdown();
  home.remove();
  report({
    id,
    title: `spawn-to-exit of \`true\`, ${runs} sequential ${mode === 'pty' ? 'PTY' : 'child'} runs, durable SQLite records on`,
    baseline,
    target: '<= 1.25x',
    rows: [row('spawn-to-exit per run', 'ms', stats, { maxRatio: 1.25 })],
    rounds,
  });
}
