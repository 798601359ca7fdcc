// The dashboard page: plain HTML, CSS and an ES module, no bundler. They sit next to this
// file in src/ and are copied to dist/ by `npm run build` (scripts/copy-assets.mjs).
import { readFileSync } from 'node:fs';

const TYPES = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'tree-view.js': 'text/javascript; charset=utf-8',
  'run-text.js': 'text/javascript; charset=utf-8',
  'group-text.js': 'text/javascript; charset=utf-8',
  'reconcile-view.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'tree-view.css': 'text/css; charset=utf-8',
} as const;

/** An asset by file name; only the files above exist (no path is ever joined). */
export function readAsset(name: string): { body: Buffer; type: string } | undefined {
  if (!Object.hasOwn(TYPES, name)) return undefined;
  const type = TYPES[name as keyof typeof TYPES];
  return { body: readFileSync(new URL(`./assets/${name}`, import.meta.url)), type };
}
