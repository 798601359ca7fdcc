// One supervisor of the release under test, in its own process, for one phase of one
// scenario (started by generate.mjs, which SIGKILLs it when the phase says so).
//   node host.mjs DIST HOME SCENARIO MODE PHASE
// Reports JSON lines on stdout: `{ type: 'run', runId, label, now, final?, gone? }` for each
// run, then `{ type: 'ready' }` when it reached its crash point; or exits 0 after its own
// shutdown. Only the release's public API is used, plus a caller Keyv (the public `store`
// option) where a store write must never return, as the release's crash tests do.
import { join } from 'node:path';
import { killVerified } from './processes.mjs';
import { loadRelease } from './release.mjs';
import { MODES, SCENARIOS, SUPERVISOR_NAME } from './scenarios.mjs';

const [distDir, home, scenarioId, mode, phaseIndex] = process.argv.slice(2);
const phase = SCENARIOS.find((s) => s.id === scenarioId)?.phases[Number(phaseIndex)];
if (phase === undefined) throw new Error(`no phase ${phaseIndex} of scenario ${scenarioId}`);
const release = await loadRelease(distDir);
const storeFile = join(home, 'runwarden.sqlite');
const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const hang = () => new Promise(() => undefined);
// Stay alive until SIGKILLed: a supervisor keeps no timer of its own alive.
setInterval(() => undefined, 1 << 30);

/**
 * A caller Keyv on the release's SQLite file whose first write of a record in `hook.state`
 * never returns (stored first if `hook.store`): the store keeps `hook.leaves`.
 */
function hookedStore(hook) {
  const keyv = new release.Keyv({
    store: new release.KeyvSqlite({ uri: `sqlite://${storeFile}`, busyTimeout: 5000 }),
    throwOnErrors: true,
  });
  const set = keyv.set.bind(keyv);
  keyv.set = async (key, value, ttl) => {
    if (value?.snapshot?.value !== hook.state) return set(key, value, ttl);
    if (hook.store) await set(key, value, ttl);
    say({ type: 'run', runId: value.runId, label: hook.label, now: hook.leaves });
    say({ type: 'ready' });
    return hang();
  };
  return keyv;
}

/** Stores two copies of a finished record that the release cannot use, for its boot to quarantine. */
async function injectUnusable() {
  const adapter = new release.KeyvSqlite({ uri: `sqlite://${storeFile}`, busyTimeout: 5000 });
  const keyv = new release.Keyv({ store: adapter, throwOnErrors: true });
  let source;
  for await (const [key, value] of keyv.iterator()) {
    if (key.startsWith(`${SUPERVISOR_NAME}/run/`)) source = value;
  }
  const future = 'r-fixture-future-schema';
  const { context } = source.snapshot;
  await keyv.set(`${SUPERVISOR_NAME}/run/${future}`, {
    ...source,
    schemaVersion: source.schemaVersion + 1,
    runId: future,
    snapshot: { ...source.snapshot, context: { ...context, runId: future } },
  });
  const label =
    'quarantined at boot by the release (the value it wraps was stored by the generator';
  say({
    type: 'run',
    runId: future,
    label: `${label}: a copy with schemaVersion + 1)`,
    now: 'quarantine',
  });
  // A torn write: the first half of a stored text, written as is (no Keyv encoding).
  const torn = 'r-fixture-torn-write';
  const text = JSON.stringify({ value: { ...source, runId: torn } });
  await adapter.set(
    `${keyv.namespace}:${SUPERVISOR_NAME}/run/${torn}`,
    text.slice(0, text.length >> 1),
  );
  say({ type: 'run', runId: torn, label: `${label}: half of a record's text)`, now: 'quarantine' });
  await keyv.disconnect();
}

function helpers(sup) {
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const until = async (probe, what) => {
    for (const deadline = Date.now() + 30_000; ; await pause(25)) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    }
  };
  const report = (runId, label, now, extra = {}) =>
    say({ type: 'run', runId, label, now, ...extra });
  return {
    sup,
    mode,
    report,
    /** A spec running `script` with /bin/sh in this scenario's mode (`null`: `extra` only). */
    sh: (script, extra = {}) => ({
      ...MODES[mode],
      ...(script === null ? {} : { command: '/bin/sh', args: ['-c', script] }),
      ...extra,
    }),
    /** Spawns; a script that prints `ready` has set its traps once that line is out. */
    spawn: async (label, now, spec, extra) => {
      const run = await sup.spawn(spec);
      report(run.id, label, now, extra);
      if (JSON.stringify(spec).includes('echo ready')) {
        await until(() => run.output().text.includes('ready'), `${run.id} to print ready`);
      }
      return run;
    },
    /** SIGKILLs a durable run's host, if its recorded identity still names it. */
    killRunHost: (run) => {
      const host = sup.get(run.id)?.host;
      if (host == null || !killVerified(host)) throw new Error(`no run host for ${run.id}`);
    },
    waitRun: (match) => until(() => sup.list().find(match), 'a run to appear'),
    waitState: (run, state) => until(() => sup.get(run.id)?.state === state, `${run.id} ${state}`),
  };
}

if (phase.inject) await injectUnusable();
const store = phase.hook === undefined ? {} : { store: hookedStore(phase.hook) };
const sup = await release.api.createSupervisor({
  home,
  name: SUPERVISOR_NAME,
  onOrphan: phase.onOrphan ?? 'kill',
  ...store,
});
await phase.run?.(helpers(sup));
if (phase.end === 'hook') await hang();
if (phase.end === 'sigkill') {
  say({ type: 'ready' });
  await hang();
}
await sup.shutdown({ runs: phase.end });
process.exit(0);
