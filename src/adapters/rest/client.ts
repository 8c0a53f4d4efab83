import { Pool } from 'undici';
import { requestSignal, type GatewayContext } from '../../context';
import { GatewayError, type UpstreamErrorDetail } from '../../errors/gateway-error';
import type { RestSourceOptions } from './options';
import type { RestOperationPlan, RestParamPlan, RestPlan } from './plan';
import { httpError, pickProblem, transportError } from './errors';
import { parseJsonLossless } from '../../util/json';
import { TooLarge } from '../../util/read-stream';
import { exchange } from '../../util/http-exchange';
import { serializeCookieParam, serializeHeaderParam, serializePathParam, serializeQueryParam } from './params';
import type { Logger } from '../types';
import { createUpstreamPolicy, operationPolicy, RESILIENCE_DEFAULTS, stickyKeyFor, toInstanceSpecs, type Instance, type ResilienceOptions, type UpstreamPolicy } from '../../resilience';

/**
 * The only file of the REST adapter that touches the network. One undici keep-alive Pool per
 * upstream instance (`url` or each of `urls`), created lazily on first use and closed on dispose.
 * Every call goes through the source's upstream policy (src/resilience): instance choice, timeout,
 * retries of idempotent methods, circuit breaker, concurrency limit, cancellation.
 */

/** HTTP methods safe to repeat (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** An operation prepared once at start-up: its path template split, its rewrite applied. */
export interface PreparedOperation {
  field: string;
  plan: RestOperationPlan;
  /** Literal path pieces and parameter slots, alternating. */
  pathParts: (string | RestParamPlan)[];
  queryParams: RestParamPlan[];
  headerParams: RestParamPlan[];
  cookieParams: RestParamPlan[];
  upstreamLabel: string;
  /** Retried on connection errors / 502-504 / timeouts: idempotent method, or marked in `resilience.operations`. */
  idempotent: boolean;
  /** Per-call timeout override from `resilience.operations`. */
  timeoutMs?: number;
}

/** An upstream instance with what the client needs to address it. */
interface RestInstance {
  origin: string;
  /** The instance URL's path, without a trailing slash (health checks are relative to it). */
  urlPath: string;
  /** The instance URL's path plus the source's basePath, without a trailing slash. */
  basePath: string;
}

export class RestClient {
  private readonly pools = new Map<string, Pool>();
  private readonly targets = new Map<string, RestInstance>();
  private readonly staticHeaders: Record<string, string>;
  private readonly resilience: ResilienceOptions;
  readonly policy: UpstreamPolicy;
  private closed = false;

  constructor(
    private readonly options: RestSourceOptions,
    private readonly plan: RestPlan,
    logger: Logger,
  ) {
    const base = options.url ?? plan.servers[0];
    const specs = options.urls ? toInstanceSpecs(options.urls) : base ? [{ target: base, weight: 1 }] : [];
    if (!specs.length) {
      throw new GatewayError('CONFIG_INVALID', {
        message: `source ${options.name}: the spec declares no server; set url in the source config`,
      });
    }
    for (const { target } of specs) {
      const u = new URL(target);
      const urlPath = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
      this.targets.set(target, { origin: u.origin, urlPath, basePath: urlPath + options.basePath.replace(/\/$/, '') });
    }
    this.staticHeaders = { accept: 'application/json', ...lowerKeys(options.headers) };
    this.resilience = options.resilience ?? RESILIENCE_DEFAULTS;
    this.policy = createUpstreamPolicy(
      options.name,
      { instances: specs, resilience: this.resilience, timeoutMs: options.timeoutMs, probe: (inst, signal) => this.probe(inst, signal) },
      logger,
    );
  }

  prepare(field: string, plan: RestOperationPlan): PreparedOperation {
    const path = rewritePath(plan.path, this.options.pathRewrite);
    const byName = new Map(plan.params.filter((p) => p.in === 'path').map((p) => [p.name, p]));
    const pathParts: (string | RestParamPlan)[] = [];
    for (const piece of path.split(/(\{[^}]+\})/)) {
      if (!piece) continue;
      const m = /^\{([^}]+)\}$/.exec(piece);
      const p = m ? byName.get(m[1]!) : undefined;
      pathParts.push(p ?? piece);
    }
    return {
      field,
      plan,
      pathParts,
      queryParams: plan.params.filter((p) => p.in === 'query'),
      headerParams: plan.params.filter((p) => p.in === 'header'),
      cookieParams: plan.params.filter((p) => p.in === 'cookie'),
      upstreamLabel: `${plan.method} ${plan.path}`,
      ...this.callPolicy(field, plan),
    };
  }

  private callPolicy(field: string, plan: RestOperationPlan): { idempotent: boolean; timeoutMs?: number } {
    const override = operationPolicy(this.resilience, [field, field.slice(field.indexOf('.') + 1), `${plan.method} ${plan.path}`]);
    return {
      idempotent: override.idempotent ?? IDEMPOTENT_METHODS.has(plan.method.toUpperCase()),
      ...(override.timeoutMs ? { timeoutMs: override.timeoutMs } : {}),
    };
  }

  private pool(instance: Instance): Pool {
    let pool = this.pools.get(instance.id);
    if (!pool) {
      // The policy aborts each attempt at its timeout; undici's own timeouts are a backstop.
      const backstopMs = Math.max(this.options.timeoutMs, ...Object.values(this.resilience.operations).map((o) => o.timeoutMs ?? 0));
      pool = new Pool(this.targets.get(instance.target)!.origin, {
        connections: this.options.connections,
        keepAliveTimeout: 4_000,
        headersTimeout: backstopMs,
        bodyTimeout: backstopMs,
        connect: { timeout: Math.min(2_000, this.options.timeoutMs) },
      });
      this.pools.set(instance.id, pool);
    }
    return pool;
  }

  /** Active health check: GET <instance>/<healthCheck.path> answers 2xx. */
  private async probe(instance: Instance, signal: AbortSignal): Promise<void> {
    const path = this.targets.get(instance.target)!.urlPath + this.resilience.healthCheck.path;
    const res = await this.pool(instance).request({ path, method: 'GET', headers: this.staticHeaders, signal });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`health check answered HTTP ${res.statusCode}`);
  }

  /** Calls one operation with GraphQL arguments; returns JSON data (or throws a GatewayError). */
  async call(op: PreparedOperation, args: Record<string, unknown>, ctx: GatewayContext, toJsonInput: (v: unknown, type?: string) => unknown): Promise<unknown> {
    const upstream: UpstreamErrorDetail = { source: this.options.name, operation: op.upstreamLabel };
    const { plan } = op;
    // --- URL (relative to the instance's base path, added per attempt)
    let path = '';
    for (const part of op.pathParts) {
      if (typeof part === 'string') path += part;
      else {
        const v = args[part.argName];
        if (v === undefined || v === null) throw new GatewayError('BAD_REQUEST', { message: `argument ${part.argName} is required` });
        path += serializePathParam(part, part.inputType ? toJsonInput(v, part.inputType) : v);
      }
    }
    if (op.queryParams.length) {
      const parts: string[] = [];
      for (const p of op.queryParams) {
        let v = args[p.argName];
        if (v === undefined) v = p.default;
        if (v === undefined || v === null) continue;
        serializeQueryParam(p, p.inputType ? toJsonInput(v, p.inputType) : v, parts);
      }
      if (parts.length) path += '?' + parts.join('&');
    }
    // --- headers
    const headers: Record<string, string> = { ...this.staticHeaders };
    for (const name of this.options.forwardHeaders) {
      const v = ctx.requestHeaders.get(name);
      if (v !== null) headers[name] = v;
    }
    // Identity headers (auth.forward) replace any client-sent header of the same name.
    const fromIdentity = ctx.upstreamHeaders?.[this.options.name];
    if (fromIdentity) for (const [k, v] of Object.entries(fromIdentity)) v ? (headers[k] = v) : delete headers[k];
    for (const p of op.headerParams) {
      let v = args[p.argName];
      if (v === undefined) v = p.default;
      if (v === undefined || v === null) continue;
      const s = serializeHeaderParam(p, v);
      if (/[\r\n]/.test(s)) throw new GatewayError('BAD_REQUEST', { message: `argument ${p.argName} must not contain line breaks` });
      headers[p.name.toLowerCase()] = s;
    }
    if (op.cookieParams.length) {
      const cookies: string[] = [];
      for (const p of op.cookieParams) {
        const v = args[p.argName];
        if (v !== undefined && v !== null) cookies.push(serializeCookieParam(p, v));
      }
      if (cookies.length) headers.cookie = cookies.join('; ');
    }
    // --- body
    let body: string | Buffer | FormData | undefined;
    if (plan.body) {
      const raw = args[plan.body.argName];
      if (raw !== undefined && raw !== null) {
        const value = toJsonInput(raw, plan.body.inputType);
        const ct = plan.body.contentType;
        if (ct === 'application/x-www-form-urlencoded') {
          body = formEncode(value);
          headers['content-type'] = ct;
        } else if (ct === 'multipart/form-data') {
          body = multipart(value);
        } else if (ct.startsWith('text/')) {
          body = String(value);
          headers['content-type'] = ct;
        } else if (ct === 'application/octet-stream' || ct.startsWith('image/') || ct.startsWith('audio/') || ct.startsWith('video/')) {
          body = Buffer.from(String(value), 'base64');
          headers['content-type'] = ct;
        } else {
          body = JSON.stringify(value);
          headers['content-type'] = ct.includes('json') ? ct : 'application/json';
        }
      }
    }
    // GET/HEAD answers are the same within one request: make identical calls once.
    const memoKey = plan.method === 'GET' && !body ? `rest:${this.options.name}:${path}\n${headerKey(op, headers)}` : undefined;
    if (memoKey) {
      const hit = ctx.loaders.get(memoKey) as Promise<unknown> | undefined;
      if (hit) return hit;
      const p = this.send(op, path, headers, body, ctx, upstream);
      ctx.loaders.set(memoKey, p);
      return p;
    }
    return this.send(op, path, headers, body, ctx, upstream);
  }

  private async send(
    op: PreparedOperation,
    path: string,
    headers: Record<string, string>,
    body: string | Buffer | FormData | undefined,
    ctx: GatewayContext,
    upstream: UpstreamErrorDetail,
  ): Promise<unknown> {
    if (this.closed) throw new GatewayError('UPSTREAM_UNREACHABLE', { upstream, message: `${upstream.source} is shut down` });
    const stickyKey = stickyKeyFor(this.resilience.sticky, ctx);
    return this.policy.execute((instance, signal) => this.attempt(instance, op, path, headers, body, signal, upstream), {
      idempotent: op.idempotent,
      signal: requestSignal(ctx),
      operation: upstream.operation,
      ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
      ...(stickyKey !== undefined ? { stickyKey } : {}),
      ...(op.timeoutMs ? { timeoutMs: op.timeoutMs } : {}),
    });
  }

  /** One HTTP exchange with one instance; the policy owns timeout, retry and cancellation. */
  private async attempt(
    instance: Instance,
    op: PreparedOperation,
    path: string,
    headers: Record<string, string>,
    body: string | Buffer | FormData | undefined,
    signal: AbortSignal,
    upstream: UpstreamErrorDetail,
  ): Promise<unknown> {
    try {
      const res = await exchange(this.pool(instance), {
        path: this.targets.get(instance.target)!.basePath + path,
        method: op.plan.method,
        headers,
        body,
        signal,
        maxBytes: this.options.maxResponseBytes,
      }).catch((e: unknown) => {
        if (e instanceof TooLarge) {
          // A redirect is refused as such, whatever its body.
          if (e.status !== undefined && e.status >= 300 && e.status < 400) throw httpError(e.status, op.plan.entityLookup, upstream);
          throw tooLarge(this.options.maxResponseBytes, upstream);
        }
        throw e;
      });
      const status = res.status;
      const contentType = res.contentType;
      const text = res.body.toString('utf8');
      if (status >= 200 && status < 300) return decode(op, text, res.body, contentType, upstream);
      let problem: Record<string, unknown> | undefined;
      if (contentType.includes('json') && text.length) {
        try {
          problem = pickProblem(JSON.parse(text));
        } catch {
          problem = undefined;
        }
      }
      throw httpError(status, op.plan.entityLookup, { ...upstream, problem });
    } catch (e) {
      throw transportError(e, false, upstream);
    }
  }

  async dispose(): Promise<void> {
    this.closed = true;
    this.policy.dispose();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

function decode(op: PreparedOperation, text: string, body: Buffer, contentType: string, upstream: UpstreamErrorDetail): unknown {
  switch (op.plan.response.kind) {
    case 'empty':
      return true;
    case 'text':
      return text;
    case 'binary':
      // From the bytes: the UTF-8 text has lost whatever was not UTF-8.
      return body.toString('base64');
    case 'json':
      if (text.length === 0) return null;
      try {
        return parseJsonLossless(text);
      } catch {
        throw new GatewayError('UPSTREAM_BAD_RESPONSE', {
          upstream,
          message: `${upstream.source}: ${upstream.operation} answered with invalid JSON${contentType ? ` (content-type ${contentType.slice(0, 60)})` : ''}`,
        });
      }
  }
}

function tooLarge(max: number, upstream: UpstreamErrorDetail): GatewayError {
  return new GatewayError('UPSTREAM_BAD_RESPONSE', {
    upstream,
    message: `${upstream.source}: ${upstream.operation} answered with more than ${max} bytes`,
  });
}

function headerKey(op: PreparedOperation, headers: Record<string, string>): string {
  return op.headerParams.length || op.cookieParams.length ? JSON.stringify(headers) : '';
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** Longest matching prefix of `pathRewrite` wins. */
export function rewritePath(path: string, rewrites: Record<string, string>): string {
  let best = '';
  for (const from of Object.keys(rewrites)) {
    if ((path === from || path.startsWith(from.endsWith('/') ? from : from + '/')) && from.length > best.length) best = from;
  }
  return best ? rewrites[best] + path.slice(best.length) : path;
}

function formEncode(value: unknown): string {
  const params = new URLSearchParams();
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const x of v) params.append(k, typeof x === 'object' ? JSON.stringify(x) : String(x));
      else params.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  return params.toString();
}

function multipart(value: unknown): FormData {
  const form = new FormData();
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      for (const x of Array.isArray(v) ? v : [v]) form.append(k, typeof x === 'object' ? JSON.stringify(x) : String(x));
    }
  }
  return form;
}
