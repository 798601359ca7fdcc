// Figure 2: spawn-to-exit of `true` in child mode.
import { runSequentialFigure } from './sequential-runs.mjs';

await runSequentialFigure({
  id: 2,
  mode: 'child',
  baseline: 'raw child_process.spawn with the same stdio (three pipes, output read), until close',
});
