// The groups' promises, checked from the daemon, the store and the process table: a held
// run has no process left, and is started again in time; every live run of a group has its
// group rebuilt (listed, and named in the run's info); group records and live groups match;
// a kill-policy shutdown leaves no group record.
import { describeProcess } from './processes.mjs';

/**
 * Processes of a generation whose run was seen `held`, in the daemon (`runs`, read first)
 * or its record (read next), by a process scan made after both. A held run's tree was
 * verified dead before it waited, and a generation never starts again: each sighting is a
 * leak at the moment it is made, not a state that settles.
 */
export function heldProblems(runs, records, marked) {
  const problems = [];
  for (const p of marked) {
    if (p.generation === null) continue;
    const info = runs.get(p.value);
    const record = records.get(p.value);
    const heldBy = [
      info?.state === 'held' && info.generation === p.generation ? 'the daemon' : null,
      record?.state === 'held' && record.generation === p.generation ? 'its record' : null,
    ].filter((where) => where !== null);
    if (heldBy.length > 0) {
      problems.push(
        `${describeProcess(p)} of run ${p.value}, generation ${p.generation}, lives while ` +
          `the run is held (${heldBy.join(' and ')}): its tree was to be verified dead first`,
      );
    }
  }
  return problems;
}

/**
 * While a daemon serves: every live record naming a group has that group listed, and the
 * run's info names it too; every group record is of a listed group and every listed group
 * has a record (it is written ahead of its first run, deleted once it stopped).
 */
export function groupProblems(runs, records, groupRecords, listedGroups) {
  const problems = [];
  const listed = new Set(listedGroups.map((group) => group.path));
  const shown = `groups listed: ${[...listed].join(', ') || '(none)'}`;
  for (const [id, record] of records) {
    if (record.invalid !== undefined || record.final || record.group === null) continue;
    if (!listed.has(record.group)) {
      problems.push(
        `live run ${id} (${record.state}) is of group ${record.group}, not rebuilt: ${shown}`,
      );
    }
    const info = runs.get(id);
    if (info !== undefined && info.group !== record.group) {
      problems.push(
        `run ${id} is of group ${record.group} in its record, of ${info.group} in the daemon`,
      );
    }
  }
  const recorded = new Set(groupRecords);
  for (const path of recorded) {
    if (!listed.has(path)) problems.push(`group ${path} has a record but is not listed: ${shown}`);
  }
  for (const path of listed) {
    if (!recorded.has(path)) problems.push(`group ${path} is listed but has no record`);
  }
  return problems;
}

// Far past any restart delay of the cycle (a second at most) and any group restart's stops.
const LATE_MS = 10_000;

/**
 * Runs waiting to start again (held for their group, or in backoff) far past their start
 * time: a group that never resumes its held runs (or a restart timer that never fires)
 * leaves them waiting for good, with nothing alive to find.
 */
export function lateProblems(runs, now) {
  const problems = [];
  for (const info of runs.values()) {
    if (info.state !== 'held' && info.state !== 'backoff') continue;
    if (info.nextStartAt === null || now - info.nextStartAt < LATE_MS) continue;
    const where = info.group === null ? '' : ` of group ${info.group}`;
    problems.push(
      `run ${info.id}${where} is still ${info.state} ${now - info.nextStartAt} ms past its ` +
        `start time (generation ${info.generation})`,
    );
  }
  return problems;
}

/** After a kill-policy shutdown every group stopped, and its record went with it. */
export function stoppedGroupProblems(groupRecords) {
  return groupRecords.map((path) => `group ${path} still has a record after shutdown`);
}
