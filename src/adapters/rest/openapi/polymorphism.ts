/** oneOf/anyOf helpers: scalar-only alternatives, and how a union's member is picked (discriminator). */
import type { RestAbstractTypePlan } from '../plan';
import type { Flat, Schema, SchemaResolver } from './flatten';

export const INT_FORMATS = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32']);

/**
 * `anyOf[string, enum[...]]`, `oneOf[integer, number]`: alternatives that are all the same
 * GraphQL scalar collapse into it (lossless), instead of a union or JSON.
 */
export function commonScalar(resolver: SchemaResolver, alternatives: unknown[]): string | undefined {
  let common: string | undefined;
  for (const a of alternatives) {
    const af = resolver.flatten(a);
    if (af.alternatives?.length || af.conflict || af.types.length !== 1) return undefined;
    let c: string;
    switch (af.types[0]) {
      case 'string':
        if (af.format && af.format !== 'uri' && af.format !== 'email' && af.format !== 'uuid') return undefined;
        c = 'String';
        break;
      case 'boolean':
        c = 'Boolean';
        break;
      case 'number':
        if (af.format === 'decimal') return undefined;
        c = 'Float';
        break;
      case 'integer':
        if (af.format && !INT_FORMATS.has(af.format)) return undefined;
        c = 'Int';
        break;
      default:
        return undefined;
    }
    if (common === undefined || common === c) common = c;
    else if ((common === 'Int' && c === 'Float') || (common === 'Float' && c === 'Int')) common = 'Float';
    else return undefined;
  }
  return common;
}

/**
 * Member-selection plan of a union: required/known JSON keys per member for duck typing, plus the
 * discriminator (declared on the oneOf, or inherited by every member through allOf) with explicit
 * `mapping`, implicit schema names, and one-value enums of the discriminator property.
 */
export function abstractPlan(resolver: SchemaResolver, f: Flat, nodes: Schema[], names: string[], where: string, warn: (location: string, message: string) => void): RestAbstractTypePlan {
  const flats = nodes.map((n) => resolver.flatten(n));
  const plan: RestAbstractTypePlan = {
    members: flats.map((mf, i) => ({
      typeName: names[i]!,
      requiredKeys: [...mf.required].filter((k) => mf.properties.has(k)),
      jsonKeys: [...mf.properties.keys()],
    })),
  };
  const disc = f.discriminator ?? commonDiscriminator(flats);
  if (!disc) {
    const inferred = inferDiscriminator(resolver, flats, names);
    if (inferred) plan.discriminator = inferred;
    return plan;
  }
  // The property may live on the members or on the oneOf schema itself (`{properties: {kind}, oneOf: [...]}`).
  if (!f.properties.has(disc.propertyName) && !flats.every((mf) => mf.properties.has(disc.propertyName))) {
    warn(where, `discriminator ${disc.propertyName} is not a property of every member; members are picked by their properties`);
    return plan;
  }
  const mapping: Record<string, string> = {};
  for (const [value, target] of Object.entries(disc.mapping ?? {})) {
    const t = typeof target === 'string' ? resolver.mappingTarget(target, disc) : undefined;
    const i = t ? nodes.indexOf(t) : -1;
    if (i >= 0) mapping[value] = names[i]!;
  }
  nodes.forEach((n, i) => {
    const comp = resolver.componentName.get(n);
    if (comp !== undefined && !(comp in mapping)) mapping[comp] = names[i]!;
    // A member whose discriminator property is a one-value enum names its own value.
    const pf = resolver.flatten(flats[i]!.properties.get(disc.propertyName) ?? {});
    if (pf.enum && pf.enum.length === 1 && typeof pf.enum[0] === 'string' && !(pf.enum[0] in mapping)) mapping[pf.enum[0]] = names[i]!;
  });
  plan.discriminator = { property: disc.propertyName, mapping };
  return plan;
}

function commonDiscriminator(flats: Flat[]): Flat['discriminator'] {
  const first = flats[0]?.discriminator;
  if (!first) return undefined;
  return flats.every((f) => f.discriminator?.propertyName === first.propertyName) ? first : undefined;
}

/**
 * No declared discriminator: a property every member has as a one-value string enum, with a
 * different value per member (`type: enum[message]` / `type: enum[error]`), works as one.
 */
function inferDiscriminator(resolver: SchemaResolver, flats: Flat[], names: string[]): RestAbstractTypePlan['discriminator'] {
  const first = flats[0];
  if (!first) return undefined;
  for (const prop of first.properties.keys()) {
    const mapping: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < flats.length && ok; i++) {
      const raw = flats[i]!.properties.get(prop);
      const pf = raw === undefined ? undefined : resolver.flatten(raw);
      const v = pf?.enum?.length === 1 ? pf.enum[0] : undefined;
      if (typeof v !== 'string' || v in mapping || !flats[i]!.required.has(prop)) ok = false;
      else mapping[v] = names[i]!;
    }
    if (ok) return { property: prop, mapping };
  }
  return undefined;
}
