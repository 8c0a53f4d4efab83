import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CostAccount, GatewayContext } from '../context';
import { CostCache } from '../policy/cost';
import type { CostOptions } from '../policy/options';
import { requestError } from './request-error';
import { withExtension } from './result';

/**
 * Static cost analysis before execution: an operation estimated above `cost.maxCost` is refused
 * (COST_LIMIT_EXCEEDED, `extensions.cost = { estimated, max }`) before any resolver runs.
 * Estimates are cached per document/operation/slicing variables. After execution the actual cost
 * (real list lengths) is computed from the result and reported with the estimate in
 * `extensions.cost`; the rate-limit plugin charges it.
 */
export function useCostLimit(options: CostOptions & { exposeInResponse: boolean }): Plugin {
  const caches = new WeakMap<GraphQLSchema, CostCache>();
  const cacheFor = (schema: GraphQLSchema) => {
    let c = caches.get(schema);
    if (!c) caches.set(schema, (c = new CostCache(schema, options.defaultListSize)));
    return c;
  };
  return {
    onExecute({ args, setResultAndStopExecution, extendContext }) {
      // One cache lookup per request: the entry holds the estimate and the actual-cost plan.
      const cache = cacheFor(args.schema);
      const variant = cache.lookup(args.document, args.operationName, args.variableValues);
      const estimated = variant.estimated;
      if (estimated > options.maxCost) {
        setResultAndStopExecution({ errors: [requestError('COST_LIMIT_EXCEEDED', { cost: { estimated, max: options.maxCost } })] });
        return;
      }
      const account: CostAccount = { estimated, max: options.maxCost };
      extendContext({ cost: account } satisfies Partial<GatewayContext> as never);
      return {
        onExecuteDone({ result, setResult }) {
          if (!('data' in result) && !('errors' in result)) return; // async iterables (incremental delivery): estimate only
          account.actual = cache.actualOf(variant, args.document, args.operationName, args.variableValues, result.data);
          if (options.exposeInResponse) setResult(withExtension(result, 'cost', account));
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const estimated = cacheFor(args.schema).lookup(args.document, args.operationName, args.variableValues).estimated;
      if (estimated > options.maxCost) {
        setResultAndStopExecution({ errors: [requestError('COST_LIMIT_EXCEEDED', { cost: { estimated, max: options.maxCost } })] } as never);
      }
    },
  };
}
