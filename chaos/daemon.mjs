// The daemon under test: the built `runwarden` binary on a temporary home, driven through
// its control socket exactly as the CLI does (HTTP/JSON on `<home>/default.sock`).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
// Generous: on a shared two-core machine a Node start can take tens of seconds under load.
const BOOT_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

/**
 * Launches `runwarden daemon`, its log (stderr) appended to `logPath`. `ready` resolves
 * once it listens, with its boot reconcile report (and rejects if it exits first).
 */
export function launchDaemon(home, args, env, logPath) {
  const log = openSync(logPath, 'a');
  let child;
  try {
    child = spawn(process.execPath, [BIN, '--home', home, 'daemon', ...args], {
      stdio: ['ignore', 'pipe', log],
      env,
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const tail = () => readFileSync(logPath, 'utf8').slice(-4000);
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the daemon did not listen within ${BOOT_TIMEOUT_MS} ms: ${tail()}`));
    }, BOOT_TIMEOUT_MS);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('reconcile: ')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice('reconcile: '.length)));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code ?? signal}) before listening: ${tail()}`));
    });
  });
  return { child, exited, ready };
}

/** Launches the daemon and resolves once it listens: `{ child, exited, report }`. */
export async function startDaemon(home, args, env, logPath) {
  const daemon = launchDaemon(home, args, env, logPath);
  return { ...daemon, report: await daemon.ready };
}

/** SIGKILLs the daemon (our own child, not yet reaped: its pid is still ours) and waits. */
export async function killDaemon(daemon) {
  if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
    daemon.child.kill('SIGKILL');
  }
  await daemon.exited;
}

/** SIGTERM (graceful shutdown, kill policy); resolves the exit code, or 'hung'. */
export async function stopDaemon(daemon) {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
    return daemon.child.exitCode;
  }
  daemon.child.kill('SIGTERM');
  let timer;
  const hung = new Promise(
    (resolve) => (timer = setTimeout(() => resolve('hung'), STOP_TIMEOUT_MS)),
  );
  const code = await Promise.race([daemon.exited, hung]);
  clearTimeout(timer);
  if (code === 'hung') await killDaemon(daemon);
  return code;
}

/**
 * One control API call. Resolves `{ status, body }` for any HTTP answer, or
 * `{ status: 0, error }` when the daemon could not be reached (it may have been killed).
 */
export function callDaemon(home, method, path, body, timeoutMs = 30_000) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath: join(home, 'default.sock'),
        method,
        path,
        timeout: timeoutMs,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', (error) => resolve({ status: 0, error }));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: parseBody(text) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: 0, error }));
    req.end(payload);
  });
}

function parseBody(text) {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return { unparsable: text };
  }
}
