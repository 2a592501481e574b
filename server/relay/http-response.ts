import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { httpStatusFor, toWire, type ErrorCode } from '../../lib/domain/index';

/** The one error body every route uses: MLflow's `{ error_code, message }` (+ `details`). */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  opts: { details?: Record<string, unknown>; status?: number } = {},
): void {
  const body: Record<string, unknown> = { error_code: code, message };
  if (opts.details) body.details = opts.details;
  sendJson(res, opts.status ?? httpStatusFor(code), body);
}

/** Any throw → the error shape; unknown throws are bugs and become INTERNAL_ERROR. */
export function sendThrown(res: ServerResponse, err: unknown): void {
  const w = toWire(err);
  sendError(res, w.code, w.message, w.details ? { details: w.details } : {});
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** A complete HTTP error response written on a raw socket, for refusing a WebSocket upgrade. */
export function rawHttpError(status: number, reason: string, code: ErrorCode, message: string): string {
  const body = JSON.stringify({ error_code: code, message });
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Streams `stream` into `res`; resolves when either side ends. A read error aborts the response (its length is
 * already promised), a client that goes away stops the read. */
export function pipeToResponse(stream: Readable, res: ServerResponse): Promise<void> {
  return new Promise<void>((done) => {
    stream.on('error', () => {
      res.destroy();
      done();
    });
    res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(res);
  });
}
