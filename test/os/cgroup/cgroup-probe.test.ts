// The probe tries for real (a throwaway child cgroup, entered and left), and says exactly why
// containment is unavailable: no hierarchy, no own cgroup, not delegated, cannot move.
import { chownSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test as plainTest } from 'vitest';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { probeCgroups } from '../../../src/os/cgroup/cgroup-probe.js';
import { locateOwnCgroup, readCgroupPathOf } from '../../../src/os/cgroup/own-cgroup.js';
import { spawnInCgroup } from '../../../src/os/cgroup/spawn-in-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { nobodyUser } from '../../support/run-as-nobody.js';
import { runCgroupScript } from './cgroup-script.js';
import { useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const testAsNobody = testNeeding(cgroupV2Writable(), nobodyUser());
const areas = useCgroupAreas();
const NOBODY = 65534;

const PROBE_BODY = `
import { probeCgroups } from './cgroup/cgroup-probe.js';
const probe = probeCgroups();
console.log(JSON.stringify({ probe, uid: process.getuid() }));
`;

test('here it is available, and leaves nothing behind', () => {
  const own = locateOwnCgroup();
  const probe = probeCgroups();
  expect(probe).toMatchObject({ available: true, own });
  if (!probe.available) return;
  expect(['cgroup.kill', 'freeze']).toContain(probe.kill);
  expect(probe.note === null).toBe(probe.kill === 'cgroup.kill');
  expect(Array.isArray(probe.controllers.delegated)).toBe(true);
  expect(Array.isArray(probe.controllers.forAreas)).toBe(true);
  expect(readCgroupPathOf('self')).toBe(own.path);
  expect(
    readdirSync(own.dir).filter((name) => name.startsWith(`runwarden-probe.${process.pid}.`)),
  ).toEqual([]);
});

plainTest('no cgroup2 mount, or no own cgroup: unavailable, saying what to do', () => {
  const noMount = probeCgroups({ mountinfo: '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n' });
  expect(noMount).toMatchObject({ available: false, code: 'no-cgroup2-mount', own: null });
  if (noMount.available) return;
  expect(noMount.reason).toMatch(/cgroup2.*mountinfo.*mount -t cgroup2/);
  const v1Only = probeCgroups({
    mountinfo: '41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n',
    procCgroup: '4:memory:/\n1:cpu:/\n',
  });
  expect(v1Only).toMatchObject({ available: false, code: 'no-own-cgroup' });
  const elsewhere = probeCgroups({
    mountinfo: '41 31 0:38 / /nonexistent/cgroup rw - cgroup2 cgroup2 rw\n',
    procCgroup: '0::/\n',
  });
  expect(elsewhere).toMatchObject({ available: false, code: 'own-cgroup-not-visible' });
});

testAsNobody(
  'an unprivileged user without delegation: not writable, and told about systemd-run',
  async () => {
    // nobody's process stands in a cgroup of root's (a leaf of a test area).
    const leaf = createRunLeaf(areas.open().dir, 'nobody', 1);
    const home = areas.home();
    const result = (await runCgroupScript(PROBE_BODY, null, {
      place: (start) => spawnInCgroup(leaf, start, { home }),
    })) as { probe: Record<string, unknown>; uid: number };
    expect(result.uid).toBe(NOBODY);
    expect(result.probe).toMatchObject({ available: false, code: 'own-cgroup-not-writable' });
    expect(result.probe.reason).toContain('systemd-run --user --scope -p Delegate=yes');
    expect(result.probe.reason).toContain('EACCES');
  },
);

testAsNobody(
  'a delegated subtree works unprivileged; a half-delegated one cannot move',
  async () => {
    const home = areas.home();
    const area = areas.open();
    // Delegation as systemd does it: the directory and its cgroup.procs, cgroup.threads and
    // cgroup.subtree_control belong to the user.
    const delegated = createRunLeaf(area.dir, 'delegated', 1);
    for (const path of ['', 'cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control']) {
      chownSync(join(delegated, path), NOBODY, NOBODY);
    }
    const full = (await runCgroupScript(PROBE_BODY, null, {
      place: (start) => spawnInCgroup(delegated, start, { home }),
    })) as { probe: Record<string, unknown> };
    expect(full.probe).toMatchObject({ available: true, kill: 'cgroup.kill' });
    // Only the directory: a child can be made, but nothing can move between it and its parent
    // (the kernel wants write access to the common ancestor's cgroup.procs).
    const half = createRunLeaf(area.dir, 'half', 1);
    chownSync(half, NOBODY, NOBODY);
    const partial = (await runCgroupScript(PROBE_BODY, null, {
      place: (start) => spawnInCgroup(half, start, { home }),
    })) as { probe: Record<string, unknown> };
    expect(partial.probe).toMatchObject({ available: false, code: 'cannot-move' });
    expect(partial.probe.reason).toContain('systemd-run --user --scope -p Delegate=yes');
    for (const dir of [delegated, half]) {
      expect(readdirSync(dir).filter((name) => name.startsWith('runwarden-probe.'))).toEqual([]);
    }
  },
);
