import { createRequire } from 'node:module';
import type { GraphQLResolveInfo } from 'graphql';
import protobuf from 'protobufjs';
import type { Adapter, ResolverMap } from '../types';
import type { GatewayContext } from '../../context';
import { GatewayError } from '../../errors/gateway-error';
import type { GrpcSourceOptions } from './options';
import { importGrpc, type GrpcPlan, type MethodPlan } from './import';
import { createConverters } from './convert';
import { createWireDecoders } from './wire-decode';
import { createGrpcClient, type CallSpec } from './client';
import { operationPolicy, RESILIENCE_DEFAULTS } from '../../resilience';

// The graphql copy @graphql-tools/schema builds schemas with (CJS under Node and under vitest alike).
const { getArgumentValues } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/**
 * graphql-jit (0.8.x) calls `subscribe` with the operation's variables instead of the field's
 * arguments, so a literal `watchOrders(max: 3)` would arrive as `{}`. Read them from the field.
 */
function subscriptionArgs(args: Record<string, unknown>, info: GraphQLResolveInfo): Record<string, unknown> {
  try {
    const field = info.parentType.getFields()[info.fieldName]!;
    return getArgumentValues(field, info.fieldNodes[0]!, info.variableValues);
  } catch {
    return args;
  }
}

/**
 * gRPC sources: .proto -> SDL + plan (import.ts), one grpc-js channel per source (client.ts),
 * decoded messages converted once into GraphQL-shaped plain objects (convert.ts), or for simple
 * message types decoded straight from the wire into them (wire-decode.ts).
 */
export const grpcAdapter = {
  kind: 'grpc',
  importSource: importGrpc,
  createRuntime(imported, options, env) {
    const plan = imported.plan;
    const client = createGrpcClient(options, env.baseDir, env.logger);
    const resilience = options.resilience ?? RESILIENCE_DEFAULTS;
    const conv = createConverters(plan);
    const wire = createWireDecoders(plan, conv);
    const resolvers: ResolverMap = {};
    const rootOf = (name: string) => (resolvers[name] ??= {}) as Record<string, unknown>;

    for (const m of plan.methods) {
      // Response bytes decode straight into GraphQL values where the type allows (wire-decode.ts).
      const response = wire.codec(m.responseType);
      const encode = requestEncoder(plan, m, conv.input(m.requestType), options.name);
      // Queries are retried on UNAVAILABLE; mutations only when marked idempotent in resilience.operations.
      const override = operationPolicy(resilience, [`${m.rootType}.${m.field}`, m.field, m.upstream]);
      const spec: CallSpec<Buffer, unknown> = {
        path: m.path,
        operation: m.upstream,
        idempotent: override.idempotent ?? m.rootType === 'Query',
        ...(override.timeoutMs ? { timeoutMs: override.timeoutMs } : {}),
        serialize: (bytes) => bytes, // encoded before the call (also the de-duplication key)
        deserialize: response.deserialize,
        convert: response.convert,
      };
      if (m.serverStreaming) {
        rootOf('Subscription')[m.field] = {
          subscribe: (_parent: unknown, args: Record<string, unknown>, ctx: GatewayContext, info: GraphQLResolveInfo) =>
            client.serverStream(spec, encode(subscriptionArgs(args, info)), ctx),
          resolve: (payload: unknown) => payload,
        };
      } else if (m.rootType === 'Query') {
        // Identical query calls within one request share one upstream call.
        const prefix = `grpc:${options.name}:${m.path}:`;
        rootOf('Query')[m.field] = (_parent: unknown, args: Record<string, unknown>, ctx: GatewayContext) => {
          const bytes = encode(args);
          const memo = ctx.loaders;
          if (!memo) return client.unary(spec, bytes, ctx);
          const key = prefix + bytes.toString('base64');
          let p = memo.get(key) as Promise<unknown> | undefined;
          if (!p) memo.set(key, (p = client.unary(spec, bytes, ctx)));
          return p;
        };
      } else {
        rootOf(m.rootType)[m.field] = (_parent: unknown, args: Record<string, unknown>, ctx: GatewayContext) => client.unary(spec, encode(args), ctx);
      }
    }
    for (const union of new Set(plan.unions.values())) {
      rootOf(union)['__resolveType'] = (value: { __typename?: string }) => value.__typename;
    }

    let open = true;
    return {
      resolvers,
      // /readyz: while one instance is healthy (resilience.readiness).
      ready: () => open && client.healthy(),
      async dispose() {
        open = false;
        client.close();
      },
    };
  },
} satisfies Adapter<GrpcSourceOptions, GrpcPlan>;

/**
 * Flattened arguments -> encoded request. A request that is not a plain message (a well-known
 * type) arrives as the single `input` argument. Values GraphQL accepted but proto cannot carry
 * (e.g. a Duration in months) fail this field with UPSTREAM_INVALID_ARGUMENT before any call.
 */
function requestEncoder(plan: GrpcPlan, m: MethodPlan, input: (v: unknown) => unknown, source: string): (args: Record<string, unknown>) => Buffer {
  const type = plan.root.lookupType(m.requestType);
  const flattened = type instanceof protobuf.Type && !m.requestType.startsWith('.google.protobuf.');
  return (args) => {
    try {
      const msg = (flattened ? input(args) : (input(args['input']) ?? {})) as Record<string, unknown>;
      const u8 = type.encode(msg).finish();
      return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
    } catch (e) {
      throw new GatewayError('UPSTREAM_INVALID_ARGUMENT', {
        message: `Invalid arguments for ${m.upstream}: ${(e as Error).message}`,
        upstream: { source, operation: m.upstream },
      });
    }
  };
}
