import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths';
import { loadConfig } from '../src/config/load';
import { startGateway, withOverrides } from '../src/cli/serve';
import { startUsersService, type DemoBackend } from './backends/users-rest';
import { startOrdersService } from './backends/orders-grpc';
import { startInventoryService } from './backends/inventory-soap';
import { StartupError } from '../src/errors/gateway-error';
import type { AddressInfo } from 'node:net';
import { buildGateway, type Gateway } from '../src/app';
import type { SwitchyardConfig } from '../src/config/schema';

async function startBackend<B extends DemoBackend>(name: string, envVar: string, dflt: number, start: (port: number) => Promise<B>): Promise<B> {
  const port = Number(process.env[envVar] ?? dflt);
  try {
    return await start(port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StartupError([
      {
        code: 'CONFIG_INVALID',
        key: envVar,
        message: code === 'EADDRINUSE' ? `the demo ${name} service cannot listen: port ${port} is in use` : `the demo ${name} service did not start: ${(e as Error).message}`,
        fix: `stop whatever uses port ${port}, or start the demo with ${envVar}=<free port>`,
      },
    ]);
  }
}

/** Ports of the demo backends (the bench rig uses 4001-4003, so the demo stays out of its way). */
export const DEMO_PORTS = { users: 4011, orders: 4012, inventory: 4013 } as const;

/**
 * `npm start`: the bundled demo backends plus the gateway on http://localhost:4000/graphql,
 * configured by ./switchyard.config.ts.
 */
export async function demoCommand(opts: { port?: string }): Promise<number> {
  const users = await startBackend('users', 'DEMO_USERS_PORT', DEMO_PORTS.users, startUsersService);
  const orders = await startBackend('orders', 'DEMO_ORDERS_PORT', DEMO_PORTS.orders, startOrdersService);
  const inventory = await startBackend('inventory', 'DEMO_INVENTORY_PORT', DEMO_PORTS.inventory, startInventoryService);
  process.env.USERS_URL ??= users.url;
  process.env.ORDERS_ADDR ??= orders.url;
  process.env.INVENTORY_URL ??= inventory.url;
  const config = withOverrides(await loadConfig(resolve(PACKAGE_ROOT, 'switchyard.config.ts')), { port: opts.port });
  const running = await startGateway(config, async () => {
    await Promise.all([users.close(), orders.close(), inventory.close()]);
  });
  process.stdout.write(
    `\nSwitchyard demo is up.\n  GraphiQL:  ${running.url}\n  backends:  users (REST) ${users.url}, orders (gRPC) ${orders.url}, inventory (SOAP) ${inventory.url}\n  Ctrl-C to stop.\n\n`,
  );
  return running.stopped;
}

export interface RunningDemo {
  /** The gateway's GraphQL URL, e.g. http://127.0.0.1:38211/graphql. */
  url: string;
  gateway: Gateway;
  config: SwitchyardConfig;
  backends: { users: DemoBackend; orders: DemoBackend; inventory: DemoBackend };
  /** Stops the gateway, then the backends. */
  close(): Promise<void>;
}

/**
 * The whole demo in-process (tests, the GraphiQL browser test): the demo backends and the gateway
 * configured by ./switchyard.config.ts, each on the port given or an ephemeral one (0, the
 * default). Reads the backend URLs into the config without touching process.env; installs no
 * signal handlers.
 */
export async function startDemo(
  opts: {
    port?: number;
    host?: string;
    backendPorts?: Partial<Record<keyof typeof DEMO_PORTS, number>>;
    /** Adjusts the loaded demo config before the gateway is built. */
    configure?: (config: SwitchyardConfig) => SwitchyardConfig;
  } = {},
): Promise<RunningDemo> {
  const host = opts.host ?? '127.0.0.1';
  const started: DemoBackend[] = [];
  try {
    const users = await startUsersService(opts.backendPorts?.users ?? 0, host).then((b) => (started.push(b), b));
    const orders = await startOrdersService(opts.backendPorts?.orders ?? 0, host).then((b) => (started.push(b), b));
    const inventory = await startInventoryService(opts.backendPorts?.inventory ?? 0, host).then((b) => (started.push(b), b));
    const env = { ...process.env, USERS_URL: users.url, ORDERS_ADDR: orders.url, INVENTORY_URL: inventory.url };
    const loaded = await loadConfig(resolve(PACKAGE_ROOT, 'switchyard.config.ts'), env);
    const withPort: SwitchyardConfig = { ...loaded, server: { ...loaded.server, host, port: opts.port ?? 0 } };
    const config = opts.configure ? opts.configure(withPort) : withPort;
    const gateway = await buildGateway(config);
    try {
      await new Promise<void>((ok, fail) => {
        gateway.server.once('error', fail);
        gateway.server.listen(config.server.port, host, () => ok());
      });
    } catch (e) {
      await gateway.dispose();
      throw e;
    }
    const { port } = gateway.server.address() as AddressInfo;
    return {
      url: `http://${host}:${port}${config.server.graphqlPath}`,
      gateway,
      config,
      backends: { users, orders, inventory },
      async close() {
        await gateway.dispose();
        await Promise.all(started.map((b) => b.close()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((b) => b.close().catch(() => undefined)));
    throw e;
  }
}
