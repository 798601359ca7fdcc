// A supervisor's area, `<base>/runwarden.<name>`, and one leaf per run generation in it,
// `<area>/<runId>.g<generation>`. Directories keep the modes cgroupfs gives them: a
// delegated subtree's ownership is the delegation, and a chmod here would change it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../../errors.js';
import { cgroupErrorFrom, parsePidList, readCgroupEvents, readCgroupFile } from './cgroup-files.js';
import { enableLimitControllers, type ControllerReport } from './cgroup-controllers.js';
import { areaDirFor, leafNameFor } from './cgroup-names.js';

/** An opened area. */
export interface CgroupArea {
  /** `<base>/runwarden.<name>`. */
  readonly dir: string;
  /** False when it existed already (a previous supervisor of this name left it). */
  readonly created: boolean;
  /** Which kernel limits the run leaves can have (`pids.max`, `memory.max`). */
  readonly controllers: ControllerReport;
}

/** Creates `dir` unless it exists; true when it was created. */
function makeCgroupDir(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cgroupErrorFrom(error, 'create the cgroup', dir);
  }
}

/**
 * Opens the area of supervisor `name` below the cgroup directory `base` (the supervisor's
 * own cgroup, or the base moveToDaemonLeaf returned), creating it when needed, and enables
 * `pids` and `memory` for its leaves where its parent gave them (best effort, reported).
 */
export function openArea(base: string, name: string): CgroupArea {
  const dir = areaDirFor(base, name);
  const created = makeCgroupDir(dir);
  return { dir, created, controllers: enableLimitControllers(dir) };
}

/**
 * Creates the leaf of generation `generation` of run `runId` in the area `areaDir` and
 * returns its directory. An empty leaf left by an earlier attempt is reused; a populated one
 * is a CgroupError (`E_CGROUP_BUSY`, naming its pids): its processes are not this launch's.
 */
export function createRunLeaf(areaDir: string, runId: string, generation: number): string {
  const dir = join(areaDir, leafNameFor(runId, generation));
  if (!makeCgroupDir(dir) && readCgroupEvents(dir).populated) {
    const pids = parsePidList(readCgroupFile(dir, 'cgroup.procs'));
    throw new CgroupError(
      'E_CGROUP_BUSY',
      `the cgroup ${dir} already exists and holds processes (${pids.join(', ') || 'below it'}): it is not a new generation's`,
      dir,
      { pids },
    );
  }
  return dir;
}
