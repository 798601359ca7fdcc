// The name this machine had when the process started. Read once: `os.hostname()` is a
// uname(2) call, and identity checks run before every signal (it was 155 ms of a boot over
// 500 orphans on this VM). A host renamed while a supervisor runs keeps its old name in
// that supervisor's records and checks, which stay consistent with each other.
import { hostname } from 'node:os';

let name: string | undefined;

/** This machine's hostname, as read when first asked. */
export function thisHostname(): string {
  name ??= hostname();
  return name;
}
