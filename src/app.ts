import type { Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { SwitchyardConfig } from './config/schema';
import type { ImportedSource, Logger, SourceRuntime } from './adapters/types';
import { adapterFor } from './adapters';
import { buildGatewaySchema } from './stitching/build-schema';
import { indexRootResolvers, type CompiledLink } from './stitching/links';
import { loadResolverModules, readClientSdl } from './stitching/client-layer';
import { createCacheStore, withCache } from './loaders/cache';
import { StartupError, type Problem } from './errors/gateway-error';
import { createHttpFront, type HttpFront } from './server/http';
import { createFastPath, fastPathAllowed } from './server/fast-path';
import { graphiqlOptions, renderGraphiQL } from './server/graphiql';
import { createLogger } from './observability/logger';
import type { GatewayContext } from './context';
import { createPolicyPlugins } from './plugins';
import { applyFieldAuthorization } from './policy/field-auth';

export interface Gateway {
  schema: GraphQLSchema;
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The HTTP server (not listening: the caller decides where). Serves /graphql, /healthz, /readyz and WebSockets. */
  server: Server;
  sources: ImportedSource[];
  /** The client layer's @resolveTo/@link fields, for `explain`. */
  links: CompiledLink[];
  /** Graceful stop: refuse new requests, finish in-flight ones, close sockets and upstream pools. */
  dispose(): Promise<void>;
  http: HttpFront;
}

export interface BuildOptions {
  logger?: Logger;
}

/** Imports every source (all of them, collecting every problem), without creating clients. */
export async function importSources(config: SwitchyardConfig): Promise<ImportedSource[]> {
  const problems: Problem[] = [];
  const results = await Promise.all(
    config.sources.map(async (source, i) => {
      try {
        return await adapterFor(source).importSource(source, { baseDir: config.baseDir });
      } catch (e) {
        if (e instanceof StartupError) problems.push(...e.problems.map((p) => ({ ...p, key: p.key ?? `sources[${i}]` })));
        else problems.push({ code: 'SPEC_INVALID', key: `sources[${i}] (${source.name})`, message: (e as Error).message ?? String(e) });
        return undefined;
      }
    }),
  );
  if (problems.length) throw new StartupError(problems);
  return results as ImportedSource[];
}

/**
 * The composition root: config in, a ready-to-listen gateway out. Reads no environment and opens
 * no port (src/cli/serve.ts does that).
 */
export async function buildGateway(config: SwitchyardConfig, opts: BuildOptions = {}): Promise<Gateway> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const imported = await importSources(config);
  for (const src of imported) for (const w of src.warnings) logger.warn('import warning', { source: src.sourceName, location: w.location, message: w.message });

  const runtimes: SourceRuntime[] = [];
  try {
    imported.forEach((src, i) => {
      runtimes.push(adapterFor(config.sources[i]!).createRuntime(src, config.sources[i]!, { baseDir: config.baseDir, logger }));
    });
  } catch (e) {
    await Promise.all(runtimes.map((r) => r.dispose()));
    throw e;
  }
  const cacheStore = Object.keys(config.cache.ttlMs).length ? createCacheStore(config.cache, logger) : undefined;
  let schema: GraphQLSchema;
  let links: CompiledLink[];
  try {
    const parts = imported.map((src, i) => ({
      imported: src,
      resolvers: cacheStore
        ? withCache(src.sourceName, runtimes[i]!.resolvers, config.cache, cacheStore, forwardedHeaders(config.sources[i]!))
        : runtimes[i]!.resolvers,
      hideRootFields: config.internalSources.includes(src.sourceName),
    }));
    const roots = indexRootResolvers(parts.map((p) => ({ name: p.imported.sourceName, resolvers: p.resolvers })));
    const client = {
      files: readClientSdl(config.baseDir, config.schemasDir),
      resolvers: await loadResolverModules(config.baseDir, config.resolversDir, () => roots),
    };
    ({ schema, links } = buildGatewaySchema(parts, client));
    schema = applyFieldAuthorization(schema, config.auth?.policies);
  } catch (e) {
    await Promise.all(runtimes.map((r) => r.dispose()));
    await cacheStore?.close();
    throw e;
  }

  const plugins = [...createPolicyPlugins(config, logger), ...(config.server.jit ? [useGraphQlJit()] : [])];
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: config.server.graphqlPath,
    landingPage: false,
    maskedErrors: true,
    // The HTTP front (src/server/http.ts) counts the body while reading it; yoga's own limit would
    // pipe every body through a second stream (about 5% of a small request's CPU).
    maxRequestBodySize: false,
    // No cross-origin access unless configured (a BFF is called by its own frontends).
    cors: config.server.cors ? { origin: [...config.server.cors.origins], credentials: config.server.cors.credentials } : false,
    // GraphiQL from the gateway's own origin (src/server/graphiql.ts), not from a CDN.
    graphiql: graphiqlOptions(config.server),
    renderGraphiQL: renderGraphiQL(config.server),
    logging: {
      debug: (...a: unknown[]) => logger.debug(a.map(String).join(' ')),
      info: (...a: unknown[]) => logger.info(a.map(String).join(' ')),
      warn: (...a: unknown[]) => logger.warn(a.map(String).join(' ')),
      error: (...a: unknown[]) => logger.error(a.map((x) => String((x as Error)?.stack ?? x)).join(' ')),
    },
    plugins,
    context: ({ request }: { request?: Request }) => ({
      signal: request?.signal ?? new AbortController().signal,
      requestHeaders: request?.headers ?? new Headers(),
      loaders: new Map(),
    }),
  });

  let disposed = false;
  const http = createHttpFront(
    {
      fetch: (req) => yoga.fetch(req),
      Request: yoga.fetchAPI.Request,
      fastPath: config.server.fastPath && fastPathAllowed(plugins) ? createFastPath(yoga, logger) : undefined,
      isReady: () => !disposed && runtimes.every((r) => r.ready()) },
    config.server,
    logger,
  );
  const wsServer = new WebSocketServer({ server: http.server, path: config.server.graphqlPath, maxPayload: 1024 * 1024 });
  const wsHandle = useServer<Record<string, unknown>, { request: { headers: Record<string, string | string[] | undefined> } }>(
    {
      connectionInitWaitTimeout: 3_000,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(ctx.extra.request.headers)) if (typeof v === 'string') headers.set(k, v);
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          params: payload,
          requestHeaders: headers,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [e as never];
        }
        const errors = validate(s, document);
        if (errors.length) return errors;
        const contextValue = (await contextFactory()) as Record<string, unknown>;
        return {
          schema: s,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: { ...contextValue, requestHeaders: headers, signal: new AbortController().signal, loaders: new Map() },
          rootValue: { execute, subscribe },
        };
      },
    },
    wsServer,
    12_000,
  );

  return {
    schema,
    yoga,
    server: http.server,
    http,
    sources: imported,
    links,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.resolve(wsHandle.dispose()).catch(() => undefined);
      await http.shutdown();
      await Promise.all(runtimes.map((r) => r.dispose().catch((e) => logger.warn('dispose failed', { error: String(e) }))));
      await cacheStore?.close();
    },
  };
}

/** Headers a source copies from the client's request: they identify the caller to the upstream. */
function forwardedHeaders(source: SwitchyardConfig['sources'][number]): string[] {
  const f = (source as { forwardHeaders?: unknown }).forwardHeaders;
  return Array.isArray(f) ? f.map(String) : [];
}

interface EnvelopedRoot {
  execute: (args: unknown) => never;
  subscribe: (args: unknown) => never;
}
