import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { buildSchema, printSchema, type GraphQLSchema } from 'graphql';
import type { SwitchyardConfig } from '../config/schema';
import { breakingChanges } from '../clients/breaking';
import { loadConfig, DEFAULT_CONFIG_FILE } from '../config/load';
import { buildGateway, importSources } from '../app';
import { StartupError, formatProblem, type Problem } from '../errors/gateway-error';
import { silentLogger } from '../observability/logger';
import { generatedSdlPath, readGeneratedSdl } from './generated-file';

/**
 * `switchyard check`: loads the config, imports every source, builds the schema and compares
 * each source's committed SDL with what its contract produces now. Lists every problem; exit 1.
 */
export async function checkCommand(opts: { config?: string }): Promise<number> {
  const problems: Problem[] = [];
  let config;
  try {
    config = await loadConfig(opts.config ?? DEFAULT_CONFIG_FILE);
  } catch (e) {
    if (e instanceof StartupError) return report(e.problems);
    throw e;
  }
  let imported;
  try {
    imported = await importSources(config);
  } catch (e) {
    if (e instanceof StartupError) return report(e.problems);
    throw e;
  }
  for (const src of imported) {
    const file = generatedSdlPath(config.baseDir, config.schemasDir, src.sourceName);
    const committed = readGeneratedSdl(file);
    const rel = relative(process.cwd(), file);
    if (committed === undefined) {
      problems.push({ code: 'SCHEMA_DRIFT', file: rel, message: `source "${src.sourceName}" has no committed SDL`, fix: `run \`switchyard import\` for it and commit ${rel}` });
    } else if (committed !== src.sdl.trim()) {
      problems.push({ code: 'SCHEMA_DRIFT', file: rel, message: `the SDL built from the contract of "${src.sourceName}" differs from the committed file (first difference at line ${firstDiffLine(committed, src.sdl.trim())})` });
    }
  }
  try {
    const gw = await buildGateway(config, { logger: silentLogger });
    problems.push(...checkViews(config, gw.schema, gw.views));
    await gw.dispose();
  } catch (e) {
    if (e instanceof StartupError) problems.push(...e.problems);
    else throw e;
  }
  if (problems.length) return report(problems);
  const ops = imported.reduce((n, s) => n + s.operations.length, 0);
  process.stdout.write(`ok: ${imported.length} source(s), ${ops} operation(s), schema builds, committed SDL is current\n`);
  return 0;
}

/**
 * Each view's client-facing SDL is committed in <schemasDir>/views/<view>.graphql (`default` for
 * /graphql). A change that breaks a committed field fails with the field and the reason; any
 * other difference fails as drift, so the file changes with the graph.
 */
function checkViews(config: SwitchyardConfig, base: GraphQLSchema, views: Map<string, GraphQLSchema>): Problem[] {
  const problems: Problem[] = [];
  // A project that has neither views nor a schemas/views folder has nothing committed to compare.
  if (!views.size && !existsSync(resolve(config.baseDir, config.schemasDir, 'views'))) return problems;
  for (const [name, schema] of [['default', base] as const, ...views]) {
    const file = resolve(config.baseDir, config.schemasDir, 'views', `${name}.graphql`);
    const rel = relative(process.cwd(), file);
    const fix = `review, then: switchyard print-schema${name === 'default' ? '' : ` --client ${name}`} > ${rel}`;
    if (!existsSync(file)) {
      problems.push({ code: 'SCHEMA_DRIFT', file: rel, message: `the ${name} view has no committed SDL`, fix });
      continue;
    }
    const text = readFileSync(file, 'utf8');
    let committed: GraphQLSchema;
    try {
      committed = buildSchema(text, { assumeValidSDL: true });
    } catch (e) {
      problems.push({ code: 'SCHEMA_DRIFT', file: rel, message: `does not parse: ${(e as Error).message}`, fix });
      continue;
    }
    const breaking = breakingChanges(committed, schema);
    for (const b of breaking) problems.push({ code: 'SCHEMA_BREAKING_CHANGE', file: rel, key: b.kind, message: `the ${name} view would break its clients: ${b.description}`, fix: `keep the field (or deprecate it first); if the break is intended, ${fix}` });
    if (!breaking.length && printSchema(schema).trim() !== printSchema(committed).trim()) {
      problems.push({ code: 'SCHEMA_DRIFT', file: rel, message: `the ${name} view changed (no breaking change) and the committed SDL was not updated`, fix });
    }
  }
  return problems;
}

function report(problems: Problem[]): number {
  process.stderr.write(`switchyard check: ${problems.length} problem(s):\n${problems.map((p) => formatProblem(p)).join('\n')}\n`);
  return 1;
}

function firstDiffLine(a: string, b: string): number {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return i + 1;
  return 0;
}
