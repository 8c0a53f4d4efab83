import { createServer } from 'node:net';

/** A loopback port nothing listens on (bound once, then released): for "upstream down" cases and servers we start ourselves. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
