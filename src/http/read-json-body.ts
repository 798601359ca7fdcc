// Reads a request body as JSON, bounded, with a clear 400 for anything else.
import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** The parsed body; `{}` when empty. Throws ApiError(400/413) for bad or huge bodies. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(
        413,
        'E_BODY_TOO_LARGE',
        `request bodies are limited to ${MAX_BODY_BYTES} bytes`,
      );
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(
      400,
      'E_BAD_JSON',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
