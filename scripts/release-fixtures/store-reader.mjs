// Reads a release's SQLite store back exactly as stored: raw keys and raw serialized values,
// through a read-only connection of the release's own sqlite3, never through a Keyv that
// could rewrite, expire or re-encode anything.

/** Every row of the Keyv table, raw, plus the schema of the file. */
export function readRawStore(release, file) {
  const { sqlite3 } = release;
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (openError) => {
      if (openError) {
        reject(openError);
        return;
      }
      db.configure('busyTimeout', 2000);
      db.all("SELECT name, sql FROM sqlite_master WHERE type = 'table'", (schemaError, tables) => {
        if (schemaError) return finish(schemaError);
        const table = tables.find((t) => t.name === 'keyv') ?? tables[0];
        if (table === undefined) return finish(null, { tables, rows: [] });
        db.all(`SELECT * FROM "${table.name}" ORDER BY key`, (rowsError, rows) =>
          finish(rowsError, { tables, rows }),
        );
      });
      function finish(error, result) {
        db.close(() => (error ? reject(error) : resolve(result)));
      }
    });
  });
}

/** Decodes a raw value with the release's Keyv codec (it unescapes `:`-prefixed strings). */
export async function decodeRaw(release, raw) {
  try {
    const entry = await new release.Keyv().deserialize(raw);
    return entry?.value;
  } catch {
    return undefined;
  }
}

/** Where a stored value stands: `running`, `done:exit`, `lease`, `quarantine`... */
export function describeStored(key, value) {
  if (/\/lease\//.test(key)) return 'lease';
  if (/\/quarantine\//.test(key)) return 'quarantine';
  const snapshot = value?.snapshot;
  if (snapshot === undefined) return 'unknown';
  if (snapshot.value !== 'done') return String(snapshot.value);
  return `done:${snapshot.context?.exit?.reason ?? '?'}`;
}

/** The run id a run (or quarantine) key names, or null. */
export function runIdOf(key) {
  return /\/(?:run|quarantine)\/([^/]+)$/.exec(key)?.[1] ?? null;
}

/** Polls the store until every run in `expected` (runId -> state) is stored in that state. */
export async function waitForStates(release, file, expected, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = new Map();
  for (;;) {
    try {
      const { rows } = await readRawStore(release, file);
      seen = new Map();
      for (const row of rows) {
        const runId = runIdOf(row.key);
        if (runId !== null)
          seen.set(runId, describeStored(row.key, await decodeRaw(release, row.value)));
      }
      if ([...expected].every(([runId, state]) => seen.get(runId) === state)) return;
    } catch {
      // The writer may hold the file for a moment, or not have created it yet: ask again.
    }
    if (Date.now() > deadline) {
      const missing = [...expected].map(([id, state]) => `${id}: ${seen.get(id)} (want ${state})`);
      throw new Error(`records did not reach their states in ${file}: ${missing.join(', ')}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}
