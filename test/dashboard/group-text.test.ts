// How the dashboard words a group in the supervision tree (src/dashboard/assets/group-text.js,
// the page's own module, loaded here in Node: it touches no DOM): id, path when nested,
// state, strategy, restarts and intensity, for every state a group node can be in.
import { expect, test } from 'vitest';
import type { GroupStateName, GroupTreeNode } from '../../src/index.js';

type Field = [string, string];
/** The module's exports, as the page calls them. */
interface GroupText {
  groupFields: (node: GroupTreeNode) => Field[];
  intensityText: (node: GroupTreeNode) => string;
  groupRestartsText: (node: GroupTreeNode) => string;
}

// Plain browser JavaScript with no type declarations: loaded by URL, typed above.
const groupText = (await import(
  new URL('../../src/dashboard/assets/group-text.js', import.meta.url).href
)) as GroupText;

const NODE: GroupTreeNode = {
  kind: 'group',
  id: 'agent-1',
  path: 'agent-1',
  strategy: 'one-for-all',
  state: 'active',
  restarts: 0,
  maxRestarts: 5,
  restartWindowMs: 60_000,
  children: [],
};

test('a top-level group: id, state, strategy and intensity; no restarts yet, no path', () => {
  expect(groupText.groupFields(NODE)).toEqual([
    ['id', 'agent-1'],
    ['path', ''],
    ['state', 'active'],
    ['strategy', 'one-for-all'],
    ['restarts', ''],
    ['intensity', '≤5 in 1m'],
  ]);
});

test('a nested group shows its path; restarts are counted; the intensity in the CLI units', () => {
  const mcp: GroupTreeNode = {
    ...NODE,
    id: 'mcp',
    path: 'agent-1/mcp',
    strategy: 'rest-for-one',
    state: 'restarting',
    restarts: 1,
    maxRestarts: 3,
    restartWindowMs: 600_000,
  };
  expect(new Map(groupText.groupFields(mcp))).toEqual(
    new Map([
      ['id', 'mcp'],
      ['path', 'agent-1/mcp'],
      ['state', 'restarting'],
      ['strategy', 'rest-for-one'],
      ['restarts', '1 restart'],
      ['intensity', '≤3 in 10m'],
    ]),
  );
  expect(groupText.groupRestartsText({ ...mcp, restarts: 7 })).toBe('7 restarts');
  expect(groupText.intensityText({ ...mcp, maxRestarts: 1, restartWindowMs: 1500 })).toBe(
    '≤1 in 1500ms',
  );
  expect(groupText.intensityText({ ...mcp, restartWindowMs: 7_200_000 })).toBe('≤3 in 2h');
});

test('every group state is shown by its own name (the page colours it by `state-NAME`)', () => {
  const states: GroupStateName[] = [
    'recording',
    'active',
    'restarting',
    'held',
    'failed',
    'stopping',
    'stopped',
  ];
  for (const state of states)
    expect(groupText.groupFields({ ...NODE, state })).toContainEqual(['state', state]);
});
