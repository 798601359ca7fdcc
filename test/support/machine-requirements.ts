// The requirements of this suite's tests on the machine, each with how to get it.
import { existsSync } from 'node:fs';
import { inject } from 'vitest';
import { probeCgroups, type CgroupProbe } from '../../src/os/cgroup/cgroup-probe.js';
import { onPath } from './redis-server.js';
import type { Requirement } from './requirements.js';

/** Debian's Chromium, driven by playwright-core (which never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';

/** A command-line tool on PATH. */
export function toolOnPath(binary: string, howToGet: string): Requirement {
  return {
    what: binary,
    missing: onPath(binary) ? null : 'not on PATH',
    howToGet,
  };
}

/** The suite's throwaway Redis (test/support/global-services.ts). */
export function redisService(): Requirement {
  return {
    what: 'Redis',
    missing: inject('redisUrl') === null ? 'redis-server is not installed' : null,
    howToGet: 'apt-get install redis-server; .ci/run installs it',
  };
}

/** The suite's throwaway PostgreSQL (test/support/global-services.ts). */
export function postgresService(): Requirement {
  return {
    what: 'PostgreSQL',
    missing: inject('postgresUrl') === null ? 'initdb and pg_ctl were not found' : null,
    howToGet: 'apt-get install postgresql; .ci/run installs it',
  };
}

/** Chromium for the dashboard's browser test. */
export function chromium(): Requirement {
  return {
    what: 'Chromium',
    missing: existsSync(CHROMIUM) ? null : `${CHROMIUM} does not exist`,
    howToGet: 'apt-get install chromium; .ci/run installs it',
  };
}

let cgroupProbe: CgroupProbe | null = null;

/**
 * A cgroup v2 subtree this process may create cgroups in and move processes through (root,
 * or a delegated subtree). Probed for real once per worker: a throwaway child cgroup is
 * created, entered and left, and removed.
 */
export function cgroupV2Writable(): Requirement {
  cgroupProbe ??= probeCgroups();
  return {
    what: 'a writable cgroup v2 subtree',
    missing: cgroupProbe.available ? null : `${cgroupProbe.code}: ${cgroupProbe.reason}`,
    howToGet:
      'run as root (.ci/run runs as root), or under `systemd-run --user --scope -p Delegate=yes`',
  };
}
