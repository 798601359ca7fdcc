// The generator's own view of the processes it started: found by the variables they carry
// (`/proc/<pid>/environ`), named by pid + start ticks, and signalled only after that
// identity was read again right before the signal. Linux only, like the fixtures.
import { readdirSync, readFileSync } from 'node:fs';

/** Variable set on every host process the generator starts; runs and run hosts inherit it. */
export const TAG_VARIABLE = 'RW_FIXTURES_TAG';
const RUN_MARKER = 'RUNWARDEN_RUN_ID';

/** pid, start ticks (field 22) and state (field 3) of a process, or undefined if gone. */
export function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the LAST ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0], startTicks: Number(fields[19]) };
}

function readEnviron(pid) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Live processes (zombies excluded) with their identity and run marker, if any. */
export function scanProcesses(match) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = readEnviron(pid);
    const reason = match(environ);
    if (reason === null) continue;
    const stat = readStat(pid);
    if (stat === undefined || stat.state === 'Z' || stat.state === 'X') continue;
    const marker = environ.find((entry) => entry.startsWith(`${RUN_MARKER}=`));
    found.push({ ...stat, reason, runId: marker?.slice(RUN_MARKER.length + 1) ?? null });
  }
  return found;
}

/** Processes carrying the tag `tag` (or one starting with `tag` when `prefix`). */
export function taggedProcesses(tag, prefix = false) {
  return scanProcesses((environ) => {
    const value = environ.find((entry) => entry.startsWith(`${TAG_VARIABLE}=`));
    if (value === undefined) return null;
    const got = value.slice(TAG_VARIABLE.length + 1);
    return (prefix ? got.startsWith(tag) : got === tag) ? `tag ${got}` : null;
  });
}

/** Processes carrying the run marker of one of `runIds` (or of any run, when null). */
export function markedProcesses(runIds = null) {
  return scanProcesses((environ) => {
    const marker = environ.find((entry) => entry.startsWith(`${RUN_MARKER}=`));
    if (marker === undefined) return null;
    const runId = marker.slice(RUN_MARKER.length + 1);
    return runIds === null || runIds.has(runId) ? `marker ${runId}` : null;
  });
}

/** SIGKILLs `target` only if its pid still names the same process (same start ticks). */
export function killVerified(target) {
  const now = readStat(target.pid);
  if (now === undefined || now.startTicks !== target.startTicks) return false;
  if (now.state === 'Z' || now.state === 'X') return false;
  try {
    process.kill(target.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Ends every process `find()` returns, verified, until it returns none. Returns the ended. */
export async function endAll(find, timeoutMs = 20_000) {
  const ended = [];
  const deadline = Date.now() + timeoutMs;
  for (let found = find(); found.length > 0; found = find()) {
    if (Date.now() > deadline) {
      throw new Error(`processes still alive: ${found.map((p) => `${p.pid} (${p.reason})`)}`);
    }
    for (const target of found) if (killVerified(target)) ended.push(target);
    await new Promise((done) => setTimeout(done, 100));
  }
  return ended;
}

/** Waits until `find()` returns no process. */
export async function waitNone(find, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (find().length > 0) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
