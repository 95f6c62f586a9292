import { AgentOsError } from '../../core/errors/agent-os-error.ts';

const tooLarge = (limit: number) =>
  new AgentOsError('request.too_large', `The payload is over ${Math.round(limit / 1024)} KB`, {
    limitBytes: limit,
  });

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over it is refused before a byte
 * is read; a chunked (or understated) body is read chunk by chunk and refused as soon as it passes the limit,
 * so an unauthenticated sender can never make the server hold more than `limit` (plus one chunk).
 */
export async function readLimitedBody(request: Request, limit: number): Promise<Buffer> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
  if (request.body === null) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Stop pulling: what the sender still has in flight is discarded by the HTTP layer, never buffered here.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
