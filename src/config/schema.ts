import { z } from 'zod';
import { clientsSchema } from '../clients/options';
import { restOptionsSchema } from '../adapters/rest/options';
import { grpcOptionsSchema } from '../adapters/grpc/options';
import { soapOptionsSchema } from '../adapters/soap/options';
import { authOptionsSchema, costOptionsSchema, limitsOptionsSchema, rateLimitOptionsSchema, trustedDocumentsOptionsSchema } from '../policy/options';

export const sourceSchema = z.discriminatedUnion('kind', [restOptionsSchema, grpcOptionsSchema, soapOptionsSchema]);

const graphiqlSchema = z
  .object({
    /** Serve GraphiQL on GET /graphql from a browser. Switch off in production if you like. @default true */
    enabled: z.boolean().default(true),
    title: z.string().default('Switchyard'),
    /** Query shown when GraphiQL opens. */
    defaultQuery: z.string().optional(),
    /**
     * Headers prefilled in GraphiQL's headers tab, as an example for the user (the gateway adds
     * nothing to requests). `{}` for an empty tab. @default { Authorization: 'Bearer <token>' }
     */
    headers: z.record(z.string(), z.string()).default({ Authorization: 'Bearer <token>' }),
  })
  .strict();

export const serverSchema = z
  .object({
    /** @default '127.0.0.1' */
    host: z.string().default('127.0.0.1'),
    /** @default 4000 */
    port: z.number().int().min(0).max(65535).default(4000),
    /** @default '/graphql' */
    graphqlPath: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/graphql'),
    /** Largest accepted request body, counted while reading (chunked bodies too). @default 2000000 */
    bodyLimitBytes: z.number().int().positive().default(2_000_000),
    /** How long SIGTERM waits for in-flight requests before closing connections. @default 30000 */
    shutdownTimeoutMs: z.number().int().nonnegative().default(30_000),
    /** Node's headersTimeout (slowloris protection). @default 10000 */
    headersTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * End-to-end deadline of a query or mutation: upstream calls (retries included) get at most the
     * time left, and fail with UPSTREAM_TIMEOUT after it. @default 30000
     */
    requestDeadlineMs: z.number().int().positive().default(30_000),
    /** Node's requestTimeout: the whole request must arrive within it. @default 30000 */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** Cross-origin access for browsers on other origins. @default off (same origin only) */
    cors: z.object({ origins: z.array(z.string().min(1)).min(1), credentials: z.boolean().default(false) }).strict().optional(),
    /**
     * Answer plain POST JSON queries without yoga's HTTP layer (same pipeline, same answers; turned
     * off automatically when a plugin needs yoga's HTTP hooks). @default true
     */
    fastPath: z.boolean().default(true),
    /** Compile operations with graphql-jit (cached per document). @default true */
    jit: z.boolean().default(true),
    /**
     * Run queries breadth-first, one level of the result at a time, with @link fields resolved in
     * one batch per level (src/engine/batched.ts); queries it cannot plan run on graphql-jit.
     * @default true
     */
    batchedExecution: z.boolean().default(true),
    graphiql: graphiqlSchema.default({ enabled: true, title: 'Switchyard', headers: { Authorization: 'Bearer <token>' } }),
  })
  .strict();

const cacheSchema = z
  .object({
    /**
     * Which queries are cached across requests, and for how long: `'<source>.<field>'` or
     * `'<source>.*'` -> milliseconds. Mutations are never cached. @default {}
     */
    ttlMs: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*\.(\*|(Query\.)?[_A-Za-z][_0-9A-Za-z]*)$/, "use '<source>.<field>' or '<source>.*'"), z.number().int().positive()).default({}),
    /** Redis URL (`redis://127.0.0.1:6379/0`): several gateway instances then share the cache. Default: in memory. */
    redis: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    /** Prefix of every Redis key (namespaces several gateways on one Redis). @default 'switchyard:cache:' */
    keyPrefix: z.string().default('switchyard:cache:'),
    /** Most entries kept in memory (least recently used go first). @default 10000 */
    maxEntries: z.number().int().positive().default(10_000),
    /** How long one Redis operation may take before it counts as a miss. @default 50 */
    timeoutMs: z.number().int().positive().default(50),
  })
  .strict();

export const configSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    sources: z.array(sourceSchema).min(1, 'declare at least one source (rest(...), grpc(...) or soap(...))'),
    /**
     * Folder of the SDL, relative to the config: schemas/<source>/generated.graphql per source, and
     * the hand-written client-facing layer in schemas/*.graphql. @default 'schemas'
     */
    schemasDir: z.string().default('schemas'),
    /** Folder of hand-written resolvers (resolvers/*.ts), relative to the config. @default 'resolvers' */
    resolversDir: z.string().default('resolvers'),
    /**
     * Sources whose root fields stay out of the client schema: links (@link/@resolveTo) and
     * resolvers still call them. Use it once the client-facing layer exposes what clients need.
     * @default []
     */
    internalSources: z.array(z.string()).default([]),
    cache: cacheSchema.default(cacheSchema.parse({})),
    /**
     * Per-client views (web, mobile, partner) of the one graph, each at /graphql/<client> with its
     * own shape and limits. The default view at /graphql is the whole graph. @default {}
     */
    clients: clientsSchema.default({}),
    /** Authentication (JWT, API keys) and identity forwarding. Off: every caller is anonymous. */
    auth: authOptionsSchema.optional(),
    /** Operation limits (depth, aliases, tokens, directives, introspection). */
    limits: limitsOptionsSchema.default(limitsOptionsSchema.parse({})),
    /** Static cost analysis: the per-request maximum and the default list size. */
    cost: costOptionsSchema.default(costOptionsSchema.parse({})),
    /** Per-client cost budget (token bucket), in memory or in Redis. Off unless set. */
    rateLimit: rateLimitOptionsSchema.optional(),
    /** Only run operations from a manifest of trusted documents. Off unless set. */
    trustedDocuments: trustedDocumentsOptionsSchema.optional(),
    /** Log level. @default 'info' */
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.sources.forEach((s, i) => {
      const prev = seen.get(s.name);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `source name "${s.name}" is already used by sources[${prev}]; names must be unique` });
      }
      seen.set(s.name, i);
    });
    for (const [name, values] of Object.entries(cfg.auth?.forward ?? {})) {
      if (!seen.has(name)) ctx.addIssue({ code: 'custom', path: ['auth', 'forward', name], message: `"${name}" is not a declared source` });
      // A SOAP source gets the values as soap:Header elements named after the keys: they must be XML names.
      else if (cfg.sources[seen.get(name)!]!.kind === 'soap') {
        for (const key of Object.keys(values)) {
          if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(key)) ctx.addIssue({ code: 'custom', path: ['auth', 'forward', name, key], message: `"${key}" is not an XML element name (SOAP source "${name}" gets it as a soap:Header element): use letters, digits, . _ -` });
        }
      }
    }
    cfg.internalSources.forEach((name, i) => {
      if (!seen.has(name)) ctx.addIssue({ code: 'custom', path: ['internalSources', i], message: `"${name}" is not a declared source` });
    });
  });

/** The validated, defaulted, frozen configuration the gateway runs with. */
export type SwitchyardConfig = z.output<typeof configSchema> & {
  /** Directory of the config file; relative paths resolve against it. */
  readonly baseDir: string;
  /** Path of the config file, when loaded from one. */
  readonly configFile?: string;
};
export type SourceOptions = z.output<typeof sourceSchema>;
export type ServerOptions = z.output<typeof serverSchema>;
/** What a user writes in switchyard.config.ts (defaults may be left out). */
export type SwitchyardConfigInput = z.input<typeof configSchema>;
