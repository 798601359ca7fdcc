// A row whose stored text cannot be decoded (a torn write, another program's bytes) used to
// make every boot fail with E_STORE_READ. It is quarantined with its text; the rest boots.
import { afterEach, expect, test } from 'vitest';
import { createSupervisor } from '../../src/index.js';
import { withRecords } from '../support/record-editor.js';
import { createTempHome } from '../support/temp-home.js';

const removers: Array<() => void> = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

interface RawAdapter {
  set(key: string, value: string): Promise<unknown>;
}

test('an undecodable record is quarantined with its text, and the other records still boot', async () => {
  const home = createTempHome();
  removers.push(home.remove);
  const first = await createSupervisor({ home: home.path });
  const run = await first.spawn({ command: 'true' });
  await run.exited;
  await first.shutdown();
  const torn = '{"value":{"schemaVersion":1,"supervi';
  await withRecords(home.path, async (store) => {
    // Past Keyv's serializer, straight into the adapter (`keyv:` is Keyv's key prefix).
    await (store.keyv.store as RawAdapter).set('keyv:default/run/torn', torn);
  });

  const second = await createSupervisor({ home: home.path });
  expect(second.lastReconcile?.quarantined).toEqual([
    { runId: 'torn', reason: expect.stringMatching(/cannot be decoded/) as string },
  ]);
  expect(second.get(run.id)?.exit?.reason).toBe('exit');
  await second.shutdown();
  const kept = await withRecords(home.path, (store) => store.get('default/quarantine/torn'));
  expect(kept).toMatchObject({ value: { raw: torn } });
});
