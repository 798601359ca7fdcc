import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RunwardenError, SpawnError } from '../../src/errors.js';
import { assertDirectory, resolveCommand } from '../../src/os/resolve-command.js';

let dir: string;
beforeEach(() => {
  // realpath: tmpdir() may itself be a symlink, and results are compared as strings.
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'runwarden-resolve-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Creates `dir/relative` with `mode`, parents included; returns its path. */
function file(relative: string, mode: number, content = '#!/bin/sh\nexit 0\n'): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function folder(relative: string): string {
  const path = join(dir, relative);
  mkdirSync(path, { recursive: true });
  return path;
}

function pathOf(...dirs: string[]): string {
  return dirs.join(delimiter);
}

/** Calls `fn`, expecting a SpawnError; returns it. */
function spawnErrorOf(fn: () => unknown): SpawnError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpawnError);
    expect(error).toBeInstanceOf(RunwardenError);
    return error as SpawnError;
  }
  throw new Error('expected a SpawnError, nothing was thrown');
}

describe('resolveCommand on PATH', () => {
  test('finds a command in the first PATH directory that has it as an executable file', () => {
    folder('a');
    const b = file('b/tool', 0o755);
    file('c/tool', 0o755);
    expect(
      resolveCommand('tool', '/', pathOf(join(dir, 'a'), join(dir, 'b'), join(dir, 'c'))),
    ).toBe(b);
  });

  test('finds real system commands', () => {
    const sh = resolveCommand('sh', '/', '/usr/local/bin:/usr/bin:/bin');
    expect(['/usr/bin/sh', '/bin/sh']).toContain(sh);
  });

  test('skips a non-executable file and a directory of the same name', () => {
    file('a/tool', 0o644);
    folder('b/tool');
    const c = file('c/tool', 0o700);
    expect(
      resolveCommand('tool', '/', pathOf(join(dir, 'a'), join(dir, 'b'), join(dir, 'c'))),
    ).toBe(c);
  });

  test('resolves relative PATH entries against the run cwd, and skips empty entries', () => {
    const tool = file('work/bin/tool', 0o755);
    expect(resolveCommand('tool', join(dir, 'work'), pathOf('', 'bin'))).toBe(tool);
  });

  test('does not treat an empty PATH entry as the current directory', () => {
    file('work/tool', 0o755);
    const error = spawnErrorOf(() => resolveCommand('tool', join(dir, 'work'), pathOf('', '')));
    expect(error.code).toBe('E_COMMAND_NOT_FOUND');
  });

  test('follows a symlink to an executable, returning the link', () => {
    const target = file('real/tool', 0o755);
    folder('bin');
    symlinkSync(target, join(dir, 'bin/tool'));
    expect(resolveCommand('tool', '/', join(dir, 'bin'))).toBe(join(dir, 'bin/tool'));
  });

  test('a missing command is E_COMMAND_NOT_FOUND, naming the command', () => {
    folder('empty');
    const error = spawnErrorOf(() => resolveCommand('no-such-tool', '/', join(dir, 'empty')));
    expect(error.code).toBe('E_COMMAND_NOT_FOUND');
    expect(error.name).toBe('SpawnError');
    expect(error.message).toContain('"no-such-tool"');
  });

  test('without PATH, a bare command is not found', () => {
    expect(spawnErrorOf(() => resolveCommand('sh', '/', undefined)).code).toBe(
      'E_COMMAND_NOT_FOUND',
    );
    expect(spawnErrorOf(() => resolveCommand('sh', '/', '')).code).toBe('E_COMMAND_NOT_FOUND');
  });

  test('a PATH-only non-executable file is never returned', () => {
    file('a/tool', 0o644);
    expect(() => resolveCommand('tool', '/', join(dir, 'a'))).toThrow(SpawnError);
  });
});

describe('resolveCommand with a slash', () => {
  test('an absolute path is used as is, without PATH', () => {
    const tool = file('bin/tool', 0o755);
    expect(resolveCommand(tool, '/', undefined)).toBe(tool);
  });

  test('a relative path is resolved against the run cwd, not the host cwd', () => {
    const tool = file('work/bin/tool', 0o755);
    expect(resolveCommand('./bin/tool', join(dir, 'work'), undefined)).toBe(tool);
    expect(resolveCommand('bin/tool', join(dir, 'work'), undefined)).toBe(tool);
    expect(resolveCommand('../work/bin/tool', join(dir, 'work'), undefined)).toBe(tool);
  });

  test('is not looked up on PATH even when PATH has the name', () => {
    file('onpath/bin/tool', 0o755);
    folder('work');
    const error = spawnErrorOf(() =>
      resolveCommand('bin/tool', join(dir, 'work'), join(dir, 'onpath')),
    );
    expect(error.code).toBe('E_COMMAND_NOT_FOUND');
  });

  test('a missing file is E_COMMAND_NOT_FOUND, keeping the fs error as cause', () => {
    const error = spawnErrorOf(() => resolveCommand(join(dir, 'nope'), '/', undefined));
    expect(error.code).toBe('E_COMMAND_NOT_FOUND');
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
  });

  test('a dangling symlink is E_COMMAND_NOT_FOUND', () => {
    symlinkSync(join(dir, 'gone'), join(dir, 'link'));
    expect(spawnErrorOf(() => resolveCommand(join(dir, 'link'), '/', undefined)).code).toBe(
      'E_COMMAND_NOT_FOUND',
    );
  });

  test('a file without execute permission is E_NOT_EXECUTABLE (even for root)', () => {
    const data = file('data.txt', 0o644, 'not a program\n');
    const error = spawnErrorOf(() => resolveCommand(data, '/', undefined));
    expect(error.code).toBe('E_NOT_EXECUTABLE');
    expect(error.message).toContain(JSON.stringify(data));
    expect(error.cause).toMatchObject({ code: 'EACCES' });
  });

  test('a directory is E_NOT_EXECUTABLE', () => {
    const sub = folder('sub');
    expect(spawnErrorOf(() => resolveCommand(sub, '/', undefined)).code).toBe('E_NOT_EXECUTABLE');
  });
});

describe('assertDirectory', () => {
  test('accepts an existing directory', () => {
    expect(() => {
      assertDirectory(dir);
    }).not.toThrow();
  });

  test('a missing directory is E_CWD_NOT_FOUND, naming it and keeping the cause', () => {
    const missing = join(dir, 'missing');
    const error = spawnErrorOf(() => {
      assertDirectory(missing);
    });
    expect(error.code).toBe('E_CWD_NOT_FOUND');
    expect(error.message).toContain(missing);
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
  });

  test('a file is E_CWD_NOT_DIRECTORY', () => {
    const plain = file('plain', 0o644);
    const error = spawnErrorOf(() => {
      assertDirectory(plain);
    });
    expect(error.code).toBe('E_CWD_NOT_DIRECTORY');
    expect(error.message).toContain(plain);
  });

  test('a symlink to a directory is a directory', () => {
    symlinkSync(folder('real'), join(dir, 'link'));
    expect(() => {
      assertDirectory(join(dir, 'link'));
    }).not.toThrow();
  });
});
