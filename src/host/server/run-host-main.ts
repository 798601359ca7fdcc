#!/usr/bin/env node
// Entry of the run host process: `node run-host-main.js <home> <name> [--protocol N]` (the
// hidden flag: tests only, a host of this build playing another version), started detached by
// a supervisor. It prints one JSON line on stdout once it serves (or found a live host),
// then closes stdout so its starter can let go; it logs to `<name>.host.log` (0600).
import { chmodSync } from 'node:fs';
import { pino } from 'pino';
import { ensurePrivateDir } from '../../persistence/home-dir.js';
import { playedHostProtocol } from '../host-protocol.js';
import { RunHost } from './run-host.js';
import { runHostPaths } from '../run-host-paths.js';

const DEFAULT_LINGER_MS = 3000;

async function main(): Promise<void> {
  const [home, name, flag, value] = process.argv.slice(2);
  const played = flag === '--protocol' ? Number(value) : undefined;
  if (
    home === undefined ||
    name === undefined ||
    (flag !== undefined && (played === undefined || !Number.isInteger(played) || played < 1))
  ) {
    process.stderr.write('usage: run-host-main <home> <name>\n');
    process.exit(2);
  }
  ensurePrivateDir(home);
  process.chdir(home);
  const paths = runHostPaths(home, name);
  const logger = pino(pino.destination({ dest: paths.log, sync: true, mode: 0o600 }));
  chmodSync(paths.log, 0o600);
  const linger = Number(process.env.RUNWARDEN_HOST_LINGER_MS ?? DEFAULT_LINGER_MS);
  const host = await RunHost.open({
    home,
    name,
    paths,
    logger,
    lingerMs: Number.isFinite(linger) && linger >= 0 ? linger : DEFAULT_LINGER_MS,
    protocol: playedHostProtocol(played),
    onStopped: () => {
      logger.info({}, 'run host stopped: no run left');
      process.exit(0);
    },
  });
  const ready = host === null ? { ready: false, reason: 'another host serves' } : { ready: true };
  // Our starter lets go of our stdout and stderr: a late write must not crash the host.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  process.stdout.write(`${JSON.stringify({ ...ready, pid: process.pid })}\n`, () => {
    process.stdout.end();
  });
  if (host === null) return;
  logger.info({ pid: process.pid }, 'run host serving');
  // The host is its own session: no terminal hangup reaches it. A polite stop request
  // (SIGTERM, SIGINT) is ignored while it holds runs: leaving would hang up their PTYs.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => {
      const held = host.status().runs.length;
      if (held === 0) void host.stop();
      else logger.warn({ signal, held }, 'stop request ignored: the host holds runs');
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `run host failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
