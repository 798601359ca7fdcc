#!/usr/bin/env node
// Checks a release's fixtures against that same release: every run record validates with its
// own schema and restores into its recorded state without running any effect; leases and
// quarantine entries have the shape its code writes; the release's codec and Keyv's own
// give back every raw value byte for byte; the manifest agrees.
//   node scripts/release-fixtures/verify.mjs DIST FIXTURES_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRelease } from './release.mjs';
import { decodeRaw, describeStored, runIdOf } from './store-reader.mjs';

const [distArg, dirArg] = process.argv.slice(2);
if (distArg === undefined || dirArg === undefined) {
  process.stderr.write('usage: verify.mjs DIST FIXTURES_DIR\n');
  process.exit(2);
}
const release = await loadRelease(distArg);
// Internal modules of the release, used only to judge its own records.
const internal = (path) => import(pathToFileURL(join(release.dist, path)).href);
const { validateRunRecord } = await internal('persistence/run-record-schema.js');
const { encodeKeyvValue } = await internal('persistence/keyv-codec.js');
const records = JSON.parse(readFileSync(join(dirArg, 'records.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(dirArg, 'manifest.json'), 'utf8'));
const failures = [];
const states = new Map();
const fail = (key, why) => failures.push(`${key}: ${why}`);
const isIdentity = (v) =>
  ['hostname', 'bootId'].every((k) => typeof v?.[k] === 'string') &&
  ['pid', 'startTicks', 'pgid', 'sid'].every((k) => Number.isInteger(v?.[k]));

/** Restores a snapshot into the release's run machine; counts the effects that would run. */
function restore(snapshot) {
  const effects = [];
  const effect = (name) => () => effects.push(name);
  const machine = release.api.runMachine.provide({
    actions: Object.fromEntries(
      ['finalizePredecessors', 'spawnProcess', 'terminateTree', 'releaseProcess'].map((name) => [
        name,
        effect(name),
      ]),
    ),
  });
  const actor = release.createActor(machine, { snapshot, input: snapshot.context });
  actor.start();
  const value = actor.getSnapshot().value;
  actor.stop();
  return { value, effects };
}

for (const { key, value: raw, note } of records) {
  if (typeof raw !== 'string' || typeof note !== 'string') fail(key, 'value or note not a string');
  const value = await decodeRaw(release, raw);
  const state = describeStored(key, value);
  states.set(state, (states.get(state) ?? 0) + 1);
  if (encodeKeyvValue({ value }) !== raw)
    fail(key, "the release's codec does not give back the raw text");
  if (new release.Keyv().serialize({ value }) !== raw)
    fail(key, "Keyv's codec does not give back the raw text");
  const described = manifest.records.find((entry) => entry.key === key);
  if (described?.state !== state) fail(key, `manifest says ${described?.state}, stored ${state}`);
  if (state === 'lease') {
    const ok =
      isIdentity(value?.identity) &&
      typeof value.token === 'string' &&
      Number.isFinite(value.acquiredAt);
    if (!ok) fail(key, 'not a lease');
    continue;
  }
  if (state === 'quarantine') {
    if (
      typeof value?.reason !== 'string' ||
      !Number.isFinite(value.quarantinedAt) ||
      !('value' in value)
    ) {
      fail(key, 'not a quarantine entry');
    }
    continue;
  }
  const checked = validateRunRecord(value, runIdOf(key));
  if (!checked.ok) {
    fail(key, checked.reason);
    continue;
  }
  const restored = restore(checked.record.snapshot);
  if (restored.value !== value.snapshot.value) fail(key, `restored into ${restored.value}`);
  if (restored.effects.length > 0) fail(key, `restoring ran ${restored.effects}`);
}

process.stdout.write(`${records.length} records of ${manifest.release} (${manifest.commit})\n`);
for (const [state, count] of [...states].sort()) process.stdout.write(`  ${state}: ${count}\n`);
if (failures.length > 0) {
  process.stdout.write(`FAILED:\n  ${failures.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write('every record validates and restores with its own release\n');
