import type { Readable } from 'node:stream';

/** The stream had more than `max` bytes; it has been destroyed. */
export class TooLarge extends Error {
  constructor(
    readonly max: number,
    /** The answer's declared content-length, when that alone was over `max` (nothing was read). */
    readonly declared?: number,
    /** The answer's HTTP status, when known. */
    readonly status?: number,
  ) {
    super(`more than ${max} bytes`);
    this.name = 'TooLarge';
  }
}

/**
 * Reads a whole response body into one Buffer, refusing (and destroying the stream) past `max`
 * bytes. Listens to 'data'/'end' rather than `for await`: the async iterator of a node stream
 * costs an object, a promise and an eos watcher per chunk, which showed in the hot path.
 */
export function readAll(body: Readable, max: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        body.on('error', () => undefined); // destroy may emit one more
        body.destroy();
        reject(new TooLarge(max));
        return;
      }
      if (first === null) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    // Destroyed without 'end' or 'error' (the request was aborted): never leave the caller hanging.
    const onClose = () => {
      cleanup();
      const err = (body as Readable & { errored?: Error | null }).errored;
      reject(err ?? new Error('the stream closed before its end'));
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}
