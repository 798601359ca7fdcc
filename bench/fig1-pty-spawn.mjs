// Figure 1: spawn-to-exit of `true` in PTY mode.
import { runSequentialFigure } from './sequential-runs.mjs';

await runSequentialFigure({ id: 1, mode: 'pty', baseline: 'raw node-pty spawn + onExit' });
