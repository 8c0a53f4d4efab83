import type { GatewayContext } from '../../context';
import type { ImportedSource, Logger, ResolverMap, SourceRuntime } from '../types';
import type { RestSourceOptions } from './options';
import type { RestAbstractTypePlan, RestPlan } from './plan';
import { RestClient } from './client';
import { silentLogger } from '../../observability/logger';

/**
 * Binds the imported REST source to a client: root fields call the upstream, renamed object
 * fields read their JSON key, unions pick their member by discriminator or by shape.
 */
export function createRestRuntime(imported: ImportedSource<RestPlan>, options: RestSourceOptions, logger: Logger = silentLogger): SourceRuntime {
  const plan = imported.plan;
  const client = new RestClient(options, plan, logger);
  const toJsonInput = createInputConverter(plan);
  const resolvers: ResolverMap = {};

  for (const [key, opPlan] of Object.entries(plan.operations)) {
    const [typeName, field] = key.split('.') as [string, string];
    const prepared = client.prepare(key, opPlan);
    const typeResolvers = (resolvers[typeName] ??= {}) as Record<string, unknown>;
    typeResolvers[field] = (_parent: unknown, args: Record<string, unknown>, ctx: GatewayContext) =>
      client.call(prepared, args, ctx, toJsonInput);
  }

  for (const [typeName, fields] of Object.entries(plan.outputFieldMaps)) {
    const typeResolvers = (resolvers[typeName] ??= {}) as Record<string, unknown>;
    for (const [gqlField, jsonKey] of Object.entries(fields)) {
      typeResolvers[gqlField] = (parent: Record<string, unknown>) => parent[jsonKey];
    }
  }

  for (const [typeName, abstract] of Object.entries(plan.abstractTypes)) {
    const typeResolvers = (resolvers[typeName] ??= {}) as Record<string, unknown>;
    typeResolvers.__resolveType = createTypeResolver(abstract);
  }

  return {
    resolvers,
    // /readyz: while one instance is healthy (resilience.readiness).
    ready: () => client.policy.healthy(),
    dispose: () => client.dispose(),
  };
}

/** Picks the member of a union for a JSON object: discriminator first, then required keys, then best overlap. */
export function createTypeResolver(abstract: RestAbstractTypePlan): (value: unknown) => string | undefined {
  const { discriminator, members } = abstract;
  return (value: unknown) => {
    if (!value || typeof value !== 'object') return members[0]?.typeName;
    const obj = value as Record<string, unknown>;
    if (discriminator) {
      const tag = obj[discriminator.property];
      if (typeof tag === 'string' || typeof tag === 'number') {
        const mapped = discriminator.mapping[String(tag)];
        if (mapped) return mapped;
      }
    }
    let best = members[0]?.typeName;
    let bestScore = -1;
    for (const m of members) {
      if (m.requiredKeys.length && m.requiredKeys.every((k) => k in obj)) {
        const score = 1000 + m.requiredKeys.length;
        if (score > bestScore) {
          best = m.typeName;
          bestScore = score;
        }
        continue;
      }
      let overlap = 0;
      for (const k of m.jsonKeys) if (k in obj) overlap++;
      if (overlap > bestScore) {
        best = m.typeName;
        bestScore = overlap;
      }
    }
    return best;
  };
}

/** GraphQL input value -> JSON for the upstream, following renamed fields and oneOf inputs. */
export function createInputConverter(plan: RestPlan): (value: unknown, typeName?: string) => unknown {
  const convert = (value: unknown, typeName?: string): unknown => {
    if (value === null || value === undefined || !typeName) return value;
    if (Array.isArray(value)) return value.map((v) => convert(v, typeName));
    const t = plan.inputTypes[typeName];
    if (!t || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    if (t.oneOfMembers) {
      for (const m of t.oneOfMembers) {
        if (obj[m] !== undefined && obj[m] !== null) return convert(obj[m], t.fields[m]?.type);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const f = t.fields[k];
      out[f ? f.json : k] = f?.type ? convert(v, f.type) : v;
    }
    return out;
  };
  return convert;
}
