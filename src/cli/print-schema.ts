import { printSchema } from 'graphql';
import { loadConfig, DEFAULT_CONFIG_FILE } from '../config/load';
import { buildGateway } from '../app';
import { silentLogger } from '../observability/logger';

/** `switchyard print-schema`: the client-facing SDL on stdout. */
export async function printSchemaCommand(opts: { config?: string }): Promise<number> {
  const config = await loadConfig(opts.config ?? DEFAULT_CONFIG_FILE);
  const gw = await buildGateway(config, { logger: silentLogger });
  try {
    process.stdout.write(printSchema(gw.schema) + '\n');
  } finally {
    await gw.dispose();
  }
  return 0;
}
