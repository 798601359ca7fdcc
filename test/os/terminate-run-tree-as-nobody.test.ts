import { afterEach, describe, expect } from 'vitest';
import { checkIdentity } from '../../src/os/process-identity.js';
import type { TerminationReport } from '../../src/os/terminate-run-tree.js';
import { testNeeding } from '../support/requirements.js';
import { nobodyUser } from '../support/run-as-nobody.js';
import { runOsScript } from '../support/run-os-script.js';
import { destroyAllSpawned, spawnTree } from '../support/spawn-tree.js';
import { ESCAPEES, pidsOf, waitForCommands } from '../support/tree-members.js';

// The tests that act as user nobody: they need root and that user (skipped loudly elsewhere).
const testAsNobody = testNeeding(nobodyUser());

afterEach(async () => {
  await destroyAllSpawned();
});

describe('terminateRunTree without permission', () => {
  testAsNobody(
    'refused members are reported as failures and survivors, not waited for',
    async () => {
      const tree = spawnTree(ESCAPEES);
      const [orphan, escapee] = await waitForCommands(tree, ['sleep 61', 'sleep 62', 'sleep 63']);

      // As nobody: the root's tree is visible through stat but may not be signalled.
      const report = (await runOsScript(
        `import { terminateRunTree } from './terminate-run-tree.js';
       console.log(JSON.stringify(await terminateRunTree(INPUT)));`,
        {
          query: { marker: tree.marker, root: tree.root },
          graceMs: 600_000,
          softSignals: ['SIGTERM'],
        },
      )) as TerminationReport;

      // If this fails, something outside the test killed the tree (e.g. a concurrent suite's
      // marker check), and the assertions below would mislead.
      expect(checkIdentity(tree.root)).toBe('alive');
      expect(report.forced).toBe(false);
      expect(pidsOf(report.members).sort()).toEqual([tree.pid, orphan].sort());
      expect(pidsOf(report.survivors).sort()).toEqual([tree.pid, orphan].sort());
      expect(report.failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pid: tree.pid, signal: 'SIGTERM', code: 'EPERM' }),
          expect.objectContaining({ pid: orphan, signal: 'SIGTERM', code: 'EPERM' }),
        ]),
      );
      expect(report.failures).toHaveLength(2);
      // The escapee's environment cannot be read by nobody: uncertain, never signalled.
      expect(report.unreadable).toContain(escapee);
      for (const member of report.members) expect(checkIdentity(member.identity)).toBe('alive');
    },
  );
});
