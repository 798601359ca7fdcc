// A host-wide mutex per (store, supervisor name): a Unix socket bound in Linux's abstract
// namespace. Binding is atomic, and the kernel frees the name the moment its process dies,
// so a crashed owner never leaves a stale lock. It closes the window the store lease
// alone leaves open (Keyv has no compare-and-set). Other systems rely on the lease only.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';

/** A held lock; `release()` frees it. */
export interface HostLock {
  /** True where the lock really excludes (Linux); elsewhere only the store lease does. */
  readonly exclusive: boolean;
  release(): Promise<void>;
}

/** Takes the lock for `key`; resolves `null` when another live process holds it. */
export async function takeHostLock(key: string): Promise<HostLock | null> {
  if (process.platform !== 'linux') return { exclusive: false, release: () => Promise.resolve() };
  const name = `\0runwarden-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
  const server = createServer();
  server.unref(); // the lock must not keep its process alive
  const taken = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    server.listen(name, () => {
      resolve(true);
    });
  });
  if (!taken) return null;
  return {
    exclusive: true,
    release: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
