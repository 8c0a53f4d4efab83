import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLScalarType } from 'graphql';
import type { GatewayContext } from '../context';

/**
 * The contract every protocol adapter implements (`src/adapters/<protocol>/index.ts` exports one
 * `satisfies Adapter<Options>`). An adapter owns: import (spec -> SDL + call plans), the client (the
 * only code touching its transport), and error translation. It knows nothing of auth, cost or
 * other sources.
 */
export interface Adapter<Options extends SourceOptionsBase, Plan = unknown> {
  readonly kind: Options['kind'];
  /**
   * Reads the upstream contract and returns the source's SDL plus what is needed to call each
   * operation. Pure apart from reading the spec (file or URL): no connection to the upstream.
   */
  importSource(options: Options, env: ImportEnv): Promise<ImportedSource<Plan>>;
  /**
   * Creates the upstream client once per source (pools/channels are lazy: nothing connects until
   * the first call) and returns resolvers bound to it.
   */
  createRuntime(imported: ImportedSource<Plan>, options: Options, env: RuntimeEnv): SourceRuntime;
}

export interface SourceOptionsBase {
  kind: string;
  /** Source name: a GraphQL-safe identifier, used in errors, metrics, and `schemas/<name>/`. */
  name: string;
}

export interface ImportEnv {
  /** Directory relative paths in options are resolved against (the config file's directory). */
  baseDir: string;
}

export interface RuntimeEnv {
  baseDir: string;
  logger: Logger;
}

export interface ImportWarning {
  /** Where in the spec (`GET /pets/{id}`, `routeguide.RouteGuide.RouteChat`, `tns:GetStock`). */
  location: string;
  message: string;
}

/** One operation the source exposes, for `explain`, docs and tests. */
export interface OperationInfo {
  /** `Query.getUser`, `Mutation.createPet`, `Subscription.watchOrders`. */
  field: string;
  /** The upstream operation: `GET /users/{id}`, `shop.orders.v1.OrdersService/GetOrder`, `GetStock`. */
  upstream: string;
  kind: 'query' | 'mutation' | 'subscription';
}

export interface ImportedSource<Plan = unknown> {
  sourceName: string;
  kind: string;
  /** Printed SDL of the source (what `switchyard import` writes to schemas/<name>/generated.graphql). */
  sdl: string;
  operations: OperationInfo[];
  warnings: ImportWarning[];
  /** Adapter-private data needed to call operations and map results (not part of the SDL). */
  plan: Plan;
}

export type GatewayResolver = GraphQLFieldResolver<unknown, GatewayContext, Record<string, unknown>>;

export interface ResolverMap {
  [typeName: string]:
    | GraphQLScalarType
    | {
        [fieldName: string]:
          | GatewayResolver
          | { subscribe: GatewaySubscribe; resolve?: GatewayResolver }
          | ((value: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => string | undefined);
      };
}

export type GatewaySubscribe = (
  parent: unknown,
  args: Record<string, unknown>,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
) => AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>;

export interface SourceRuntime {
  /** Resolvers for the source's SDL: root fields call the upstream; object fields map names. */
  resolvers: ResolverMap;
  /** True once the source is configured and can take calls (used by /readyz). */
  ready(): boolean;
  /** Closes pools and channels; called once on shutdown after in-flight requests finished. */
  dispose(): Promise<void>;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}
