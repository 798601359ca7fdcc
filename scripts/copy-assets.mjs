// Part of `npm run build`: tsc compiles only TypeScript, so the dashboard's static page
// (plain HTML, CSS and JavaScript, no bundler) is copied next to the compiled server.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
cpSync(`${root}src/dashboard/assets`, `${root}dist/dashboard/assets`, { recursive: true });
