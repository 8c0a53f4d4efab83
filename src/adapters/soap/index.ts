import type { Adapter, GatewayResolver, ResolverMap } from '../types';
import type { SoapSourceOptions } from './options';
import type { SoapPlan } from './plan';
import { StartupError } from '../../errors/gateway-error';
import { importWsdl } from './import';
import { SoapClient } from './client';
import { linkPlan, ShapeError } from './link';
import { decodeEnvelope } from './decode';
import { buildEnvelope } from './encode';
import { badResponse, faultError, httpError } from './errors';
import { parseXml, XmlError } from './xml';

const NEVER_ABORTED = new AbortController().signal;

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
    const endpoints = new Map<string, URL>();
    const problems: string[] = [];
    for (const op of plan.operations) {
      const raw = options.url ?? op.endpoint;
      let url: URL | null = null;
      try {
        url = raw ? new URL(raw) : null;
      } catch {
        url = null;
      }
      if (!url || !/^https?:$/.test(url.protocol) || /[{}]/.test(url.hostname)) problems.push(`${op.name}: ${raw ?? 'no soap:address'}`);
      else endpoints.set(op.field, url);
    }
    if (!options.url && plan.operations.length) {
      env.logger.warn('SOAP source calls the soap:address written in its WSDL; set `url` to pin the endpoint in config', { source: options.name, endpoint: plan.operations[0]!.endpoint });
    }
    if (problems.length) {
      throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.url`, message: `no usable endpoint for ${problems.length} operation(s) (${problems.slice(0, 3).join('; ')})`, fix: 'Set `url` on the source to the service endpoint.' }]);
    }
    const client = new SoapClient({ source: options.name, timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes, connections: options.connections, headers: options.headers });
    const linked = linkPlan(plan);
    const envelopeOptions = { soapHeaders: options.soapHeaders, security: options.security };
    const resolvers: ResolverMap = {};
    for (const op of linked.values()) {
      const p = op.plan;
      const endpoint = endpoints.get(p.field)!;
      const site = { source: options.name, operation: p.name };
      const call = async (args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> => {
        const envelope = buildEnvelope(op, args, envelopeOptions);
        const { status, root } = await client.call({ endpoint, soapVersion: p.soapVersion, soapAction: p.soapAction, envelope, operation: p.name, signal });
        let decoded;
        try {
          decoded = decodeEnvelope(root, op);
        } catch (e) {
          // Decoding only reads upstream data: whatever fails in it is the answer's fault, never a gateway bug to mask.
          if (status < 200 || status >= 300) throw httpError(site, status);
          throw badResponse(site, e instanceof ShapeError ? e.message : `unreadable answer (${(e as Error)?.message ?? String(e)})`, status, e);
        }
        if ('fault' in decoded) throw faultError(site, decoded.fault, status);
        if (status < 200 || status >= 300) throw httpError(site, status);
        return decoded.value;
      };
      const memoPrefix = `soap:${options.name}:${p.field}:`;
      const resolve: GatewayResolver = (_parent, args, ctx) => {
        const signal = ctx?.signal ?? NEVER_ABORTED;
        // Identical read calls within one request (aliases, repeated fragments) share one upstream call.
        if (p.root !== 'Query' || !ctx?.loaders) return call(args, signal);
        const key = memoPrefix + JSON.stringify(args);
        let pending = ctx.loaders.get(key) as Promise<unknown> | undefined;
        if (!pending) {
          pending = call(args, signal);
          ctx.loaders.set(key, pending);
        }
        return pending;
      };
      const root = (resolvers[p.root] ??= {}) as Record<string, GatewayResolver>;
      root[p.field] = resolve;
    }
    let disposed = false;
    return {
      resolvers,
      // Pools connect lazily: the source is ready once configured, until disposed.
      ready: () => !disposed,
      dispose: () => {
        disposed = true;
        return client.dispose();
      },
    };
  },
} satisfies Adapter<SoapSourceOptions, SoapPlan>;

export type { SoapPlan } from './plan';
export { soapOptionsSchema, type SoapSourceOptions, type SoapSourceInput } from './options';
