// `logs --follow`: reads the daemon's NDJSON output stream until the run's exit line.
import { createInterface } from 'node:readline';
import { CliError } from './cli-error.js';
import type { ControlClient } from './control-client.js';

export async function followLogs(
  client: ControlClient,
  path: string,
  write: (chunk: Buffer) => void,
): Promise<void> {
  const response = await client.open('GET', path);
  if ((response.statusCode ?? 500) >= 400) {
    const text = await new Promise<string>((resolve) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        resolve(body);
      });
    });
    const error = (JSON.parse(text) as { error?: { message?: string } }).error;
    throw new CliError(error?.message ?? `HTTP ${response.statusCode ?? 0}`, 1);
  }
  for await (const line of createInterface({ input: response })) {
    if (line === '') continue;
    const message = JSON.parse(line) as {
      type: string;
      data?: string;
      exit?: { reason: string } | null;
    };
    if (message.type === 'output' && message.data !== undefined)
      write(Buffer.from(message.data, 'base64'));
    if (message.type === 'exit')
      process.stderr.write(`run ended: ${message.exit?.reason ?? 'unknown'}\n`);
  }
}
