import { join } from 'node:path';

/** The control socket of supervisor `name` in `home`. */
export function socketPathFor(home: string, name: string): string {
  return join(home, `${name}.sock`);
}
