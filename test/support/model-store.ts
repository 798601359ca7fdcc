// The real SQLite store of a test home, opened by the test and handed to the supervisor as
// its Keyv (as any caller may), with gates the model-based tests realize store events with:
// one record write held or refused (a write-ahead that hangs or fails), the writes of some
// keys failing (a store that went away for them), and the health probe's reads held until
// the test answers each one.
import type Keyv from 'keyv';
import { openStore } from '../../src/persistence/open-store.js';

/** What a held or refused write sees. */
export class StoreRefusal extends Error {
  constructor(key: string) {
    super(`the test store refuses to write ${key}`);
  }
}

interface Held {
  readonly key: string;
  readonly mode: 'hold' | 'refuse';
  /** Which write of the key it stops (any, unless told). */
  readonly accepts: (value: unknown) => boolean;
  release: (() => void) | null;
  opened: boolean;
}

export interface GatedStore {
  readonly keyv: Keyv;
  /**
   * The next write of `key` (the next whose value `accepts`, when given) is held until
   * `open()`, or refused. Once.
   */
  gateNext(
    key: string,
    mode: 'hold' | 'refuse',
    accepts?: (value: unknown) => boolean,
  ): { open(): void };
  /** Writes of keys `failing` accepts fail until it is set back to null. */
  failing: ((key: string) => boolean) | null;
  /** Health probes wait for `answerProbe` (true) or pass at once (false). */
  holdProbes: boolean;
  /** Probes waiting for an answer. */
  readonly waitingProbes: number;
  /** Answers the oldest waiting probe: it reads, or fails. */
  answerProbe(ok: boolean): void;
  /** Closes the store once what is in flight settled. */
  close(): Promise<void>;
}

export async function openGatedStore(home: string): Promise<GatedStore> {
  const opened = await openStore(undefined, home);
  const keyv = opened.keyv;
  const real = {
    get: keyv.get.bind(keyv),
    set: keyv.set.bind(keyv),
    setMany: keyv.setMany.bind(keyv),
  };
  const gates: Held[] = [];
  const probes: Array<(ok: boolean) => void> = [];
  const pending = new Set<Promise<unknown>>();
  const track = <T>(operation: Promise<T>): Promise<T> => {
    pending.add(operation);
    const done = () => pending.delete(operation);
    operation.then(done, done);
    return operation;
  };
  // Waits at a gate for `key` (the first unused one that takes `value`), or throws when it
  // refuses or fails.
  const pass = async (key: string, value: unknown): Promise<void> => {
    const gate = gates.find(
      (candidate) =>
        candidate.key === key && candidate.release === null && candidate.accepts(value),
    );
    if (gate !== undefined) {
      if (gate.mode === 'refuse') {
        gate.release = () => undefined;
        throw new StoreRefusal(key);
      }
      await new Promise<void>((resolve) => {
        gate.release = resolve;
        if (gate.opened) resolve();
      });
    }
    if (store.failing?.(key) === true) throw new StoreRefusal(key);
  };
  const store: GatedStore = {
    keyv,
    failing: null,
    holdProbes: false,
    get waitingProbes() {
      return probes.length;
    },
    gateNext(key, mode, accepts = () => true) {
      const gate: Held = { key, mode, accepts, release: null, opened: false };
      gates.push(gate);
      return {
        open() {
          gate.opened = true;
          gate.release?.();
        },
      };
    },
    answerProbe(ok) {
      const next = probes.shift();
      if (next === undefined) throw new Error('no probe is waiting');
      next(ok);
    },
    close: async () => {
      for (const gate of gates) {
        gate.opened = true;
        gate.release?.();
      }
      for (const answer of probes.splice(0)) answer(true);
      await Promise.allSettled([...pending]);
      await opened.close();
    },
  };
  Object.assign(keyv, {
    get: (key: string) =>
      track(
        (async () => {
          if (store.holdProbes && key.endsWith('/health')) {
            const ok = await new Promise<boolean>((resolve) => probes.push(resolve));
            if (!ok) throw new StoreRefusal(key);
          }
          return (await real.get(key)) as unknown;
        })(),
      ),
    set: (key: string, value: unknown) =>
      track(
        (async () => {
          await pass(key, value);
          return real.set(key, value);
        })(),
      ),
    setMany: (entries: Array<{ key: string; value: unknown }>) =>
      track(
        (async () => {
          for (const entry of entries) await pass(entry.key, entry.value);
          return real.setMany(entries);
        })(),
      ),
  });
  return store;
}
