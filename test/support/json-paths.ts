// Paths into plain JSON values, for property tests that damage a real record one spot at
// a time: every path of a value, and copies with one path removed or replaced.

export type JsonPath = ReadonlyArray<string | number>;

/** Every path under `value` (objects and arrays included, the root excluded). */
export function jsonPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (value === null || typeof value !== 'object') return [];
  const paths: JsonPath[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    paths.push(path, ...jsonPaths(child, path));
  }
  return paths;
}

/** A deep copy of `value` with the entry at `path` removed (an array keeps its length). */
export function withoutPath(value: unknown, path: JsonPath): unknown {
  return edit(value, path, (parent, key) => {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else Reflect.deleteProperty(parent, key);
  });
}

/** A deep copy of `value` with the entry at `path` replaced by `replacement`. */
export function withPath(value: unknown, path: JsonPath, replacement: unknown): unknown {
  return edit(value, path, (parent, key) => {
    (parent as Record<string | number, unknown>)[key] = replacement;
  });
}

function edit(
  value: unknown,
  path: JsonPath,
  change: (parent: object, key: string | number) => void,
): unknown {
  const copy = structuredClone(value);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path.at(-1);
  if (last !== undefined && parent !== null && typeof parent === 'object') change(parent, last);
  return copy;
}
