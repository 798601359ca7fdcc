import { randomHex } from '../os/random-hex.js';

/** A new run id: time-ordered prefix plus 64 random bits, safe in env values and keys. */
export function createRunId(): string {
  return `r${Date.now().toString(36)}${randomHex(8)}`;
}
