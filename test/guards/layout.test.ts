// Dependencies in src/ point down: every relative import (type-only ones too) is checked
// against a table of the rooms each room may import. A file's room is its folder under src/
// (`host/client` and `host/server` are rooms of their own); a top-level file is a room by name.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';
import { listFiles } from '../support/list-files.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

// Everything below the run host. `support` and `http` are leaves: neutral helpers.
const UNDER_HOST = ['support', 'http', 'os', 'machines', 'persistence', 'options'];
// The run host server is another process: above it, only its shared protocol and the client.
const HOST_API = ['host', 'host/client'];
// The supervisor's tier, bottom up: boot reconciliation, the effects, the runtime.
const ACTOR_ROOMS = ['reconcile', 'effects', 'runtime'];
// Top-level assemblies of the library, which the daemon and the CLI build on.
const ASSEMBLIES = ['create-supervisor.ts', 'reconcile-store.ts', 'run-daemon.ts'];

/** Room -> the rooms it may import, besides itself and the shared vocabulary. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'errors.ts': [],
  'types.ts': [],
  // Their own imports are exempt (EXEMPT below); rows here place them as targets.
  'index.ts': [],
  'create-supervisor.ts': [],
  'reconcile-store.ts': [],
  'run-daemon.ts': [],
  support: [],
  http: [],
  os: ['support', 'http'],
  machines: ['support', 'http', 'os'],
  persistence: ['support', 'http', 'os', 'machines'],
  options: ['support', 'http', 'os', 'machines', 'persistence'],
  host: UNDER_HOST,
  'host/client': [...UNDER_HOST, 'host'],
  'host/server': [...UNDER_HOST, 'host'],
  reconcile: [...UNDER_HOST, ...HOST_API],
  effects: [...UNDER_HOST, ...HOST_API],
  runtime: [...UNDER_HOST, ...HOST_API, 'reconcile', 'effects'],
  charts: [...UNDER_HOST, ...HOST_API, ...ACTOR_ROOMS],
  daemon: [...UNDER_HOST, ...HOST_API, ...ACTOR_ROOMS, 'charts', ...ASSEMBLIES],
  dashboard: [...UNDER_HOST, ...HOST_API, ...ACTOR_ROOMS, 'charts', ...ASSEMBLIES, 'daemon'],
  cli: [...UNDER_HOST, ...HOST_API, ...ACTOR_ROOMS, 'charts', ...ASSEMBLIES, 'daemon', 'dashboard'],
};
/** Open to every room: the library's shared vocabulary of errors and types. */
const VOCABULARY = ['errors.ts', 'types.ts'];
/** Top-level assemblies whose own imports are not checked (they wire the rooms together). */
const EXEMPT = ['index.ts', ...ASSEMBLIES];

/** Imports that break the table today, by file. One that no longer happens must go. */
const KNOWN_EXCEPTIONS: readonly Edge[] = [];

interface Edge {
  readonly from: string;
  readonly to: string;
}

/** The room of a path relative to src/, or undefined when the table has no row for it. */
function roomOf(path: string): string | undefined {
  const parts = path.split('/');
  const candidates = parts.length === 1 ? [path] : [parts.slice(0, 2).join('/'), parts[0] ?? ''];
  return candidates.find((room) => room in MAY_IMPORT);
}

/** What is wrong with each edge: an unknown room, or a room importing one above it. */
function violations(edges: readonly Edge[]): string[] {
  const found: string[] = [];
  for (const { from, to } of edges) {
    if (EXEMPT.includes(from)) continue;
    const source = roomOf(from);
    const target = roomOf(to);
    if (source === undefined || target === undefined) {
      found.push(`${from} -> ${to}: add its room to MAY_IMPORT`);
      continue;
    }
    if (source === target || VOCABULARY.includes(target)) continue;
    if (!(MAY_IMPORT[source] ?? []).includes(target))
      found.push(`${from} -> ${to}: ${source} may not import ${target}`);
  }
  return found;
}

/** Every relative import in src/, as paths relative to src/ (`.js` read as `.ts`). */
function importsInSrc(): Edge[] {
  const files = listFiles(SRC).filter((file) => file.endsWith('.ts'));
  return files.flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((imported) => imported.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => ({
        from: relative(SRC, file),
        to: relative(SRC, join(dirname(file), name)).replace(/\.js$/, '.ts'),
      })),
  );
}

const isKnown = (edge: Edge) =>
  KNOWN_EXCEPTIONS.some((known) => known.from === edge.from && known.to === edge.to);

test('no room in src/ imports a room above it', () => {
  const edges = importsInSrc();
  expect(edges.length).toBeGreaterThan(100);
  expect(violations(edges.filter((edge) => !isKnown(edge)))).toEqual([]);
  const stale = KNOWN_EXCEPTIONS.filter(
    (known) => !edges.some((edge) => edge.from === known.from && edge.to === known.to),
  );
  expect(stale, 'known exceptions that no longer happen: remove them').toEqual([]);
});

test('the guard catches an import upwards and a room missing from the table', () => {
  expect(
    violations([
      { from: 'os/list-run-processes.ts', to: 'options/run-spec.ts' },
      { from: 'host/client/run-host-link.ts', to: 'host/server/run-host.ts' },
      { from: 'daemon/control-routes.ts', to: 'host/server/run-host.ts' },
      { from: 'nowhere/x.ts', to: 'os/run-marker.ts' },
      { from: 'index.ts', to: 'cli/main.ts' },
      { from: 'os/process-handle.ts', to: 'types.ts' },
    ]),
  ).toEqual([
    'os/list-run-processes.ts -> options/run-spec.ts: os may not import options',
    'host/client/run-host-link.ts -> host/server/run-host.ts: host/client may not import host/server',
    'daemon/control-routes.ts -> host/server/run-host.ts: daemon may not import host/server',
    'nowhere/x.ts -> os/run-marker.ts: add its room to MAY_IMPORT',
  ]);
});
