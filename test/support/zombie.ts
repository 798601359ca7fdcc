// A deterministic zombie: `head` blocks on a FIFO in the background, then bash execs into
// `sleep`, which never waits for children. Writing one byte to the FIFO lets head exit, and
// it stays a zombie until the sleep dies.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcStat } from '../../src/os/proc-fs.js';
import { identityFromStat, type ProcessIdentity } from '../../src/os/process-identity.js';
import { childrenOf } from './proc-info.js';
import { spawnProcess, type SpawnedTree } from './spawn-tree.js';
import { waitUntil } from './wait-for.js';

export interface ZombieMaker {
  /** The `sleep` (formerly bash) that will never reap its child. */
  readonly tree: SpawnedTree;
  /** The blocked `head`, read while it is alive. */
  readonly identity: ProcessIdentity;
  /** Lets head exit; it then becomes a zombie. */
  readonly release: () => Promise<void>;
}

/** Spawns the pair (marked like any spawned tree); `dir` holds the FIFO. */
export async function spawnZombieMaker(dir: string): Promise<ZombieMaker> {
  const fifo = join(dir, `fifo-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [fifo]);
  const tree = spawnProcess('bash', [
    '-c',
    'head -c 1 "$1" > /dev/null & exec sleep 30',
    'bash',
    fifo,
  ]);
  // Once bash has exec'd into sleep, nothing will ever reap head.
  const head = await waitUntil(
    () =>
      readProcStat(tree.pid)?.comm === 'sleep' &&
      childrenOf(tree.pid).find((child) => child.comm === 'head'),
    5000,
    'head blocked on the fifo under the exec-ed sleep',
  );
  return { tree, identity: identityFromStat(head), release: () => writeFile(fifo, 'x') };
}

/** Waits until `pid` is a zombie (state Z). */
export async function waitForZombie(pid: number): Promise<void> {
  await waitUntil(() => readProcStat(pid)?.state === 'Z', 5000, `pid ${pid} to be a zombie`);
}
