import { printSchema } from 'graphql';
import { loadConfig, DEFAULT_CONFIG_FILE } from '../config/load';
import { buildGateway } from '../app';
import { silentLogger } from '../observability/logger';

/** `switchyard print-schema`: the client-facing SDL on stdout. */
export async function printSchemaCommand(opts: { config?: string; client?: string }): Promise<number> {
  const config = await loadConfig(opts.config ?? DEFAULT_CONFIG_FILE);
  const gw = await buildGateway(config, { logger: silentLogger });
  try {
    const schema = opts.client ? gw.views.get(opts.client) : gw.schema;
    if (!schema) {
      process.stderr.write(`no client view "${opts.client}"; the config declares: ${[...gw.views.keys()].join(', ') || '(none)'}\n`);
      return 1;
    }
    process.stdout.write(printSchema(schema) + '\n');
  } finally {
    await gw.dispose();
  }
  return 0;
}
