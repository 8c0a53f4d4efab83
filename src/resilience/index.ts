/** Traffic management shared by every adapter: see policy.ts for the entry point. */
export { createUpstreamPolicy, type UpstreamPolicy, type UpstreamPolicyOptions, type ExecuteOptions, type AttemptInfo } from './policy';
export type { Instance, InstanceSnapshot } from './instance';
export type { HealthProbe } from './health';
export { classifyError, type AttemptOutcome } from './classify';
export {
  resilienceOptionsSchema,
  urlInstanceSchema,
  addressInstanceSchema,
  toInstanceSpecs,
  operationPolicy,
  RESILIENCE_DEFAULTS,
  type ResilienceOptions,
  type ResilienceInput,
  type InstanceSpec,
} from './options';
export { stickyKeyFor } from './sticky';
export { tcpReachable } from './probes';
