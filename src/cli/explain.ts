import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { loadConfig, DEFAULT_CONFIG_FILE } from '../config/load';
import { buildGateway } from '../app';
import { silentLogger } from '../observability/logger';
import { explainQuery, formatPlan } from '../stitching/explain';
import { StartupError } from '../errors/gateway-error';

/** `switchyard explain <query.graphql>`: the upstream calls a query will make, per source and level. */
export async function explainCommand(file: string | undefined, opts: { config?: string; operation?: string }): Promise<number> {
  if (!file) throw new StartupError([{ code: 'CONFIG_INVALID', key: 'explain', message: 'usage: switchyard explain <query.graphql>', fix: 'pass the file holding the query' }]);
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  const config = await loadConfig(opts.config ?? DEFAULT_CONFIG_FILE);
  const gw = await buildGateway(config, { logger: silentLogger });
  try {
    let doc;
    try {
      doc = parse(text);
    } catch (e) {
      process.stderr.write(`${file}: ${(e as Error).message}\n`);
      return 1;
    }
    const errors = validate(gw.schema, doc);
    if (errors.length) {
      process.stderr.write(errors.map((e) => `${file}: ${e.message}`).join('\n') + '\n');
      return 1;
    }
    process.stdout.write(formatPlan(explainQuery(gw.schema, doc, gw.links, gw.sources, opts.operation)));
    return 0;
  } finally {
    await gw.dispose();
  }
}
