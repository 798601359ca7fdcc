// Resolves a command and its cwd before spawning, so a missing program or directory is a
// clear SpawnError instead of a PTY that prints "execvp(3) failed" and exits 1.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SpawnError } from '../errors.js';

/** Checks that `cwd` is an existing directory. */
export function assertDirectory(cwd: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch (error) {
    throw new SpawnError('E_CWD_NOT_FOUND', `working directory ${cwd} does not exist`, {
      cause: error,
    });
  }
  if (!isDirectory) {
    throw new SpawnError('E_CWD_NOT_DIRECTORY', `working directory ${cwd} is not a directory`);
  }
}

/** Finds the executable `command` names, the way execvp would (PATH when it has no slash). */
export function resolveCommand(
  command: string,
  cwd: string,
  pathVariable: string | undefined,
): string {
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : resolve(cwd, command);
    assertExecutable(file, command);
    return file;
  }
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(isAbsolute(dir) ? dir : resolve(cwd, dir), command);
    if (isExecutableFile(file)) return file;
  }
  throw new SpawnError(
    'E_COMMAND_NOT_FOUND',
    `command ${JSON.stringify(command)} was not found on PATH`,
  );
}

function assertExecutable(file: string, command: string): void {
  try {
    if (!statSync(file).isFile()) {
      throw new SpawnError('E_NOT_EXECUTABLE', `${JSON.stringify(command)} is not a file`);
    }
    accessSync(file, constants.X_OK);
  } catch (error) {
    if (error instanceof SpawnError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? new SpawnError('E_COMMAND_NOT_FOUND', `command ${JSON.stringify(command)} does not exist`, {
          cause: error,
        })
      : new SpawnError('E_NOT_EXECUTABLE', `command ${JSON.stringify(command)} is not executable`, {
          cause: error,
        });
  }
}

// Most PATH entries do not hold the command: a miss is answered without an exception (an
// ENOENT error object with its stack cost more than the lookup itself, per directory).
function isExecutableFile(file: string): boolean {
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
