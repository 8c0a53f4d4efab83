import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useBatchedExecution } from '../engine/plugin';
import { useDocumentCache } from '../plugins/use-document-cache';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from '../adapters/types';
import type { SwitchyardConfig } from '../config/schema';
import { REQUEST_ABORT, type GatewayContext } from '../context';
import type { BuiltView } from '../clients/build-views';
import { createPolicyPlugins } from '../plugins';
import { GatewayError } from '../errors/gateway-error';
import { claimAt } from '../policy/identity';
import { loadTrustedDocuments } from '../policy/trusted-documents';
import { CONNECTION_AUTH, type ConnectionAuth } from '../plugins/use-auth';
import { wsTrustedDocuments } from './ws-trusted-documents';
import { createFastPath, fastPathAllowed } from './fast-path';
import { graphiqlOptions, renderGraphiQL } from './graphiql';

/** One GraphQL endpoint (the default graph or a client view): yoga, its fast path, its WebSockets. */
export interface Endpoint {
  path: string;
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  fastPath?: ReturnType<typeof createFastPath>;
  /** WebSocket server (noServer: the HTTP server's upgrade handler routes by path). */
  wss: WebSocketServer;
  ws: { dispose(): void | Promise<void> };
}

/** A view's effective config: the top-level limits and cost, overridden by the view's own. */
export function viewConfig(config: SwitchyardConfig, view: BuiltView): SwitchyardConfig {
  return {
    ...config,
    limits: { ...config.limits, ...stripUndefined(view.options.limits) },
    cost: { ...config.cost, ...stripUndefined(view.options.cost) },
    trustedDocuments: config.trustedDocuments && view.options.trustedDocumentsOnly ? { ...config.trustedDocuments, allowArbitrary: false } : config.trustedDocuments,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Refuses a view to callers it does not allow (API key client ids, or a JWT claim value). Runs
 * after the auth plugin has set the identity, before anything executes.
 */
function useViewAccess(view: BuiltView): Plugin | undefined {
  const { apiKeyClients, claim, claimValues } = view.options.allow;
  if (!apiKeyClients.length && !(claim && claimValues.length)) return undefined;
  const allowed = (ctx: GatewayContext) => {
    const id = ctx.identity;
    if (!id) return false;
    if (id.kind === 'apiKey' && id.clientId && apiKeyClients.includes(id.clientId)) return true;
    if (id.kind === 'jwt' && claim) {
      const v = claimAt(id.claims, claim);
      const values = Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
      return values.some((x) => claimValues.includes(x));
    }
    return false;
  };
  const deny = (ctx: GatewayContext) =>
    new GatewayError(ctx.identity && ctx.identity.kind !== 'anonymous' ? 'FORBIDDEN' : 'UNAUTHENTICATED', {
      message: `the ${view.name} view is not available to this caller`,
      extensions: { http: { status: ctx.identity && ctx.identity.kind !== 'anonymous' ? 403 : 401 } },
    });
  const check = ({ args }: { args: { contextValue: unknown } }) => {
    const ctx = args.contextValue as GatewayContext;
    if (!allowed(ctx)) throw deny(ctx);
  };
  return { onExecute: check, onSubscribe: check } as Plugin;
}

export function createEndpoint(
  schema: GraphQLSchema,
  path: string,
  config: SwitchyardConfig,
  root: SwitchyardConfig,
  logger: Logger,
  view?: BuiltView,
): Endpoint {
  // (Typed as GatewayContext: for the fast path, `signal` is added as a getter once the context is built.)
  const gatewayContext = ({ request }: { request?: Request }): GatewayContext => {
    // Plain literals, one shape each: the spread-of-conditionals form cost ~4% of a small
    // request's CPU (generic object cloning on every request).
    if (!request) {
      // Subscriptions over WebSocket (no request) live as long as the client wants: no deadline.
      return { signal: new AbortController().signal, requestHeaders: new Headers(), loaders: new Map() };
    }
    const deadline = Date.now() + root.server.requestDeadlineMs;
    const lite = (request as unknown as Record<symbol, unknown>)[REQUEST_ABORT];
    // The fast path's request carries its LiteAbort: the adapters use that, and `signal` (a
    // getter the fast path adds) becomes a real AbortSignal only if something reads it.
    if (lite !== undefined) return { [REQUEST_ABORT]: lite, requestHeaders: request.headers, loaders: new Map(), deadline } as unknown as GatewayContext;
    return { signal: request.signal, requestHeaders: request.headers, loaders: new Map(), deadline };
  };
  // The per-request context, as a plugin rather than yoga's `context` option: yoga wraps that in
  // useExtendContext, whose promise helpers allocate ~0.8 KB per request for a synchronous factory.
  // First in the list, where yoga puts its own (before auth's onContextBuilding).
  const contextPlugin: Plugin = {
    onContextBuilding({ context, extendContext }) {
      extendContext(gatewayContext(context as { request?: Request }) as never);
    },
  };
  const access = view ? useViewAccess(view) : undefined;
  // The view's access rule first: a refused caller is not charged cost or budget.
  const plugins: Plugin[] = [contextPlugin, ...(access ? [access] : []), ...createPolicyPlugins(config, logger), ...(config.server.jit ? [useGraphQlJit() as Plugin] : []), ...(config.server.batchedExecution ? [useBatchedExecution()] : []), useDocumentCache()];
  const server = { ...root.server, graphqlPath: path, graphiql: { ...root.server.graphiql, ...stripUndefined(view?.options.graphiql ?? {}) } };
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: path,
    landingPage: false,
    maskedErrors: true,
    // The HTTP front (src/server/http.ts) counts the body while reading it; yoga's own limit would
    // pipe every body through a second stream (about 5% of a small request's CPU).
    maxRequestBodySize: false,
    // Parse and validation caches: src/plugins/use-document-cache.ts (last of `plugins`, where
    // yoga puts its own), the same behaviour at a fraction of the per-request cost.
    parserAndValidationCache: false,
    // No cross-origin access unless configured (a BFF is called by its own frontends).
    cors: root.server.cors ? { origin: [...root.server.cors.origins], credentials: root.server.cors.credentials } : false,
    // GraphiQL from the gateway's own origin (src/server/graphiql.ts), not from a CDN.
    graphiql: graphiqlOptions(server),
    renderGraphiQL: renderGraphiQL(server),
    logging: {
      debug: (...a: unknown[]) => logger.debug(a.map(String).join(' ')),
      info: (...a: unknown[]) => logger.info(a.map(String).join(' ')),
      warn: (...a: unknown[]) => logger.warn(a.map(String).join(' ')),
      error: (...a: unknown[]) => logger.error(a.map((x) => String((x as Error)?.stack ?? x)).join(' ')),
    },
    plugins,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  // graphql-ws. Credentials are checked once, in connection_init (onConnect): refused credentials
  // close the socket with 4403 "Forbidden" (graphql-ws's own code for a refused connection), a
  // locked-out address with 4429, an unreachable identity provider with 1013 "Try Again Later".
  // A socket authenticated with a JWT is closed with 4403 when the token expires.
  const connectionAuth = plugins.map((p) => (p as { [CONNECTION_AUTH]?: ConnectionAuth })[CONNECTION_AUTH]).find((f) => typeof f === 'function');
  // Trusted documents: use-trusted-documents works in yoga's HTTP onParams, which never runs here.
  const trusted = config.trustedDocuments ? wsTrustedDocuments(config.trustedDocuments, loadTrustedDocuments(config.trustedDocuments.manifest, config.baseDir)) : undefined;
  const ws = useServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage }>(
    {
      connectionInitWaitTimeout: 3_000,
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onConnect: async (ctx) => {
        if (!connectionAuth) return true;
        const { socket, request } = ctx.extra;
        try {
          const { expiresAtMs } = await connectionAuth(ctx.connectionParams, request.socket.remoteAddress, ctx.extra);
          if (expiresAtMs !== undefined) closeAtExpiry(socket, expiresAtMs);
          return true;
        } catch (e) {
          const code = e instanceof GatewayError ? e.code : undefined;
          if (code === 'AUTH_PROVIDER_UNAVAILABLE') socket.close(1013, 'Try again later');
          else if (code === 'AUTH_LOCKED_OUT') socket.close(4429, 'Too many invalid credentials');
          else if (code !== 'UNAUTHENTICATED') {
            logger.error('graphql-ws: authentication failed unexpectedly', { error: String((e as Error)?.stack ?? e) });
            socket.close(4500, 'Internal server error');
          }
          return false; // graphql-ws closes with 4403 "Forbidden" (a no-op when closed above)
        }
      },
      // Subscriptions go through the same enveloped pipeline as HTTP: auth, limits, cost, masking.
      onSubscribe: async (ctx, _id, received) => {
        let payload = received as WsSubscribePayloadLike;
        if (trusted) {
          const resolved = trusted(payload);
          if (resolved instanceof GatewayError) return [resolved];
          payload = resolved;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(ctx.extra.request.headers)) if (typeof v === 'string') headers.set(k, v);
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          params: payload,
          requestHeaders: headers,
          // The client address, as HTTP passes it (anonymous callers' rate-limit bucket).
          remoteAddress: ctx.extra.request.socket.remoteAddress,
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
    wss,
    12_000,
  );
  return {
    path,
    yoga,
    fastPath: root.server.fastPath && fastPathAllowed(plugins) ? createFastPath(yoga, logger, plugins) : undefined,
    wss,
    ws,
  };
}

type WsSubscribePayloadLike = Parameters<ReturnType<typeof wsTrustedDocuments>>[0];

/** setTimeout's longest delay (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

/** Closes a graphql-ws socket with 4403 when its credentials expire. */
function closeAtExpiry(socket: WebSocket, atMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = atMs - Date.now();
    if (wait <= 0) {
      socket.close(4403, 'Token expired');
      return;
    }
    timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
  };
  socket.once('close', () => clearTimeout(timer));
  arm();
}

interface EnvelopedRoot {
  execute: (args: unknown) => never;
  subscribe: (args: unknown) => never;
}

/** Paths under the GraphQL path that name no endpoint. */
export function notFound(): Response {
  return new Response(JSON.stringify({ errors: [{ message: 'No such endpoint.', extensions: { code: 'NOT_FOUND' } }] }), {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
