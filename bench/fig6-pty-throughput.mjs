// Figure 6: 64 MiB through one PTY run to onOutput, against raw node-pty onData.
import { createRequire } from 'node:module';
import { createSupervisor, RUN_MARKER } from '../dist/index.js';
import { alternate, report, row, size, tempHome } from './lib.mjs';

const require = createRequire(import.meta.url);
const nodePty = require('node-pty');
const MIB = 1024 * 1024;
const bytes = size(64, 8) * MIB;
const args = ['-c', `${bytes}`, '/dev/zero'];
const home = tempHome('fig6');
const sup = await createSupervisor({ home: home.dir });

// MiB/s from spawn to exit, counting every byte delivered to the listener.
const viaRunwarden = async () => {
  const started = performance.now();
  const run = await sup.spawn({ mode: 'pty', command: 'head', args });
  // Offsets are absolute: bytes read before this listener was added (while spawn() was
  // resolving) count too; they are in the run's buffer.
  let seen = 0;
  run.onOutput((chunk, offset) => (seen = offset + chunk.length));
  await run.exited;
  return check(seen, started);
};
const viaPty = async () => {
  const started = performance.now();
  const env = { ...process.env, [RUN_MARKER]: `bench-raw-${process.pid}` };
  const pty = nodePty.spawn('head', args, { cols: 80, rows: 24, cwd: '/', env, encoding: null });
  let seen = 0;
  pty.onData((chunk) => (seen += chunk.length));
  await new Promise((resolve) => pty.onExit(resolve));
  return check(seen, started);
};
function check(seen, started) {
  const ms = performance.now() - started;
  // NUL bytes pass a PTY unchanged; raw node-pty may lose the tail (it is not checked here).
  if (seen < bytes * 0.99) throw new Error(`only ${seen} of ${bytes} bytes arrived`);
  return seen / MIB / (ms / 1000);
}

const rounds = size(5, 2);
const stats = await alternate({ rounds, a: viaRunwarden, b: viaPty });
await sup.shutdown();
home.remove();
report({
  id: 6,
  title: `${bytes / MIB} MiB through one PTY run to onOutput`,
  baseline: 'raw node-pty onData',
  target: '>= 0.9x the throughput',
  rounds,
  rows: [row('throughput, spawn to exit', 'MiB/s', stats, { minRatio: 0.9 })],
  details: [
    '`head -c N /dev/zero` writes into the terminal; both sides count bytes as they arrive.',
  ],
});
