// `runwarden daemon --http` refuses anything but loopback before it boots anything.
import { readdirSync } from 'node:fs';
import { beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { createTempHome } from '../support/temp-home.js';

beforeAll(() => {
  assertFreshBuild();
});

test.each(['0.0.0.0:8080', '192.0.2.1:8080', 'example.com:80', '127.0.0.1'])(
  '--http %s is a usage error, and nothing starts',
  async (address) => {
    const home = createTempHome('runwarden-http-');
    try {
      const result = await runCli(home.path, ['daemon', '--http', address]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Invalid option `--http`: expected a loopback address');
      expect(readdirSync(home.path)).toEqual([]);
    } finally {
      home.remove();
    }
  },
);
