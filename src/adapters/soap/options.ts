import { z } from 'zod';
import { headerMap, sourceName } from '../../config/common';
import { resilienceOptionsSchema, urlInstanceSchema, type ResilienceOptions } from '../../resilience/options';

const graphqlName = z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'must be a GraphQL name');

/** Options of a SOAP source described by a WSDL 1.1 document. */
export const soapOptionsSchema = z
  .object({
    kind: z.literal('soap'),
    name: sourceName,
    /** WSDL file (relative to the config file) or URL. Imports must be local files next to it. */
    wsdl: z.string().min(1),
    /** Endpoint URL; overrides the WSDL's soap:address (recommended: the WSDL's address is never trusted blindly). */
    url: z.string().url().optional(),
    /**
     * Several instances of the service instead of one `url`: `['http://a:8080/ws', { url: 'http://b:8080/ws',
     * weight: 5, tag: 'v2' }]`. Balanced, health-checked (TCP) and ejected as `resilience` says.
     */
    urls: z.array(urlInstanceSchema).min(1).optional(),
    /** Per-call timeout in milliseconds. @default 10000 */
    timeoutMs: z.number().int().positive().default(10_000),
    /** SOAP version to call with when the WSDL binds both. @default the SOAP 1.1 binding when present, else 1.2 */
    soapVersion: z.enum(['1.1', '1.2']).optional(),
    /** HTTP headers sent with every call (values may use ${ENV}). */
    headers: headerMap.default({}),
    /** Raw XML elements put into every request's soap:Header (each must be well-formed and declare its namespaces). */
    soapHeaders: z.array(z.string().min(1)).default([]),
    /** WS-Security UsernameToken sent in the soap:Header of every call. */
    security: z
      .object({
        username: z.string().min(1),
        password: z.string(),
        /** @default 'PasswordText' */
        passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordText'),
      })
      .strict()
      .optional(),
    /**
     * The soap:Header block carrying the caller's identity when `auth.forward` names this source:
     * `<sy:{element} xmlns:sy="{namespace}">` with one `<sy:{name}>value</sy:{name}>` per forwarded value.
     * @default { element: 'Identity', namespace: 'urn:switchyard:identity' }
     */
    identityHeader: z
      .object({
        element: z.string().regex(/^[A-Za-z_][A-Za-z0-9._-]*$/, 'must be an XML name (letters, digits, . _ -)').default('Identity'),
        namespace: z.string().min(1).default('urn:switchyard:identity'),
      })
      .strict()
      .optional(),
    /** Per-operation overrides: `{ GetStock: { type: 'query', field: 'stock' } }`. */
    operations: z
      .record(z.string(), z.object({ type: z.enum(['query', 'mutation']).optional(), field: graphqlName.optional() }).strict())
      .default({}),
    /** Prefix for every generated type name, to avoid clashes between sources. @default '' */
    typePrefix: z.string().regex(/^([_A-Za-z][_0-9A-Za-z]*)?$/).default(''),
    /** Largest upstream answer read, in bytes. @default 10 MiB */
    maxResponseBytes: z.number().int().positive().default(10 * 1024 * 1024),
    /** Keep-alive connections per upstream origin. @default 100 */
    connections: z.number().int().positive().default(100),
    /** Load balancing, health checks, retries, circuit breaker, limits (src/resilience/options.ts). */
    resilience: resilienceOptionsSchema.prefault({}),
  })
  .strict()
  .refine((o) => o.url === undefined || o.urls === undefined, { message: 'give `url` or `urls`, not both', path: ['urls'] });

/** `resilience` is optional in the type so hand-built options (tests, tools) need not spell it out; absent = defaults. */
export type SoapSourceOptions = Omit<z.output<typeof soapOptionsSchema>, 'resilience'> & { resilience?: ResilienceOptions };
export type SoapSourceInput = Omit<z.input<typeof soapOptionsSchema>, 'kind'>;
