import type { IncomingMessage } from 'node:http';
import { RotoError } from '@roto/shared';

/**
 * Reads a JSON request body of up to `limitBytes`. The sessions API reads its own bodies because a
 * base64 image is far larger than the app-wide JSON limit meant for commands and settings.
 * Errors: PAYLOAD_TOO_LARGE (declared or counted), INVALID_INPUT (not UTF-8, not JSON, empty).
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const tooLarge = () =>
    new RotoError(
      'PAYLOAD_TOO_LARGE',
      `The JSON body is larger than ${limitBytes.toLocaleString('en')} bytes (a base64 image counts 4 bytes per 3).`,
      { limitBytes },
    );
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limitBytes) {
    req.resume(); // drain, so the client reads the answer instead of a reset
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  if (size === 0)
    throw new RotoError('INVALID_INPUT', 'The request body is empty: send { "image": … } or { "url": … }.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw new RotoError('INVALID_INPUT', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RotoError('INVALID_INPUT', `The request body is not valid JSON: ${(err as Error).message}`);
  }
}
