import type { Adapter, GatewayResolver, ResolverMap } from '../types';
import { requestSignal, type GatewayContext } from '../../context';
import type { SoapSourceOptions } from './options';
import type { SoapPlan } from './plan';
import { StartupError } from '../../errors/gateway-error';
import { importWsdl } from './import';
import { SoapClient } from './client';
import { linkPlan, ShapeError } from './link';
import { decodeEnvelope } from './decode';
import { fastDecodeEnvelope } from './fast-decode';
import { buildEnvelope } from './encode';
import { badResponse, faultError, httpError } from './errors';
import { parseXml, XmlError } from './xml';
import { createUpstreamPolicy, operationPolicy, RESILIENCE_DEFAULTS, stickyKeyFor, tcpReachable, toInstanceSpecs, type InstanceSpec, type UpstreamPolicy } from '../../resilience';


/** SOAP 1.1/1.2 sources described by a WSDL 1.1 document (issue #5). */
export const soapAdapter = {
  kind: 'soap',
  importSource(options, env) {
    return importWsdl(options, env);
  },
  createRuntime(imported, options, env) {
    const plan = imported.plan;
    for (const [i, h] of options.soapHeaders.entries()) {
      try {
        parseXml(h);
      } catch (e) {
        throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.soapHeaders[${i}]`, message: `not a well-formed XML element: ${(e as XmlError).message}`, fix: 'Give one complete element that declares its namespaces, e.g. <h:Token xmlns:h="urn:x">abc</h:Token>.' }]);
      }
    }
    const usable = (raw: string | null | undefined): URL | null => {
      let url: URL | null = null;
      try {
        url = raw ? new URL(raw) : null;
      } catch {
        url = null;
      }
      return url && /^https?:$/.test(url.protocol) && !/[{}]/.test(url.hostname) ? url : null;
    };
    // `url` or `urls` pin the endpoint(s) in config; without them each operation calls its WSDL soap:address.
    const pinned: InstanceSpec[] | undefined = options.urls ? toInstanceSpecs(options.urls) : options.url ? [{ target: options.url, weight: 1 }] : undefined;
    if (options.urls) {
      const bad = pinned!.flatMap((inst, i) => (usable(inst.target) ? [] : [`urls[${i}]: ${inst.target}`]));
      if (bad.length) {
        throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.urls`, message: `not a usable http(s) endpoint: ${bad.slice(0, 3).join('; ')}`, fix: 'Give each instance as the full http(s) URL of the service endpoint.' }]);
      }
    }
    const endpoints = new Map<string, URL>();
    const problems: string[] = [];
    for (const op of plan.operations) {
      const raw = pinned ? pinned[0]!.target : op.endpoint;
      const url = usable(raw);
      if (!url) problems.push(`${op.name}: ${raw ?? 'no soap:address'}`);
      else endpoints.set(op.field, url);
    }
    if (!pinned && plan.operations.length) {
      env.logger.warn('SOAP source calls the soap:address written in its WSDL; set `url` to pin the endpoint in config', { source: options.name, endpoint: plan.operations[0]!.endpoint });
    }
    if (problems.length) {
      throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.url`, message: `no usable endpoint for ${problems.length} operation(s) (${problems.slice(0, 3).join('; ')})`, fix: 'Set `url` on the source to the service endpoint.' }]);
    }
    const client = new SoapClient({ source: options.name, timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes, connections: options.connections, headers: options.headers });

    // Traffic management (src/resilience): one policy over the pinned instances, or one per WSDL address.
    const resilience = options.resilience ?? RESILIENCE_DEFAULTS;
    const pinnedUrls = new Map((pinned ?? []).map((i) => [i.target, new URL(i.target)]));
    const policyFor = (instances: readonly InstanceSpec[]) =>
      createUpstreamPolicy(options.name, { instances, resilience, timeoutMs: options.timeoutMs, probe: (i, s) => tcpReachable(i.target, s) }, env.logger);
    const shared = pinned && policyFor(pinned);
    // No url/urls: the WSDL's addresses are different services, never balanced together.
    const perEndpoint = new Map<string, UpstreamPolicy>();
    const policyOf = (e: URL): UpstreamPolicy => {
      if (shared) return shared;
      let policy = perEndpoint.get(e.href);
      if (!policy) perEndpoint.set(e.href, (policy = policyFor([{ target: e.href, weight: 1 }])));
      return policy;
    };

    const linked = linkPlan(plan);
    const envelopeOptions = { soapHeaders: options.soapHeaders, security: options.security, identityHeader: options.identityHeader };
    const resolvers: ResolverMap = {};
    for (const op of linked.values()) {
      const p = op.plan;
      const endpoint = endpoints.get(p.field)!;
      const site = { source: options.name, operation: p.name };
      // Created now, not on first call, so active health checks start at start-up.
      const policy = policyOf(endpoint);
      const override = operationPolicy(resilience, [`${p.root}.${p.field}`, p.field, p.name]);
      // Queries are retried on connection errors / 502-504 / timeouts; mutations only when marked idempotent.
      const idempotent = override.idempotent ?? p.root === 'Query';
      const fastDecode = (text: string) => fastDecodeEnvelope(text, op);
      const call = async (args: Record<string, unknown>, ctx: GatewayContext | undefined): Promise<unknown> => {
        // Once, outside the retries; the caller's identity (auth.forward) goes into the soap:Header.
        const envelope = buildEnvelope(op, args, envelopeOptions, ctx?.upstreamHeaders?.[options.name]);
        const stickyKey = ctx ? stickyKeyFor(resilience.sticky, ctx) : undefined;
        return policy.execute(
          async (instance, signal) => {
            const target = pinned ? pinnedUrls.get(instance.target)! : endpoint;
            const answer = await client.call({ endpoint: target, soapVersion: p.soapVersion, soapAction: p.soapAction, envelope, operation: p.name, signal, fastDecode });
            const status = answer.status;
            // Decoded inside the attempt: a 503 without a Fault is retryable, a SOAP Fault is an answer (neither retried nor counted).
            let decoded = answer.decoded;
            try {
              decoded ??= decodeEnvelope(answer.root!, op);
            } catch (e) {
              // Decoding only reads upstream data: whatever fails in it is the answer's fault, never a gateway bug to mask.
              if (status < 200 || status >= 300) throw httpError(site, status);
              throw badResponse(site, e instanceof ShapeError ? e.message : `unreadable answer (${(e as Error)?.message ?? String(e)})`, status, e);
            }
            if ('fault' in decoded) throw faultError(site, decoded.fault, status);
            if (status < 200 || status >= 300) throw httpError(site, status);
            return decoded.value;
          },
          {
            idempotent,
            signal: requestSignal(ctx),
            operation: p.name,
            ...(ctx?.deadline !== undefined ? { deadline: ctx.deadline } : {}),
            ...(stickyKey !== undefined ? { stickyKey } : {}),
            ...(override.timeoutMs ? { timeoutMs: override.timeoutMs } : {}),
          },
        );
      };
      const memoPrefix = `soap:${options.name}:${p.field}:`;
      const resolve: GatewayResolver = (_parent, args, ctx) => {
        // Identical read calls within one request (aliases, repeated fragments) share one upstream call.
        if (p.root !== 'Query' || !ctx?.loaders) return call(args, ctx);
        const key = memoPrefix + JSON.stringify(args);
        let pending = ctx.loaders.get(key) as Promise<unknown> | undefined;
        if (!pending) {
          pending = call(args, ctx);
          ctx.loaders.set(key, pending);
        }
        return pending;
      };
      const root = (resolvers[p.root] ??= {}) as Record<string, GatewayResolver>;
      root[p.field] = resolve;
    }
    const policies = [...(shared ? [shared] : []), ...perEndpoint.values()];
    let disposed = false;
    return {
      resolvers,
      // /readyz: every policy has a healthy instance (or `resilience.readiness: 'always'`); pools connect lazily.
      ready: () => !disposed && policies.every((policy) => policy.healthy()),
      dispose: () => {
        disposed = true;
        for (const policy of policies) policy.dispose();
        return client.dispose();
      },
    };
  },
} satisfies Adapter<SoapSourceOptions, SoapPlan>;

export type { SoapPlan } from './plan';
export { soapOptionsSchema, type SoapSourceOptions, type SoapSourceInput } from './options';
