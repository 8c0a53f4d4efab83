import { LiteAbort } from '../util/lite-abort';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../adapters/types';
import type { ServerOptions } from '../config/schema';
import { ERROR_CODES, type ErrorCode } from '../errors/codes';
import { GRAPHIQL_ASSETS_DIR, graphiqlPageHeaders, serveGraphiQLAsset } from './graphiql';

/** What the HTTP front needs from the gateway: a fetch-style handler and readiness. */
export interface HttpApp {
  /** graphql-yoga's fetch handler (or anything with the same shape). */
  fetch(request: Request, serverContext: { remoteAddress?: string }): Response | Promise<Response>;
  /**
   * The Request class to build requests with. yoga's own (the @whatwg-node ponyfill) avoids
   * Node's web streams, which cost about a quarter of the CPU of a small request.
   */
  Request?: typeof Request;
  /**
   * Answers the common case (POST JSON query) without yoga's HTTP layer, or returns undefined to
   * let yoga handle the request. See src/server/fast-path.ts.
   */
  fastPath?: (req: IncomingMessage, body: Buffer, abort: LiteAbort) => Promise<{ status: number; contentType: string; body: string; headers?: Record<string, string> } | undefined>;
  /** True when the schema is built and every source is configured. */
  isReady(): boolean;
}

export interface HttpFront {
  server: Server;
  /** Stops accepting, lets in-flight requests finish (up to shutdownTimeoutMs), then closes sockets. */
  shutdown(): Promise<void>;
  /** Requests currently being handled. */
  inFlight(): number;
}

/**
 * A thin node:http front: routes /healthz and /readyz, enforces the body limit while reading
 * (chunked bodies too), turns the request into a fetch Request for yoga and streams the answer
 * back. Aborts the request's signal when the client goes away.
 */
export function createHttpFront(app: HttpApp, options: ServerOptions, logger: Logger): HttpFront {
  let shuttingDown = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const graphqlPath = options.graphqlPath;
  const RequestClass = app.Request ?? Request;

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const ready = !shuttingDown && app.isReady();
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : shuttingDown ? 'shutting-down' : 'not-ready' });
    }
    if (pathname !== graphqlPath && !pathname.startsWith(graphqlPath + '/')) return sendError(res, 'NOT_FOUND');
    // GraphiQL's JS/CSS/workers, from the gateway itself (at <graphqlPath>[/<client>]/_graphiql/...).
    if (options.graphiql.enabled && pathname.includes(`/${GRAPHIQL_ASSETS_DIR}/`)) {
      serveGraphiQLAsset(req, res, pathname).catch((e) => {
        logger.error('GraphiQL asset failed', { url, error: String((e as Error)?.stack ?? e) });
        if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      });
      return;
    }
    if (shuttingDown) {
      res.setHeader('connection', 'close');
      return sendError(res, 'SHUTTING_DOWN');
    }
    inFlight++;
    handle(req, res)
      .catch((e) => {
        if ((e as Error)?.name === 'AbortError' || res.destroyed) {
          // The client went away mid-request (the upstream calls were aborted with it): not an error.
          logger.debug('client closed the connection before the answer', { url: req.url });
          res.destroy();
          return;
        }
        logger.error('request failed', { error: String((e as Error)?.stack ?? e) });
        if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0 && drained) drained();
      });
  });
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      const declared = Number(req.headers['content-length']);
      if (declared > options.bodyLimitBytes) {
        res.setHeader('connection', 'close');
        sendError(res, 'REQUEST_TOO_LARGE');
        req.resume();
        return;
      }
      const read = await readBody(req, options.bodyLimitBytes);
      if (read === TOO_LARGE) {
        res.setHeader('connection', 'close');
        sendError(res, 'REQUEST_TOO_LARGE');
        return;
      }
      if (read === ABORTED) return;
      body = read;
    }
    // Aborted when the client leaves before the answer. Not an AbortController: one per request
    // showed as ~4% of a small request's CPU; a real AbortSignal is made from it only when needed
    // (yoga's Request below, or a resolver reading ctx.signal).
    const abort = new LiteAbort();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    if (body && app.fastPath && req.url === graphqlPath) {
      const answer = await app.fastPath(req, body, abort);
      if (answer) {
        // One object into writeHead (setHeader first would send every header through node's slower path).
        const head = { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) };
        res.writeHead(answer.status, answer.headers ? Object.assign(head, answer.headers) : head);
        res.end(answer.body);
        return;
      }
    }
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const request = new RequestClass(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method,
      headers,
      body: body && body.length ? (body as unknown as BodyInit) : undefined,
      signal: abort.toAbortSignal(),
    });
    const response = await app.fetch(request, { remoteAddress: req.socket.remoteAddress });
    res.statusCode = response.status;
    response.headers.forEach((value, key) => res.setHeader(key, value));
    if (method === 'GET' && response.headers.get('content-type')?.startsWith('text/html')) {
      // The GraphiQL page: strict CSP (everything from this origin), no framing.
      for (const [k, v] of Object.entries(graphiqlPageHeaders())) res.setHeader(k, v);
      res.setHeader('content-type', 'text/html; charset=utf-8');
    }
    if (!response.body) {
      res.end();
      return;
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.includes('event-stream') && !contentType.includes('multipart')) {
      const buf = Buffer.from(await response.arrayBuffer());
      res.setHeader('content-length', buf.length);
      res.end(buf);
      return;
    }
    // Streaming answers (SSE subscriptions): forward chunks as they come; stop when the client leaves.
    res.flushHeaders();
    const reader = response.body.getReader();
    abort.addEventListener('abort', () => void reader.cancel().catch(() => undefined));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break; // the client left: stop reading (the reader is cancelled by the abort)
      if (!res.write(value)) {
        // Wait for the socket to drain — or to close, which a slow or departed client does instead.
        await new Promise<void>((r) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            r();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
    }
    res.end();
  }

  return {
    server,
    inFlight: () => inFlight,
    async shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((r) => (drained = r)),
          new Promise<void>((r) => setTimeout(r, options.shutdownTimeoutMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

const TOO_LARGE = Symbol('too-large');
const ABORTED = Symbol('aborted');

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE | typeof ABORTED> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.pause();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      }
    });
    req.on('error', () => {
      if (!done) {
        done = true;
        resolve(ABORTED);
      }
    });
    req.on('aborted', () => {
      if (!done) {
        done = true;
        resolve(ABORTED);
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

/** Request-level errors in GraphQL-over-HTTP shape: `{ errors: [...] }`, no `data`. */
export function sendError(res: ServerResponse, code: ErrorCode, message?: string): void {
  const info = ERROR_CODES[code];
  sendJson(res, info.httpStatus, { errors: [{ message: message ?? info.message, extensions: { code } }] });
}
