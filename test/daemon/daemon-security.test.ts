// What another user on the machine can reach: the home is 0700, every file in it 0600,
// and user nobody can connect to neither the control socket nor the run host's socket,
// not even once the home itself is opened up (the sockets are 0600 on their own).
import { execFile } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { listFiles } from '../support/list-files.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => {
  assertFreshBuild();
});

const mode = (path: string) => statSync(path).mode & 0o777;

/** Connects to a Unix socket as user nobody: `connected`, or the error code. */
function connectAsNobody(socketPath: string): Promise<string> {
  const script = `require('node:net').connect(process.argv[1])
    .on('connect', () => { console.log('connected'); process.exit(0); })
    .on('error', (error) => { console.log(error.code); process.exit(0); });`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script, socketPath],
      { uid: 65534, gid: 65534, cwd: '/', timeout: 10_000 },
      (error, stdout) => {
        if (error === null) resolve(stdout.trim());
        else reject(new Error(`connecting as nobody failed: ${error.message}`));
      },
    );
  });
}

test('home 0700, files 0600, and user nobody cannot connect to the daemon or the run host', async () => {
  const temp = createTempHome('runwarden-security-');
  cleanups.push(temp.remove);
  const home = temp.path;
  const { daemon } = await startDaemon(home);
  cleanups.push(() => waitRunHostGone(home));
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  const id = (
    await runCli(home, ['run', '--durable', '--', 'sh', '-c', 'echo hi; sleep 30'])
  ).stdout.trim();
  const runDir = join(home, 'default.runs', id);
  await waitUntil(() => readdirSync(runDir).length > 0, 10_000, 'the output log');

  expect(mode(home)).toBe(0o700);
  const sockets = [join(home, 'default.sock'), join(home, 'default.host.sock')];
  for (const socket of sockets) expect(mode(socket), socket).toBe(0o600);
  const files = listFiles(home).filter((file) => statSync(file).isFile());
  for (const name of ['runwarden.sqlite', 'default.host.json', 'default.host.log']) {
    expect(files).toContain(join(home, name));
  }
  for (const file of files) expect(mode(file), file).toBe(0o600);
  for (const dir of [join(home, 'default.runs'), runDir]) expect(mode(dir), dir).toBe(0o700);

  for (const socket of sockets) expect(await connectAsNobody(socket), socket).toBe('EACCES');
  // With the home opened to traversal, each socket's own mode still refuses.
  chmodSync(home, 0o711);
  try {
    for (const socket of sockets) expect(await connectAsNobody(socket), socket).toBe('EACCES');
  } finally {
    chmodSync(home, 0o700);
  }
  // The control: root connects.
  expect((await runCli(home, ['kill', id])).stdout.trim()).toBe('cancelled');
});
