// Where runwarden keeps its state: created 0700, so only its owner can read records.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Resolves the home directory: option, RUNWARDEN_HOME, $XDG_STATE_HOME/runwarden, ~/.local/state/runwarden. */
export function resolveHome(option: string | undefined, env = process.env): string {
  if (option !== undefined) return resolve(option);
  if (env.RUNWARDEN_HOME !== undefined && env.RUNWARDEN_HOME !== '')
    return resolve(env.RUNWARDEN_HOME);
  if (env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '') {
    return join(resolve(env.XDG_STATE_HOME), 'runwarden');
  }
  return join(homedir(), '.local', 'state', 'runwarden');
}

/** Creates the directory (0700) if needed and tightens its mode if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir honours the umask and leaves an existing directory alone: set the mode explicitly.
  if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}
