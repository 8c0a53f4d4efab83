import { z } from 'zod';
import { headerMap, sourceName } from '../../config/common';
import { resilienceOptionsSchema, urlInstanceSchema, type ResilienceOptions } from '../../resilience/options';

/** Options of a REST source described by an OpenAPI 3.0/3.1 or Swagger 2.0 document. */
export const restOptionsSchema = z
  .object({
    kind: z.literal('rest'),
    name: sourceName,
    /** Path (relative to the config file) or http(s) URL of the OpenAPI/Swagger document. */
    spec: z.string().min(1),
    /** Base URL of the upstream; overrides the spec's `servers`. @default the spec's first server */
    url: z.string().url().optional(),
    /**
     * Several instances of the upstream instead of one `url`: `['http://a:8080', { url: 'http://b:8080',
     * weight: 5, tag: 'v2' }]`. Balanced, health-checked and ejected as `resilience` says.
     */
    urls: z.array(urlInstanceSchema).min(1).optional(),
    /** Prefix put in front of every operation path (`/api`). @default '' */
    basePath: z.string().regex(/^(\/[^?#]*)?$/, 'must start with "/" (or be empty)').default(''),
    /** Rewrite path prefixes from the spec to the upstream: `{ '/v1/products': '/api/products' }`. */
    pathRewrite: z.record(z.string().startsWith('/'), z.string().startsWith('/')).default({}),
    /** Per-call timeout in milliseconds. @default 10000 */
    timeoutMs: z.number().int().positive().default(10_000),
    /** Headers sent with every call (values may use ${ENV}). */
    headers: headerMap.default({}),
    /** Incoming request headers copied to upstream calls (lower-case names). @default [] */
    forwardHeaders: z.array(z.string().toLowerCase()).default([]),
    /** Prefix for every generated type name, to avoid clashes between sources. @default '' */
    typePrefix: z.string().regex(/^([_A-Za-z][_0-9A-Za-z]*)?$/).default(''),
    /** `camelCase` turns `created_at` into `createdAt` (data still comes back); `preserve` only sanitises. */
    fieldNames: z.enum(['camelCase', 'preserve']).default('camelCase'),
    /** Largest upstream answer read, in bytes. @default 10 MiB */
    maxResponseBytes: z.number().int().positive().default(10 * 1024 * 1024),
    /** Keep-alive connections per upstream origin. @default 100 */
    connections: z.number().int().positive().default(100),
    /** Rename root fields: `{ getUser: 'user' }` (by operationId or generated field name). */
    rename: z.record(z.string(), z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/)).default({}),
    /** Load balancing, health checks, retries, circuit breaker, limits (src/resilience/options.ts). */
    resilience: resilienceOptionsSchema.prefault({}),
  })
  .strict()
  .refine((o) => o.url === undefined || o.urls === undefined, { message: 'give `url` or `urls`, not both', path: ['urls'] });

/** `resilience` is optional in the type so hand-built options (tests, tools) need not spell it out; absent = defaults. */
export type RestSourceOptions = Omit<z.output<typeof restOptionsSchema>, 'resilience'> & { resilience?: ResilienceOptions };
export type RestSourceInput = Omit<z.input<typeof restOptionsSchema>, 'kind'>;
