#!/usr/bin/env node
// Generates the stored-record fixtures of one built runwarden release: makes that release's
// own code (its public API, in processes of its own) leave records in every state a dead or
// stopped supervisor can leave them in, then reads the raw stored keys and values back from
// its SQLite files and writes them, untouched, to OUT/records.json with OUT/manifest.json.
//   node scripts/release-fixtures/generate.mjs DIST OUT [--only SCENARIO,...]
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname, release as kernel, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { endAll, markedProcesses, taggedProcesses } from './processes.mjs';
import { loadRelease } from './release.mjs';
import { runScenario } from './run-scenario.mjs';
import { MODES, SCENARIOS, SUPERVISOR_NAME } from './scenarios.mjs';
import { decodeRaw, describeStored, readRawStore, runIdOf } from './store-reader.mjs';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt === -1 ? null : new Set(args.splice(onlyAt, 2)[1].split(','));
const [distArg, outArg] = args;
if (distArg === undefined || outArg === undefined) {
  process.stderr.write('usage: generate.mjs DIST OUT [--only SCENARIO,...]\n');
  process.exit(2);
}
const release = await loadRelease(distArg);
const out = resolve(outArg);
const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const startedAt = new Date();
const base = mkdtempSync(join(tmpdir(), 'rw-fixtures-'));
// Every process started here carries this tag (one value per scenario home).
const nonce = randomBytes(8).toString('hex');

const records = [];
const described = [];
const scenarios = [];
const mismatches = [];
const runIds = new Set();
let tables = [];

/** Files a scenario left in its home (outside the store), with the run host's identity file. */
function listHome(home, dir = home) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listHome(home, path);
    const file = { path: relative(home, path), bytes: statSync(path).size };
    return entry.name.endsWith('.host.json')
      ? [{ ...file, text: readFileSync(path, 'utf8') }]
      : [file];
  });
}

async function capture(scenario, mode, home, runs) {
  const stored = await readRawStore(release, join(home, 'runwarden.sqlite'));
  tables = stored.tables;
  const keys = [];
  for (const { key, value } of stored.rows) {
    const decoded = await decodeRaw(release, value);
    const state = describeStored(key, decoded);
    const runId = runIdOf(key);
    if (runId !== null) runIds.add(runId);
    const run = runId === null ? undefined : runs.get(runId);
    if (state === 'lease' && described.some((d) => d.state === 'lease')) continue;
    const about =
      run?.label ??
      (state === 'lease'
        ? 'owner lease of the SIGKILLed supervisor (left in the store)'
        : 'not reported');
    const note = `${scenario.id}/${mode}: ${about}`;
    if (state !== 'lease' && run?.final !== state) {
      mismatches.push(`${note}: stored ${state}, expected ${run?.final ?? 'nothing'}`);
    }
    records.push({ key, value, note });
    described.push({
      key,
      scenario: scenario.id,
      mode,
      state,
      schemaVersion: decoded?.schemaVersion ?? null,
      final: decoded?.final ?? null,
      hostname: decoded?.hostname ?? decoded?.identity?.hostname ?? null,
      bootId: decoded?.bootId ?? decoded?.identity?.bootId ?? null,
      note,
    });
    keys.push(key);
  }
  for (const [runId, run] of runs) {
    if (!stored.rows.some((row) => runIdOf(row.key) === runId)) {
      mismatches.push(`${scenario.id}/${mode}: ${run.label}: ${runId} not stored`);
    }
  }
  scenarios.push({
    id: scenario.id,
    mode,
    phases: scenario.phases.map((p) => p.end),
    keys,
    homeFiles: listHome(home),
  });
}

async function formatJson(file, data) {
  let text = `${JSON.stringify(data, null, 2)}\n`;
  try {
    // The checkout's own formatter, so that `prettier --check` accepts the files as written.
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    text = await prettier.format(text, { ...options, filepath: file });
  } catch {
    // Without prettier the plain JSON is kept; the values are the same either way.
  }
  await writeFile(file, text);
}

try {
  for (const scenario of SCENARIOS) {
    if (only !== null && !only.has(scenario.id)) continue;
    for (const mode of scenario.modes ?? Object.keys(MODES)) {
      const home = join(base, `${scenario.id}-${mode}`);
      mkdirSync(home, { mode: 0o700 });
      const tag = `${nonce}:${scenario.id}-${mode}`;
      const began = Date.now();
      try {
        const runs = await runScenario(release, scenario, mode, home, tag);
        for (const id of runs.keys()) runIds.add(id);
        await capture(scenario, mode, home, runs);
      } finally {
        // Whatever the scenario left alive (runs, run hosts) ends here, by verified identity.
        await endAll(() => taggedProcesses(tag));
      }
      process.stderr.write(`${scenario.id}/${mode}: ${Date.now() - began} ms\n`);
    }
  }
} finally {
  const ended = await endAll(() => [...taggedProcesses(nonce, true), ...markedProcesses(runIds)]);
  if (ended.length > 0) process.stderr.write(`ended at cleanup: ${ended.map((p) => p.pid)}\n`);
  const others = markedProcesses();
  if (others.length > 0) {
    process.stderr.write(
      `marked processes of other runs, not ours, left alone: ${others.map((p) => p.pid)}\n`,
    );
  }
  rmSync(base, { recursive: true, force: true });
}

if (mismatches.length > 0) {
  process.stderr.write(
    `records not in their expected state (nothing written):\n  ${mismatches.join('\n  ')}\n`,
  );
  process.exit(1);
}
const states = {};
for (const entry of described) states[entry.state] = (states[entry.state] ?? 0) + 1;
mkdirSync(out, { recursive: true });
await formatJson(join(out, 'records.json'), records);
await formatJson(join(out, 'manifest.json'), {
  release: release.version,
  commit: release.git.commit,
  treeDirty: release.git.dirty,
  generatedAt: startedAt.toISOString(),
  node: process.version,
  kernel: kernel(),
  hostname: hostname(),
  bootId,
  supervisorName: SUPERVISOR_NAME,
  packages: release.packages,
  store: { file: 'runwarden.sqlite', keyPrefix: 'keyv:', tables },
  generator: `node scripts/release-fixtures/generate.mjs ${distArg} ${outArg}`,
  states,
  scenarios,
  records: described,
});
process.stderr.write(`${records.length} records written to ${out}\n`);
