import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { executePlan, planQuery } from './batched';

/**
 * Runs every query the breadth-first engine can plan (src/engine/batched.ts) on it; everything
 * else keeps the engine set before (graphql-jit, or graphql-js). Must come after the jit plugin:
 * the last `setExecuteFn` wins. Other plugins' execute hooks (cost, rate limit, auth) run around
 * it unchanged.
 */
export function useBatchedExecution(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const plan = planQuery(args.schema, args.document, args.operationName);
      if (!plan) return;
      setExecuteFn((a: ExecutionArgs) => {
        const result = executePlan(plan, a as Parameters<typeof executePlan>[1]);
        // Variables that do not coerce (nothing ran): the engine set before answers, as it would
        // without this one. Its request errors differ from graphql-js's: graphql-jit's messages,
        // and yoga's default executor marks them HTTP 400.
        return !(result instanceof Promise) && !('data' in result) ? executeFn(a) : result;
      });
    },
  };
}
