/**
 * What the HTTP services share: reading a JSON body with a size limit, JSON replies, errors in
 * OpenAI's shape ({ error: { message, type, param, code } }), and listening on a port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error that becomes an HTTP reply with this status (anything else is a 500). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  404: 'invalid_request_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  500: 'server_error',
  503: 'server_error',
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends `err` as OpenAI's error object; unexpected errors are 500 with their message. */
export function sendError(res: http.ServerResponse, err: unknown): void {
  const e =
    err instanceof HttpError
      ? err
      : new HttpError(500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, {
    error: {
      message: e.message,
      type: ERROR_TYPES[e.status] ?? 'invalid_request_error',
      param: e.param,
      code: e.code,
    },
  });
}

/** Reads and parses a JSON object body; 400 on bad JSON or a non-object, 413 past `limit` bytes. */
export async function readJsonBody(
  req: http.IncomingMessage,
  limit = 8 << 20,
): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** Routes by "METHOD /path"; unknown paths are 404, known paths with another method 405. */
export function router(routes: Record<string, Route>): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const route = routes[`${req.method} ${path}`];
    if (!route) {
      const known = Object.keys(routes).some((k) => k.endsWith(` ${path}`));
      sendError(
        res,
        known
          ? new HttpError(405, `${req.method} is not allowed on ${path}`)
          : new HttpError(404, `no such endpoint: ${req.method} ${path}`, null, 'not_found'),
      );
      req.resume();
      return;
    }
    route(req, res).catch((err: unknown) => sendError(res, err));
  };
}

export interface Listening {
  server: http.Server;
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port). */
export async function listen(handler: http.RequestListener, port: number, host: string): Promise<Listening> {
  const server = http.createServer(handler);
  // Clients keep connections alive between requests; closing an idle one as a client reuses it
  // resets that request (Node's default is 5 s), so idle connections are kept for a minute.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
