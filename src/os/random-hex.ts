// Random hex from a pooled CSPRNG buffer: one getrandom(2) per 512 draws of 8 bytes instead of
// one per draw (node's own `randomUUID` pools the same way). Every run takes two: its id and
// its PTY drain marker, drawn right after the fork, where a profile of sequential PTY runs
// on this VM charged up to 1.5 ms per run to `randomBytes` while the child was starting.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** `bytes` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  if (bytes > POOL_BYTES) return randomFillSync(Buffer.alloc(bytes)).toString('hex');
  if (used + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}
