// How output chunks become OUTPUT events: at once after a quiet interval, summed within one,
// and never lost (a flush reports what is pending; stop drops the timer).
import { expect, test } from 'vitest';
import { OUTPUT_EVENT_INTERVAL_MS, OutputEvents } from '../../src/runtime/output-events.js';
import { ManualClock } from '../support/manual-clock.js';

function setup() {
  const clock = new ManualClock(1_000_000);
  const events: Array<{ bytes: number; at: number }> = [];
  const output = new OutputEvents(clock, (bytes, at) => events.push({ bytes, at }));
  return { clock, events, output, t0: clock.now() };
}

test('a chunk after a quiet interval is reported at once', () => {
  const { events, output, t0 } = setup();
  output.add(5, t0);
  expect(events).toEqual([{ bytes: 5, at: t0 }]);
});

test('chunks within the interval are summed into one event at its end, stamped with the last chunk', () => {
  const { clock, events, output, t0 } = setup();
  output.add(5, t0);
  clock.advanceTo(t0 + 100);
  output.add(7, clock.now());
  clock.advanceTo(t0 + 200);
  output.add(1, clock.now());
  expect(events).toHaveLength(1);
  clock.advanceTo(t0 + OUTPUT_EVENT_INTERVAL_MS);
  expect(events).toEqual([
    { bytes: 5, at: t0 },
    { bytes: 8, at: t0 + 200 },
  ]);
});

test('a flush reports what is pending at once, and nothing twice', () => {
  const { clock, events, output, t0 } = setup();
  output.add(5, t0);
  clock.advanceTo(t0 + 10);
  output.add(3, clock.now());
  output.flush();
  output.flush();
  clock.advanceTo(t0 + 10 * OUTPUT_EVENT_INTERVAL_MS);
  expect(events).toEqual([
    { bytes: 5, at: t0 },
    { bytes: 3, at: t0 + 10 },
  ]);
});

test('stop drops the timer and what is pending', () => {
  const { clock, events, output, t0 } = setup();
  output.add(5, t0);
  output.add(3, t0);
  output.stop();
  clock.advanceTo(t0 + 10 * OUTPUT_EVENT_INTERVAL_MS);
  expect(events).toEqual([{ bytes: 5, at: t0 }]);
});
