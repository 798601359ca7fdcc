// The "agent gateway" of the demo: a supervisor that starts a background coding agent in a
// PTY. The agent ignores SIGHUP and starts two MCP-style helpers, one of them in its own
// session, as the agents in the original report did. Then it waits, until it is killed.
import { createSupervisor } from '../dist/index.js';

const home = process.argv[2];
const sup = await createSupervisor({ home });
const run = await sup.spawn({
  mode: 'pty',
  command: 'bash',
  args: ['-c', "trap '' HUP; (sleep 300 &); (setsid sleep 301 &); echo agent ready; sleep 302"],
  sessionId: 'chat-42',
  killGraceMs: 1000,
});
await new Promise((resolve) => setTimeout(resolve, 300)); // let the helpers start
process.stdout.write(`${JSON.stringify({ runId: run.id, pid: run.pid })}\n`);
setInterval(() => undefined, 1 << 30);
