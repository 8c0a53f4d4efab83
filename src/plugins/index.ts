import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../adapters/types';
import type { SwitchyardConfig } from '../config/schema';
import { loadTrustedDocuments } from '../policy/trusted-documents';
import { useAuth } from './use-auth';
import { useCostLimit } from './use-cost-limit';
import { useOperationLimits } from './use-operation-limits';
import { createRateLimitStore, useRateLimit } from './use-rate-limit';
import type { RateLimitOptions } from '../policy/options';
import type { RateLimitStore } from '../policy/rate-limit-store';

/** One store per `rateLimit` config object: every view (endpoint) of a gateway shares the budget and the Redis connection. */
const stores = new WeakMap<RateLimitOptions, RateLimitStore>();
import { useTrustedDocuments } from './use-trusted-documents';

/**
 * The policy plugins, in the order they must run. Each config key adds at most one plugin.
 * Field authorization is not a plugin: it is compiled into the resolvers when the schema is
 * built (src/policy/field-auth.ts).
 */
export function createPolicyPlugins(config: SwitchyardConfig, logger: Logger): Plugin[] {
  const plugins: Plugin[] = [];
  // 1. trusted documents (onParams): swap a document id for its text; refuse unknown documents.
  if (config.trustedDocuments) plugins.push(useTrustedDocuments(config.trustedDocuments, loadTrustedDocuments(config.trustedDocuments.manifest, config.baseDir)));
  // 2. auth (onParams for HTTP, onContextBuilding for graphql-ws): the identity must be known
  //    before validation (suggestions) and execution; a bad credential replaces any result above.
  if (config.auth) plugins.push(useAuth(config.auth, logger));
  // 3. operation limits (onParse, onValidate): tokens while parsing, then depth/aliases/directives.
  if (config.limits.enabled) plugins.push(useOperationLimits(config.limits));
  // 4. cost estimate (onExecute): refuse above maxCost before any resolver runs.
  if (config.cost.enabled) plugins.push(useCostLimit({ ...config.cost, exposeInResponse: config.cost.exposeInResponse ?? Boolean(config.rateLimit) }));
  // 5. rate limit (onExecute, after 4): charge the estimate to the client's budget, refund down
  //    to the actual cost afterwards.
  if (config.rateLimit) {
    let store = stores.get(config.rateLimit);
    if (!store) stores.set(config.rateLimit, (store = createRateLimitStore(config.rateLimit)));
    const rateLimit = useRateLimit(config.rateLimit, logger, store);
    plugins.push({ ...rateLimit, onDispose: () => rateLimit.store.close() });
  }
  return plugins;
}
