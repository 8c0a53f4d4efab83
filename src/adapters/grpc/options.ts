import { z } from 'zod';
import { sourceName } from '../../config/common';
import { addressInstanceSchema, resilienceOptionsSchema, toInstanceSpecs, type InstanceSpec, type ResilienceOptions } from '../../resilience/options';

const graphqlName = z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'must be a GraphQL name');

/** Metadata keys are lower-case HTTP/2 header names; `-bin` keys carry base64 values. */
const metadataKey = z
  .string()
  .regex(/^[0-9a-z_.-]+$/, 'metadata keys are lower-case letters, digits, "-", "_" and "."')
  .refine((k) => !k.startsWith('grpc-'), 'keys starting with "grpc-" are reserved by gRPC');

/** TLS to the upstream. File paths are relative to the config file; inline PEM text is accepted too. */
const tlsSchema = z
  .object({
    /** CA bundle (PEM) to verify the upstream. @default the system roots */
    ca: z.string().min(1).optional(),
    /** Client certificate (PEM) for mutual TLS; needs `key`. */
    cert: z.string().min(1).optional(),
    /** Client private key (PEM) for mutual TLS; needs `cert`. */
    key: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), 'cert and key go together (mutual TLS needs both)');

/** How one method is exposed, keyed by `package.Service/Method`. */
const operationOverride = z
  .object({
    /** Root type of the field. Server-streaming methods can only be `subscription`. */
    type: z.enum(['query', 'mutation', 'subscription']).optional(),
    /** Root field name. @default lowerCamel of the method (prefixed with the service on clashes) */
    field: graphqlName.optional(),
  })
  .strict();

/** Options of a gRPC source (issue #4). */
export const grpcOptionsSchema = z
  .object({
    kind: z.literal('grpc'),
    name: sourceName,
    /** .proto file(s), relative to the config file. Their services become root fields. Required unless `reflection`. */
    protos: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /**
     * Read services and types from the upstream's server reflection (grpc.reflection.v1/v1alpha)
     * instead of .proto files; import then connects to `address`. @default false
     */
    reflection: z.boolean().default(false),
    /** Import roots for `import "..."` in the protos. @default the proto's directory */
    includeDirs: z.array(z.string()).default([]),
    /** host:port of the upstream (or `addresses`). */
    address: z.string().min(1).optional(),
    /**
     * Several instances instead of one `address`: `['10.0.0.1:50051', { address: '10.0.0.2:50051',
     * weight: 5, tag: 'v2' }]`. One channel per instance; balanced as `resilience` says.
     */
    addresses: z.array(addressInstanceSchema).min(1).optional(),
    /** Per-call deadline in milliseconds. @default 10000 */
    timeoutMs: z.number().int().positive().default(10_000),
    /** `false` = plaintext; `{}` = TLS with the system roots; `{ ca, cert, key }` for a private CA / mTLS. @default false */
    tls: z.union([z.literal(false), tlsSchema]).default(false),
    /** Metadata sent with every call (values may use ${ENV}). */
    metadata: z.record(metadataKey, z.string().refine((v) => !/[\r\n]/.test(v), 'no CR or LF in metadata values')).default({}),
    /** Incoming request headers copied into call metadata (lower-case names). @default [] */
    forwardHeaders: z.array(z.string().toLowerCase()).default([]),
    /** Override root type or field name per method: `{ 'shop.v1.Orders/Recalc': { type: 'query' } }`. */
    operations: z.record(z.string().regex(/^[\w.]+\/\w+$/, 'keys are "package.Service/Method"'), operationOverride).default({}),
    /** Rename root fields: `{ getOrder: 'order' }` (by generated field name or `package.Service/Method`). */
    rename: z.record(z.string(), graphqlName).default({}),
    /** Prefix for every generated type name, to avoid clashes between sources. @default '' */
    typePrefix: z.string().regex(/^([_A-Za-z][_0-9A-Za-z]*)?$/).default(''),
    /**
     * HTTP/2 keep-alive ping interval while calls are open, in milliseconds. Servers refuse pings
     * more frequent than their enforcement policy (5 min by default in gRPC C-core and Go) with
     * GOAWAY too_many_pings, so lower it only if the upstream permits. @default 300000
     */
    keepaliveMs: z.number().int().min(10_000).default(300_000),
    /** Load balancing, health checks (grpc.health.v1), retries, circuit breaker, limits (src/resilience/options.ts). */
    resilience: resilienceOptionsSchema.prefault({}),
  })
  .strict()
  .refine((o) => (o.address === undefined) !== (o.addresses === undefined), { message: 'give `address` (host:port) or `addresses`, exactly one', path: ['address'] })
  .refine((o) => o.reflection || o.protos !== undefined, { message: 'give `protos` (.proto files) or set `reflection: true`', path: ['protos'] });

/** `resilience` is optional in the type so hand-built options need not spell it out; absent = defaults. */
export type GrpcSourceOptions = Omit<z.output<typeof grpcOptionsSchema>, 'resilience'> & { resilience?: ResilienceOptions };

/** The upstream instances of a source: `addresses`, or the single `address`. */
export function grpcInstances(options: Pick<GrpcSourceOptions, 'address' | 'addresses'>): InstanceSpec[] {
  if (options.addresses) return toInstanceSpecs(options.addresses);
  return options.address ? [{ target: options.address, weight: 1 }] : [];
}
export type GrpcSourceInput = Omit<z.input<typeof grpcOptionsSchema>, 'kind'>;
