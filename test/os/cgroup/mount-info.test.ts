// Locating the cgroup v2 hierarchy and the process's own cgroup: the pure parsers on texts
// taken from real systems, then the real /proc of this machine.
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import {
  cgroupPathOfDir,
  dirOfCgroupPath,
  mountHolding,
  mountShowing,
  parseCgroup2Mounts,
  parseOwnCgroupPath,
} from '../../../src/os/cgroup/mount-info.js';
import {
  findOwnCgroup,
  locateOwnCgroup,
  readCgroupPathOf,
} from '../../../src/os/cgroup/own-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';

const testWithCgroups = testNeeding(cgroupV2Writable());

// This machine's layout (hybrid): v1 controllers, v2 at /sys/fs/cgroup/unified.
const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
// A unified system: optional fields (shared:N) before the separator.
const UNIFIED =
  '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

test('finds the cgroup2 mount among others, with or without optional fields', () => {
  expect(parseCgroup2Mounts(HYBRID)).toEqual([{ mountPoint: '/sys/fs/cgroup/unified', root: '/' }]);
  expect(parseCgroup2Mounts(UNIFIED)).toEqual([{ mountPoint: '/sys/fs/cgroup', root: '/' }]);
});

test('a mount point or root with escaped spaces, tabs and backslashes is unescaped', () => {
  const line =
    '50 24 0:30 /a\\040b /mnt/with\\040space\\011tab\\134x rw shared:1 master:2 - cgroup2 none rw';
  expect(parseCgroup2Mounts(line)).toEqual([
    { mountPoint: '/mnt/with space\ttab\\x', root: '/a b' },
  ]);
});

test('no cgroup2 mount, and garbage lines, give an empty list', () => {
  expect(parseCgroup2Mounts(HYBRID.split('\n').slice(0, 2).join('\n'))).toEqual([]);
  expect(parseCgroup2Mounts('')).toEqual([]);
  expect(parseCgroup2Mounts('not a mountinfo line\n1 2 3\n')).toEqual([]);
  // "cgroup2" as a path or source is not the file system type.
  expect(parseCgroup2Mounts('7 1 0:5 / /cgroup2 rw - tmpfs cgroup2 rw')).toEqual([]);
});

test('several mounts: the one showing the cgroup, the deepest root first', () => {
  const mounts = parseCgroup2Mounts(
    [
      '41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
      '90 80 0:38 /user.slice /mnt/users rw - cgroup2 cgroup2 rw',
      '91 80 0:38 /system.slice /mnt/system rw - cgroup2 cgroup2 rw',
    ].join('\n'),
  );
  expect(mounts).toHaveLength(3);
  expect(mountShowing(mounts, '/user.slice/user-1000.slice')).toEqual(mounts[1]);
  expect(mountShowing(mounts, '/init.scope')).toEqual(mounts[0]);
  expect(mountShowing(mounts.slice(1), '/init.scope')).toBeNull();
  // `/user.slicex` is not below `/user.slice`.
  expect(mountShowing(mounts.slice(1), '/user.slicex')).toBeNull();
  const users = mounts[1] ?? mounts[0];
  if (users === undefined) throw new Error('no mount');
  expect(dirOfCgroupPath(users, '/user.slice/u.scope')).toBe('/mnt/users/u.scope');
  expect(dirOfCgroupPath(users, '/user.slice')).toBe('/mnt/users');
  expect(cgroupPathOfDir(users, '/mnt/users/u.scope/')).toBe('/user.slice/u.scope');
  expect(cgroupPathOfDir(users, '/mnt/users')).toBe('/user.slice');
  expect(cgroupPathOfDir(users, '/mnt/usersx')).toBeNull();
  expect(mountHolding(mounts, '/mnt/system/a')).toEqual(mounts[2]);
  expect(mountHolding(mounts, '/tmp')).toBeNull();
});

test("the own cgroup is the `0::` line's path; none, or one outside the namespace, is null", () => {
  expect(parseOwnCgroupPath('4:memory:/x\n0::/user.slice/a b.scope\n')).toBe(
    '/user.slice/a b.scope',
  );
  expect(parseOwnCgroupPath('0::/\n')).toBe('/');
  expect(parseOwnCgroupPath('4:memory:/x\n1:cpu:/\n')).toBeNull();
  expect(parseOwnCgroupPath('0::/../../system.slice\n')).toBeNull();
  expect(parseOwnCgroupPath('')).toBeNull();
});

test('findOwnCgroup says which step failed', () => {
  expect(findOwnCgroup({ mountinfo: HYBRID.split('\n')[0] ?? '', procCgroup: '0::/\n' })).toBe(
    'no-cgroup2-mount',
  );
  expect(findOwnCgroup({ mountinfo: HYBRID, procCgroup: '1:cpu:/\n' })).toBe('no-own-cgroup');
  const partial = '90 80 0:38 /user.slice /mnt/users rw - cgroup2 cgroup2 rw';
  expect(findOwnCgroup({ mountinfo: partial, procCgroup: '0::/system.slice/x\n' })).toBe(
    'own-cgroup-not-visible',
  );
  expect(findOwnCgroup({ mountinfo: HYBRID, procCgroup: '0::/a/b\n' })).toEqual({
    mount: { mountPoint: '/sys/fs/cgroup/unified', root: '/' },
    path: '/a/b',
    dir: '/sys/fs/cgroup/unified/a/b',
  });
});

testWithCgroups("this process's own cgroup, read from /proc, is a real cgroup directory", () => {
  const own = locateOwnCgroup();
  expect(own.path).toBe(readCgroupPathOf('self'));
  expect(existsSync(`${own.dir}/cgroup.procs`)).toBe(true);
  const members = readFileSync(`${own.dir}/cgroup.procs`, 'utf8').split('\n').map(Number);
  expect(members).toContain(process.pid);
  expect(readCgroupPathOf(2 ** 22 + 1)).toBeNull();
});
