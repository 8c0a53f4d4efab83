import { resolve } from 'node:path';
import { loadConfig } from '../src/config/load';
import { startGateway, withOverrides } from '../src/cli/serve';
import { startUsersService } from './backends/users-rest';

/** Ports of the demo backends (the bench rig uses 4001-4003, so the demo stays out of its way). */
export const DEMO_PORTS = { users: 4011 } as const;

/**
 * `npm start`: the bundled demo backends plus the gateway on http://localhost:4000/graphql,
 * configured by ./switchyard.config.ts.
 */
export async function demoCommand(opts: { port?: string }): Promise<number> {
  const users = await startUsersService(Number(process.env.DEMO_USERS_PORT ?? DEMO_PORTS.users));
  process.env.USERS_URL ??= users.url;
  const config = withOverrides(await loadConfig(resolve(import.meta.dirname, '../switchyard.config.ts')), { port: opts.port });
  const running = await startGateway(config, async () => {
    await users.close();
  });
  process.stdout.write(
    `\nSwitchyard demo is up.\n  GraphiQL:  ${running.url}\n  backends:  users (REST) ${users.url}\n  Ctrl-C to stop.\n\n`,
  );
  return running.stopped;
}
