import { afterEach, describe, expect } from 'vitest';
import type { RunTree } from '../../src/os/collect-run-tree.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { testNeeding } from '../support/requirements.js';
import { nobodyUser } from '../support/run-as-nobody.js';
import { runOsScript } from '../support/run-os-script.js';
import { destroyAllSpawned } from '../support/spawn-tree.js';
import { byCommand, member, sorted, spawnEscapees } from '../support/tree-members.js';

// The tests that act as user nobody: they need root and that user (skipped loudly elsewhere).
const testAsNobody = testNeeding(nobodyUser());

afterEach(async () => {
  await destroyAllSpawned();
});

describe('collectRunTree as another user', () => {
  const script = `import { collectRunTree } from './collect-run-tree.js';
    console.log(JSON.stringify(collectRunTree(INPUT)));`;

  testAsNobody(
    'processes whose environment it cannot read are unreadable, not absent',
    async () => {
      const { tree, members } = await spawnEscapees();
      const pidOf = (command: string) => member(members, command).identity.pid;

      const withRoot = (await runOsScript(script, {
        marker: tree.marker,
        root: tree.root,
      })) as RunTree;
      // If this fails, something outside the test killed the tree (e.g. a concurrent suite's
      // marker check), and the assertions below would mislead.
      expect(checkIdentity(tree.root)).toBe('alive');
      const found = byCommand(withRoot.members);
      // Found through /proc/<pid>/stat, which anyone can read; the marker could not be seen.
      expect([...found.keys()].sort()).toEqual(['sleep 61', 'sleep 63']);
      expect(sorted(member(found, 'sleep 63').via)).toEqual(['group', 'root', 'session']);
      expect(sorted(member(found, 'sleep 61').via)).toEqual(['group', 'session']);
      expect(withRoot.unreadable).toContain(pidOf('sleep 62'));
      expect(withRoot.unreadable).not.toContain(pidOf('sleep 61'));
      expect(withRoot.unreadable).not.toContain(pidOf('sleep 63'));

      const markerOnly = (await runOsScript(script, {
        marker: tree.marker,
        root: null,
      })) as RunTree;
      expect(markerOnly.members).toEqual([]);
      for (const command of ['sleep 61', 'sleep 62', 'sleep 63']) {
        expect(markerOnly.unreadable).toContain(pidOf(command));
      }
    },
  );
});
