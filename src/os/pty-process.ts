// The only module that imports node-pty.
import * as nodePty from 'node-pty';
import type { LaunchSpec, ProcessExit, ProcessHandle } from './process-handle.js';
import { signalName } from './process-handle.js';
import { abandonSlaveHold, holdSlave, prepareSlaveHold } from './pty-slave-hold.js';

/**
 * Starts `spec` on a new pseudo-terminal. The child is a session and process-group leader
 * with the PTY as its controlling terminal (node-pty calls setsid() in the child).
 */
export function launchPty(spec: LaunchSpec): ProcessHandle {
  // encoding: null makes node-pty hand us Buffers, so offsets count real bytes.
  const options: nodePty.IPtyForkOptions = {
    name: 'xterm-256color',
    cols: spec.cols,
    rows: spec.rows,
    cwd: spec.cwd,
    env: { ...spec.env },
    encoding: null,
  };
  prepareSlaveHold();
  let pty: nodePty.IPty;
  try {
    pty = nodePty.spawn(spec.file, [...spec.args], options);
  } catch (error) {
    abandonSlaveHold();
    throw error;
  }
  // `ptsName` is a getter of node-pty's UnixTerminal that its typings do not declare.
  const ptsName = (pty as unknown as { ptsName?: string }).ptsName;
  const slave = holdSlave(pty.pid, ptsName);
  let exited = false;
  let dataListener: ((data: Buffer) => void) | null = null;
  return {
    pid: pty.pid,
    onData(listener) {
      dataListener = listener;
      // With encoding null node-pty emits Buffers; its typings still say string.
      pty.onData((data: string | Buffer) => {
        const out = slave.filter(typeof data === 'string' ? Buffer.from(data) : data);
        if (out.length > 0) listener(out);
      });
    },
    onExit(listener: (exit: ProcessExit) => void) {
      // node-pty emits exit only after the master's read side closed (bounded by its own
      // timeout), so no output arrives after this.
      pty.onExit(({ exitCode, signal }) => {
        exited = true;
        slave.release();
        const held = slave.flush();
        if (held.length > 0) dataListener?.(held);
        const name = signalName(signal);
        listener({ exitCode: name === null ? exitCode : null, signal: name });
      });
    },
    write(data) {
      // Bytes pass as bytes: decoding them as UTF-8 would corrupt binary input.
      pty.write(typeof data === 'string' ? data : Buffer.from(data));
    },
    resize(cols, rows) {
      if (!exited) pty.resize(cols, rows);
    },
    detach() {
      // node-pty exposes no unref: its master socket is a tty.ReadStream we can unref.
      (pty as unknown as { _socket?: { unref?: () => void } })._socket?.unref?.();
      slave.release();
    },
    dispose() {
      slave.release();
      // Nothing to do: node-pty closes the master when the child exits. Its destroy() and
      // kill() signal the bare pid (SIGHUP) without any identity check, so we never call them.
    },
  };
}
