// The built CLI against random argv, generated with fast-check (no daemon running): every
// invocation exits by itself with 0, 1 or 2 (src/cli/main.ts: success, failure, usage), never
// by a signal or runCli's timeout; a usage error (2) and a failure (1) say so in one clear
// line; nothing ever prints a stack trace.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { createTempHome } from '../support/temp-home.js';

let home: { path: string; remove: () => void };
beforeAll(() => {
  assertFreshBuild();
  home = createTempHome('runwarden-cli-fuzz-');
});
afterAll(() => {
  home.remove();
});

// `daemon` and `demo` would run for real; `--follow` waits a minute for a daemon; `--home`
// and `--store` would write outside the temporary home.
const AVOID = /^--(home|store|follow)/;
const command = fc.oneof(
  fc.constantFrom('run', 'ls', 'show', 'logs', 'send', 'kill', 'reconcile', 'attach', 'help'),
  fc.string({ maxLength: 8 }).filter((word) => !['daemon', 'demo'].includes(word)),
);
const option = fc.constantFrom(
  ...['--pty', '--durable', '--scope', '--replace', '--timeout', '--no-output-timeout'],
  ...['--session', '--owner', '--on-orphan', '--cwd', '--env', '--json', '--all', '--since'],
  ...['--detach-key', '--dry-run', '--name', '--help', '-h', '--version', '--', '--bogus', '-x'],
  ...['--restart', '--restart-delay', '--max-restart-delay', '--max-restarts', '--restart-window'],
  ...['--group', '--group-strategy', '--group-max-restarts', '--group-restart-window', '--tree'],
);
const value = fc.oneof(
  fc.constantFrom('10x', '-1', '500ms', '', 'kill', 'reattach', 'K=V', '=V', 'ctrl-q', 'r1'),
  fc.constantFrom('on-failure', 'always', 'never', '0', '3', '0s'),
  fc.constantFrom('one-for-all', 'rest-for-one', 'agent-1', 'agent-1/mcp', 'a//b'),
  fc.string({ maxLength: 10 }),
);
const argv = fc
  .tuple(command, fc.array(fc.oneof(option, value), { maxLength: 6 }))
  .map(([first, rest]) => [first, ...rest])
  .filter((args) => !args.some((arg) => AVOID.test(arg)));

test('random argv: exit 0, 1 or 2, one clear line for errors, never a signal or a stack trace', async () => {
  await fc.assert(
    fc.asyncProperty(argv, async (args) => {
      // runCli rejects on a signal or a timeout; the result says so too, checked here.
      const result = await runCli(home.path, args);
      const what = `${JSON.stringify(args)} -> ${result.code}: ${result.stderr}`;
      expect(result.signal, what).toBeNull();
      expect(result.timedOut, what).toBe(false);
      expect([0, 1, 2], what).toContain(result.code);
      expect(result.stderr, what).not.toMatch(/^\s+at /m);
      const messages = result.stderr.split('\n').filter((line) => /^(error|runwarden):/.test(line));
      // The usage may come along, but the reason is one line of its own.
      if (result.code !== 0) expect(messages, what).toHaveLength(1);
    }),
    { numRuns: 30 },
  );
}, 180_000);
