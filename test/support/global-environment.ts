// Global setup: the suite runs the same on every machine, whatever the developer's dotfiles.
// A non-interactive bash whose stdin is a socket (Node's stdio pipes are socketpairs) takes
// itself for a remote shell and sources ~/.bashrc when SHLVL is below 2 after its own
// increment, that is, unset. A ~/.bashrc that runs `pyenv init` then waits up to a minute
// on pyenv's rehash lock, forever stale once some test ended a tree mid-rehash: child-mode
// runs of `bash -c` stalled that way. Workers and every process they start inherit this.
export function setup(): void {
  if (process.env.SHLVL === undefined || Number(process.env.SHLVL) < 1) process.env.SHLVL = '1';
}
