import { getHeapStatistics } from 'node:v8';
import { loadConfig, DEFAULT_CONFIG_FILE } from '../config/load';
import { buildGateway, type Gateway } from '../app';
import { createLogger } from '../observability/logger';
import { StartupError } from '../errors/gateway-error';
import type { SwitchyardConfig } from '../config/schema';

/**
 * `switchyard serve`: the one place that listens on a port and handles SIGTERM/SIGINT.
 * Resolves with the exit code once the gateway has stopped.
 */
export async function serveCommand(opts: { config?: string; port?: string; host?: string }): Promise<number> {
  const config = await loadConfig(opts.config ?? DEFAULT_CONFIG_FILE);
  const running = await startGateway(withOverrides(config, opts));
  return running.stopped;
}

export function withOverrides(config: SwitchyardConfig, opts: { port?: string; host?: string }): SwitchyardConfig {
  if (opts.port === undefined && opts.host === undefined) return config;
  const port = opts.port === undefined ? config.server.port : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartupError([{ code: 'CONFIG_INVALID', key: '--port', message: `"${opts.port}" is not a port number`, fix: 'pass --port with a number between 0 and 65535' }]);
  }
  return { ...config, server: { ...config.server, port, host: opts.host ?? config.server.host } };
}

/** Signals closer together than this are one signal delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  /** Resolves with the exit code after a signal-triggered graceful stop. */
  stopped: Promise<number>;
}

export async function startGateway(config: SwitchyardConfig, onStop?: () => Promise<void>): Promise<RunningGateway> {
  const logger = createLogger(config.logLevel);
  const gateway = await buildGateway(config, { logger });
  await new Promise<void>((resolve, reject) => {
    gateway.server.once('error', reject);
    gateway.server.listen(config.server.port, config.server.host, () => {
      gateway.server.off('error', reject);
      resolve();
    });
  }).catch(async (e: NodeJS.ErrnoException) => {
    await gateway.dispose();
    throw new StartupError([
      {
        code: 'CONFIG_INVALID',
        key: 'server.port',
        message: e.code === 'EADDRINUSE' ? `port ${config.server.port} on ${config.server.host} is already in use` : `cannot listen: ${e.message}`,
        fix: 'stop the other process or pass --port <free port>',
      },
    ]);
  });
  const addr = gateway.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const url = `http://${['0.0.0.0', '127.0.0.1', '::', '::1'].includes(config.server.host) ? 'localhost' : config.server.host}:${port}${config.server.graphqlPath}`;
  // The heap limit in effect (old generation plus young), as the launcher set it (bin/switchyard.mjs).
  const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  logger.info('switchyard listening', { url, sources: gateway.sources.map((s) => s.sourceName), heapLimitMb });

  const stopped = new Promise<number>((resolve) => {
    let stoppingSince = 0;
    const stop = (signal: NodeJS.Signals) => {
      if (stoppingSince) {
        // The same signal twice at once: a terminal's Ctrl-C reaches both `npm start` and the
        // gateway, and npm passes its copy on. A later one is the user insisting: leave at once.
        if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
        logger.warn('second signal: exiting without waiting for in-flight requests', { signal, inFlight: gateway.http.inFlight() });
        process.exit(1);
      }
      stoppingSince = Date.now();
      logger.info('shutting down', { signal, inFlight: gateway.http.inFlight() });
      gateway
        .dispose()
        .then(() => onStop?.())
        .then(
          () => {
            logger.info('stopped');
            resolve(0);
          },
          (e) => {
            logger.error('shutdown failed', { error: String(e) });
            resolve(1);
          },
        );
    };
    // The handlers stay after the stop: a copy of the signal may still arrive while the process exits.
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return { gateway, url, stopped };
}
