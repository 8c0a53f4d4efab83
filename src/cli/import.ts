import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { sourceSchema, type SourceOptions } from '../config/schema';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load';
import { adapterFor } from '../adapters';
import { StartupError } from '../errors/gateway-error';
import { generatedSdlPath, renderGeneratedSdl } from './generated-file';

const KINDS = { openapi: 'rest', grpc: 'grpc', soap: 'soap' } as const;

/**
 * `switchyard import <openapi|grpc|soap> <spec> --name <source>`: writes the source's SDL to
 * schemas/<name>/generated.graphql (and keeps a copy of a local contract in schemas/<name>/upstream/).
 */
export async function importCommand(positionals: string[], opts: { name?: string; out?: string; include: string[]; config?: string }): Promise<number> {
  const [protocol, spec] = positionals;
  if (!protocol || !(protocol in KINDS) || !spec) {
    throw new StartupError([{ code: 'CONFIG_INVALID', key: 'import', message: 'usage: switchyard import <openapi|grpc|soap> <spec> --name <source>', fix: 'name the protocol and the spec file or URL' }]);
  }
  if (!opts.name) {
    throw new StartupError([{ code: 'CONFIG_INVALID', key: '--name', message: 'the source needs a name', fix: 'pass --name <source>, e.g. --name users' }]);
  }
  const kind = KINDS[protocol as keyof typeof KINDS];
  const specPath = /^https?:\/\//.test(spec) ? spec : resolve(spec);
  const raw =
    kind === 'rest'
      ? { kind, name: opts.name, spec: specPath }
      : kind === 'grpc'
        ? { kind, name: opts.name, protos: specPath, includeDirs: opts.include.map((d) => resolve(d)), address: '127.0.0.1:0' }
        : { kind, name: opts.name, wsdl: specPath };
  // A source of that name in the config brings its naming options (rename, typePrefix,
  // fieldNames...), so the file written here is exactly what `check` compares against.
  const configured = await configuredSource(opts.name, kind, opts.config);
  const parsed = sourceSchema.safeParse(configured ? { ...configured, ...raw } : raw);
  if (!parsed.success) {
    throw new StartupError(parsed.error.issues.map((i) => ({ code: 'CONFIG_INVALID' as const, key: i.path.join('.'), message: i.message })));
  }
  const options: SourceOptions = parsed.data;
  const imported = await adapterFor(options).importSource(options, { baseDir: process.cwd() });

  const outDir = resolve(opts.out ?? 'schemas');
  const target = generatedSdlPath(process.cwd(), outDir, opts.name);
  mkdirSync(dirname(target), { recursive: true });
  let contract = spec;
  // Keep a copy of the contract next to its SDL — with every file it imports (xsd:import,
  // wsdl:import), in the same layout. A contract that reaches outside its own folder stays where it is.
  const read = ((imported.plan as { files?: unknown } | undefined)?.files ?? []) as string[];
  const specDir = dirname(specPath);
  const extra = read.filter((f) => f !== specPath && !/^https?:\/\//.test(f));
  const selfContained = extra.every((f) => !relative(specDir, f).startsWith('..'));
  if (!/^https?:\/\//.test(spec) && kind !== 'grpc' && selfContained) {
    const upstreamDir = resolve(dirname(target), 'upstream');
    const copy = resolve(upstreamDir, basename(specPath));
    if (copy !== specPath) {
      for (const f of [specPath, ...extra]) {
        const to = resolve(upstreamDir, relative(specDir, f));
        mkdirSync(dirname(to), { recursive: true });
        if (!existsSync(to)) copyFileSync(f, to);
      }
    }
    contract = relative(process.cwd(), copy);
  }
  writeFileSync(target, renderGeneratedSdl(imported.sdl, contract, protocol));
  for (const w of imported.warnings) process.stderr.write(`warning: ${w.location}: ${w.message}\n`);
  const q = imported.operations.filter((o) => o.kind === 'query').length;
  const m = imported.operations.filter((o) => o.kind === 'mutation').length;
  const s = imported.operations.filter((o) => o.kind === 'subscription').length;
  process.stdout.write(
    `wrote ${relative(process.cwd(), target)}: ${imported.operations.length} operations (${q} queries, ${m} mutations, ${s} subscriptions), ${imported.warnings.length} warnings\n` +
      `add to switchyard.config.ts:  ${configSnippet(kind, opts.name, contract)}\n`,
  );
  return 0;
}

function configSnippet(kind: string, name: string, contract: string): string {
  if (kind === 'rest') return `rest({ name: '${name}', spec: './${contract}', url: 'http://...' })`;
  if (kind === 'grpc') return `grpc({ name: '${name}', protos: '${contract}', address: 'host:port' })`;
  return `soap({ name: '${name}', wsdl: './${contract}' })`;
}

async function configuredSource(name: string, kind: string, file?: string): Promise<Record<string, unknown> | undefined> {
  const path = resolve(file ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const config = await loadConfig(path);
    const found = config.sources.find((s) => s.name === name && s.kind === kind);
    if (!found) return undefined;
    const { url: _url, ...rest } = found as Record<string, unknown>;
    return rest;
  } catch {
    return undefined; // an invalid config does not stop an import; `check` reports it
  }
}
