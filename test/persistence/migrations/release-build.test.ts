// The kept release build: only its own stale worktree entry is ever removed (a user's
// unrelated stale worktrees stay), and concurrent builds of one release take turns.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { readIdentity } from '../../../src/os/process-identity.js';
import { withReleaseBuildLock } from '../../support/release-build-lock.js';
import { forgetStaleWorktree } from '../../support/release-build.js';
import { createTempHome } from '../../support/temp-home.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

test("only the kept build's stale worktree entry is removed, not a user's", () => {
  const temp = createTempHome('runwarden-release-git-');
  cleanups.push(temp.remove);
  const repo = join(temp.path, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q');
  git(repo, 'commit', '-q', '--allow-empty', '-m', 'one');
  const kept = join(temp.path, 'kept');
  const users = join(temp.path, 'users');
  git(repo, 'worktree', 'add', '-q', '--detach', kept);
  git(repo, 'worktree', 'add', '-q', '--detach', users);
  rmSync(kept, { recursive: true });
  rmSync(users, { recursive: true });
  forgetStaleWorktree(repo, kept);
  const listed = git(repo, 'worktree', 'list', '--porcelain');
  expect(listed).not.toContain(`worktree ${kept}\n`);
  expect(listed).toContain(`worktree ${users}\n`);
});

test('a build lock held by a live process waits for it; one naming a dead process is taken', async () => {
  const dir = join(tmpdir(), `runwarden-lock-test-${process.pid}`);
  const path = join(
    tmpdir(),
    `runwarden-release-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.lock`,
  );
  cleanups.push(() => {
    rmSync(path, { force: true });
  });
  // Held (by this process): a second build waits, and gives up at its deadline.
  expect(() =>
    withReleaseBuildLock(dir, () => withReleaseBuildLock(dir, () => 'twice', 300)),
  ).toThrow(/still held/);
  // A holder that died (its identity no longer lives) frees the lock.
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  await once(child, 'spawn');
  const dead = readIdentity(child.pid ?? -1);
  expect(dead).toBeDefined();
  child.kill('SIGKILL');
  await exited;
  writeFileSync(path, JSON.stringify(dead));
  expect(withReleaseBuildLock(dir, () => 'built', 300)).toBe('built');
});
