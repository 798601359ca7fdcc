/** A promise with its resolve function, for one-shot signals between effects. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly settled: () => boolean;
}

/** Creates a Deferred. */
export function createDeferred<T>(): Deferred<T> {
  let resolveFn: (value: T) => void = () => undefined;
  let done = false;
  const promise = new Promise<T>((resolve) => {
    resolveFn = resolve;
  });
  return {
    promise,
    resolve: (value) => {
      if (done) return;
      done = true;
      resolveFn(value);
    },
    settled: () => done,
  };
}
