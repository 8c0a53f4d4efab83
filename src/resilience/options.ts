import { z } from 'zod';

/**
 * Traffic-management options shared by every protocol adapter (REST, gRPC, SOAP). All defaults
 * live here, with units in the names; they follow RELIABILITY.md §3 (Envoy / Apollo / Hive anchors).
 * A source embeds it as `resilience: resilienceOptionsSchema.prefault({})`.
 */

const positiveInt = z.number().int().positive();

const instanceFields = {
  /** Share of calls relative to the other instances (`95` and `5` = 5% canary). @default 1 */
  weight: z.number().nonnegative().default(1),
  /** Label for logs and metrics (`v2`, `canary`). */
  tag: z.string().min(1).optional(),
};

/** A REST/SOAP instance: `'http://a:8080'` or `{ url, weight, tag }`. */
export const urlInstanceSchema = z.union([z.string().url(), z.object({ url: z.string().url(), ...instanceFields }).strict()]);
/** A gRPC instance: `'host:port'` or `{ address, weight, tag }`. */
export const addressInstanceSchema = z.union([z.string().min(1), z.object({ address: z.string().min(1), ...instanceFields }).strict()]);

/** What the policy balances over: the target (URL or host:port), its weight and label. */
export interface InstanceSpec {
  target: string;
  weight: number;
  tag?: string;
}

/** Normalises `urls` / `addresses` entries to instance specs. */
export function toInstanceSpecs(list: readonly (z.output<typeof urlInstanceSchema> | z.output<typeof addressInstanceSchema>)[]): InstanceSpec[] {
  return list.map((e) => {
    if (typeof e === 'string') return { target: e, weight: 1 };
    const target = 'url' in e ? e.url : e.address;
    return { target, weight: e.weight, ...(e.tag ? { tag: e.tag } : {}) };
  });
}

export const retryOptionsSchema = z
  .object({
    /** Retries after the first attempt (idempotent calls only). @default 2 */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** Full-jitter back-off: a random delay in [0, baseDelayMs × 2^n], capped by the remaining deadline. @default 100 */
    baseDelayMs: positiveInt.default(100),
    /** Upper bound of one back-off delay. @default 2000 */
    maxDelayMs: positiveInt.default(2_000),
    /** Retries may add at most this share of the calls seen in `budgetWindowMs`. @default 0.2 */
    budgetRatio: z.number().min(0).max(1).default(0.2),
    /** Retries per second always allowed on top of the ratio, so low traffic can still retry (Finagle's reserve). @default 3 */
    budgetMinRetriesPerSec: z.number().min(0).default(3),
    /** Sliding window of the retry budget. @default 10000 */
    budgetWindowMs: positiveInt.default(10_000),
  })
  .strict();

export const circuitBreakerOptionsSchema = z
  .object({
    /** @default true */
    enabled: z.boolean().default(true),
    /** Opens when failures / calls over the window reach this share. @default 0.5 */
    failureRateThreshold: z.number().gt(0).max(1).default(0.5),
    /** Calls remembered per instance. @default 20 */
    windowSize: z.number().int().min(1).default(20),
    /** Calls needed in the window before the rate counts. @default 10 */
    minCalls: z.number().int().min(1).default(10),
    /** Opens after this many failures in a row, whatever the rate. @default 5 */
    consecutiveFailures: z.number().int().min(1).default(5),
    /** How long an open breaker fails fast before half-opening. @default 30000 */
    openMs: positiveInt.default(30_000),
    /** Trial calls let through while half-open; all must succeed to close. @default 3 */
    halfOpenProbes: z.number().int().min(1).default(3),
  })
  .strict();

export const outlierDetectionOptionsSchema = z
  .object({
    /** @default true */
    enabled: z.boolean().default(true),
    /** Failures in a row that take an instance out of rotation. @default 5 */
    consecutiveFailures: z.number().int().min(1).default(5),
    /** First ejection; doubles on each further ejection. @default 30000 */
    baseEjectionMs: positiveInt.default(30_000),
    /** Longest ejection. @default 300000 */
    maxEjectionMs: positiveInt.default(300_000),
    /** Never eject more than this share of the instances (so one instance is never ejected). @default 50 */
    maxEjectedPercent: z.number().min(0).max(100).default(50),
  })
  .strict();

export const healthCheckOptionsSchema = z
  .object({
    /** Active checks on an interval. @default false */
    enabled: z.boolean().default(false),
    /** REST: path (relative to the instance URL) that answers 2xx when healthy. @default '/health' */
    path: z.string().startsWith('/').default('/health'),
    /** gRPC: service name sent to grpc.health.v1.Health/Check ('' = the whole server). @default '' */
    service: z.string().default(''),
    /** @default 10000 */
    intervalMs: positiveInt.default(10_000),
    /** @default 2000 */
    timeoutMs: positiveInt.default(2_000),
    /** Failed checks in a row before an instance is unhealthy. @default 2 */
    unhealthyThreshold: z.number().int().min(1).default(2),
    /** Passed checks in a row before it is healthy again. @default 1 */
    healthyThreshold: z.number().int().min(1).default(1),
  })
  .strict();

/** Per-operation overrides, keyed by field (`getItem`, `Query.getItem`) or upstream operation (`GET /items/{id}`, `pkg.Svc/Method`). */
export const operationPolicySchema = z
  .object({
    /** Per-call timeout of this operation. @default the source's timeoutMs */
    timeoutMs: positiveInt.optional(),
    /** Marks a mutation (POST, gRPC mutation) safe to retry, or forbids retrying a query. */
    idempotent: z.boolean().optional(),
  })
  .strict();

export const resilienceOptionsSchema = z
  .object({
    /** How an instance is picked. @default 'round-robin' (weighted) */
    loadBalancing: z.enum(['round-robin', 'least-in-flight']).default('round-robin'),
    /**
     * Sticky routing: one caller always lands on the same instance while it is available (weighted
     * rendezvous hashing, so canary shares hold). `{ header: 'x-user-id' }` or `{ identity: true }`
     * (JWT sub / API-key client / address). @default off
     */
    sticky: z
      .union([z.object({ header: z.string().min(1).toLowerCase() }).strict(), z.object({ identity: z.literal(true) }).strict()])
      .optional(),
    /** Whole budget of one logical call, retries and queueing included (the request deadline). @default 30000 */
    deadlineMs: positiveInt.default(30_000),
    retry: retryOptionsSchema.prefault({}),
    circuitBreaker: circuitBreakerOptionsSchema.prefault({}),
    outlierDetection: outlierDetectionOptionsSchema.prefault({}),
    healthCheck: healthCheckOptionsSchema.prefault({}),
    /** Calls in flight to this source (all instances). @default 100 */
    maxInFlight: positiveInt.default(100),
    /** Calls waiting for a slot; beyond, a call fails at once with UPSTREAM_OVERLOADED. @default 1024 */
    maxQueued: z.number().int().min(0).default(1_024),
    /** `/readyz` for this source: `any-healthy` = while one instance is healthy; `always`. @default 'any-healthy' */
    readiness: z.enum(['any-healthy', 'always']).default('any-healthy'),
    /** Timeouts and idempotency per operation. */
    operations: z.record(z.string(), operationPolicySchema).default({}),
  })
  .strict();

export type ResilienceOptions = z.output<typeof resilienceOptionsSchema>;
export type ResilienceInput = z.input<typeof resilienceOptionsSchema>;
export type RetryOptions = ResilienceOptions['retry'];
export type CircuitBreakerOptions = ResilienceOptions['circuitBreaker'];
export type OutlierDetectionOptions = ResilienceOptions['outlierDetection'];
export type HealthCheckOptions = ResilienceOptions['healthCheck'];
export type OperationPolicy = z.output<typeof operationPolicySchema>;

/** Resolved defaults, for tests and docs. */
export const RESILIENCE_DEFAULTS: ResilienceOptions = resilienceOptionsSchema.parse({});

/** The override for an operation, looked up by each of its names in order (first match wins). */
export function operationPolicy(options: ResilienceOptions, names: readonly string[]): OperationPolicy {
  for (const n of names) {
    const p = options.operations[n];
    if (p) return p;
  }
  return {};
}
