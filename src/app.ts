import type { Server } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { SwitchyardConfig } from './config/schema';
import type { ImportedSource, Logger, SourceRuntime } from './adapters/types';
import { adapterFor } from './adapters';
import { buildGatewaySchema, type ClientLayer, type SourceParts } from './stitching/build-schema';
import { buildViews, type BuiltView } from './clients/build-views';
import { createEndpoint, notFound, viewConfig, type Endpoint } from './server/endpoint';
import { indexRootResolvers, type CompiledLink, type RootResolverIndex } from './stitching/links';
import { loadResolverModules, readClientSdl } from './stitching/client-layer';
import { createCacheStore, withCache } from './loaders/cache';
import { StartupError, type Problem } from './errors/gateway-error';
import { createHttpFront, type HttpFront } from './server/http';
import { createLogger } from './observability/logger';
import type { GatewayContext } from './context';
import { applyFieldAuthorization } from './policy/field-auth';

export interface Gateway {
  schema: GraphQLSchema;
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  /** The HTTP server (not listening: the caller decides where). Serves /graphql, /healthz, /readyz and WebSockets. */
  server: Server;
  sources: ImportedSource[];
  /** The client layer's @resolveTo/@link fields, for `explain`. */
  links: CompiledLink[];
  /** Per-client views (config `clients`), by name. */
  views: Map<string, GraphQLSchema>;
  /** Whether /graphql answers plain POST JSON queries through the fast path (src/server/fast-path.ts). */
  fastPath: boolean;
  /** Whether that fast path calls the plugins' hooks directly (src/server/direct-pipeline.ts) rather than through envelop. */
  fastPathDirect: boolean;
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
  let viewParts: SourceParts[] | undefined;
  let viewBase: ClientLayer | undefined;
  let viewRoots: RootResolverIndex | undefined;
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
    [viewParts, viewBase, viewRoots] = [parts, client, roots];
    schema = applyFieldAuthorization(schema, config.auth?.policies);
  } catch (e) {
    await Promise.all(runtimes.map((r) => r.dispose()));
    await cacheStore?.close();
    throw e;
  }

  // One endpoint per view: the default (whole graph) at graphqlPath, each client view at
  // graphqlPath/<client>, each with its own yoga (schema, GraphiQL, limits), all on the same
  // source runtimes, loaders and cache.
  let views: BuiltView[] = [];
  try {
    views = await buildViews(config.clients, viewParts!, viewBase!, config, () => viewRoots!);
    views = views.map((v) => ({ ...v, schema: applyFieldAuthorization(v.schema, config.auth?.policies) }));
  } catch (e) {
    await Promise.all(runtimes.map((r) => r.dispose()));
    await cacheStore?.close();
    throw e;
  }
  const base = createEndpoint(schema, config.server.graphqlPath, config, config, logger);
  const endpoints = new Map<string, Endpoint>([[config.server.graphqlPath, base]]);
  for (const v of views) {
    const path = `${config.server.graphqlPath}/${v.name}`;
    endpoints.set(path, createEndpoint(v.schema, path, viewConfig(config, v), config, logger, v));
  }
  const yoga = base.yoga;
  const endpointFor = (url: string): Endpoint | undefined => {
    const q = url.indexOf('?');
    return endpoints.get(q === -1 ? url : url.slice(0, q));
  };

  let disposed = false;
  const http = createHttpFront(
    {
      fetch: (req, serverContext) => {
        const ep = endpointFor(new URL(req.url).pathname);
        // The client address reaches the plugins (anonymous callers' rate-limit bucket is per IP).
        return ep ? ep.yoga.fetch(req, serverContext) : notFound();
      },
      Request: yoga.fetchAPI.Request,
      fastPath: (req, body, signal) => endpointFor(req.url ?? '')?.fastPath?.(req, body, signal) ?? Promise.resolve(undefined),
      isReady: () => !disposed && runtimes.every((r) => r.ready()),
    },
    config.server,
    logger,
  );
  // graphql-ws on every endpoint's path (one WebSocket server each, sharing the HTTP server).
  http.server.on('upgrade', (req, socket, head) => {
    const ep = endpointFor(req.url ?? '');
    if (!ep) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    ep.wss.handleUpgrade(req, socket, head, (ws) => ep.wss.emit('connection', ws, req));
  });

  return {
    schema,
    yoga,
    server: http.server,
    http,
    sources: imported,
    links,
    views: new Map(views.map((v) => [v.name, v.schema])),
    fastPath: Boolean(base.fastPath),
    fastPathDirect: Boolean(base.fastPath?.direct),
    async dispose() {
      if (disposed) return;
      disposed = true;
      for (const ep of endpoints.values()) await Promise.resolve(ep.ws.dispose()).catch(() => undefined);
      await http.shutdown();
      await Promise.all(runtimes.map((r) => r.dispose().catch((e) => logger.warn('dispose failed', { error: String(e) }))));
      await cacheStore?.close();
      // Plugins' own resources (the Redis rate-limit connection) close with their yoga.
      for (const ep of endpoints.values()) await Promise.resolve(ep.yoga.dispose()).catch(() => undefined);
    },
  };
}

/** Headers a source copies from the client's request: they identify the caller to the upstream. */
function forwardedHeaders(source: SwitchyardConfig['sources'][number]): string[] {
  const f = (source as { forwardHeaders?: unknown }).forwardHeaders;
  return Array.isArray(f) ? f.map(String) : [];
}

