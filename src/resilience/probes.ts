import { connect } from 'node:net';

/**
 * Reachability check for protocols without a health endpoint (SOAP): a TCP connection to the
 * instance's host:port opens. Resolves when connected, rejects on error or abort.
 */
export function tcpReachable(target: string, signal: AbortSignal): Promise<void> {
  const u = new URL(target.includes('://') ? target : `tcp://${target}`);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = connect({ host, port });
    const done = (err?: unknown) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (e) => done(e));
  });
}
