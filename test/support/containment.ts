// The containment a supervisor with the default `auto` gets on this machine: `cgroup` where
// this process may create and enter cgroups (root in CI), else `marker`. Probed for real once.
import { probeCgroups } from '../../src/os/cgroup/cgroup-probe.js';

let mode: 'cgroup' | 'marker' | null = null;

export function defaultContainment(): 'cgroup' | 'marker' {
  mode ??= probeCgroups().available ? 'cgroup' : 'marker';
  return mode;
}

/** The status line `runwarden status` prints for it, as a regular expression source. */
export function containmentLinePattern(): string {
  return `containment: ${defaultContainment()} \\([^\\n]+\\)\\n`;
}
