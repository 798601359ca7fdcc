// Builds a released version of runwarden from its commit, in a git worktree of this
// checkout kept between runs (node_modules/.cache/runwarden-releases/<version>), so that
// upgrade tests run the real previous release. Anything missing (git, the commit) fails
// with a message that says what to do: never a skip, so CI cannot pass without it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withReleaseBuildLock } from './release-build-lock.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A built release: its CLI entry and its worktree. */
export interface ReleaseBuild {
  readonly version: string;
  readonly dir: string;
  readonly bin: string;
}

function run(command: string, args: readonly string[], cwd: string, what: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${what} failed (${command} ${args.join(' ')} in ${cwd}): ${stderr}`, {
      cause: error,
    });
  }
}

/** The release `version` at `commit`, built once and reused while its HEAD and dist hold. */
export function ensureReleaseBuild(version: string, commit: string): ReleaseBuild {
  const dir = join(ROOT, 'node_modules', '.cache', 'runwarden-releases', version);
  return withReleaseBuildLock(dir, () => buildRelease(version, commit, dir));
}

function buildRelease(version: string, commit: string, dir: string): ReleaseBuild {
  run('git', ['--version'], ROOT, 'git is needed to build the previous release:');
  try {
    execFileSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: ROOT, stdio: 'ignore' });
  } catch (error) {
    throw new Error(
      `commit ${commit} (release ${version}) is not in this checkout: clone with full history (git fetch --unshallow)`,
      { cause: error },
    );
  }
  const bin = join(dir, 'dist', 'cli', 'main.js');
  // A kept worktree whose directory was deleted leaves stale metadata behind.
  forgetStaleWorktree(ROOT, dir);
  if (existsSync(dir)) {
    let head = '';
    try {
      head = run('git', ['rev-parse', 'HEAD'], dir, 'reading the kept worktree').trim();
    } catch {
      // Not a worktree any more: rebuilt below.
    }
    if (head.startsWith(commit) && existsSync(bin)) return { version, dir, bin };
    try {
      run('git', ['worktree', 'remove', '--force', dir], ROOT, 'removing a stale worktree');
    } catch {
      rmSync(dir, { recursive: true, force: true });
      forgetStaleWorktree(ROOT, dir);
    }
  }
  mkdirSync(join(dir, '..'), { recursive: true });
  run('git', ['worktree', 'add', '--detach', dir, commit], ROOT, `checking out ${version}`);
  installDependencies(dir, commit);
  run('npm', ['run', 'build'], dir, `building ${version}`);
  if (!existsSync(bin)) throw new Error(`building ${version} produced no ${bin}`);
  return { version, dir, bin };
}

// Removes the metadata of the worktree at `dir` once its directory is gone: that one only,
// where `git worktree prune` would remove every stale worktree, a user's unrelated ones too.
export function forgetStaleWorktree(root: string, dir: string): void {
  const common = run(
    'git',
    ['rev-parse', '--path-format=absolute', '--git-common-dir'],
    root,
    'finding the repository',
  ).trim();
  const admin = join(common, 'worktrees');
  if (!existsSync(admin)) return;
  for (const name of readdirSync(admin)) {
    let gitdir: string;
    try {
      gitdir = readFileSync(join(admin, name, 'gitdir'), 'utf8').trim();
    } catch {
      continue;
    }
    if (gitdir === join(dir, '.git') && !existsSync(gitdir)) {
      rmSync(join(admin, name), { recursive: true, force: true });
    }
  }
}

// Same lock file: the checkout's packages, hard-linked (seconds instead of a 90 s install).
function installDependencies(dir: string, commit: string): void {
  const theirs = run('git', ['show', `${commit}:package-lock.json`], ROOT, 'reading its lock');
  const ours = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
  const source = join(ROOT, 'node_modules');
  if (theirs !== ours || !existsSync(source)) {
    run('npm', ['ci', '--no-audit', '--no-fund'], dir, 'installing its dependencies');
    return;
  }
  const target = join(dir, 'node_modules');
  mkdirSync(target);
  // Not `.cache`: the release's own worktree lives there.
  for (const entry of readdirSync(source)) {
    if (entry === '.cache') continue;
    run('cp', ['-al', join(source, entry), target], ROOT, 'linking node_modules');
  }
}
