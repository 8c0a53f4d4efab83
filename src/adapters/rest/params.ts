import type { RestParamPlan } from './plan';

/**
 * OpenAPI 3 parameter serialisation (style/explode), per the spec's "Style Examples" table.
 * Values are percent-encoded here; host and scheme never come from arguments.
 */

type Primitive = string | number | boolean;

const enc = (v: Primitive, allowReserved = false): string =>
  allowReserved ? encodeURI(String(v)).replace(/[#&?]/g, encodeURIComponent) : encodeURIComponent(String(v));

function entries(value: Record<string, unknown>): [string, Primitive][] {
  const out: [string, Primitive][] = [];
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out.push([k, v as Primitive]);
  return out;
}

/** Serialises a path parameter value (style simple | label | matrix). */
export function serializePathParam(p: RestParamPlan, value: unknown): string {
  const name = p.name;
  if (Array.isArray(value)) {
    const items = value.map((v) => enc(v as Primitive));
    switch (p.style) {
      case 'label':
        return '.' + items.join(p.explode ? '.' : ',');
      case 'matrix':
        return p.explode ? items.map((v) => `;${name}=${v}`).join('') : `;${name}=${items.join(',')}`;
      default:
        return items.join(',');
    }
  }
  if (value !== null && typeof value === 'object') {
    const kv = entries(value as Record<string, unknown>);
    switch (p.style) {
      case 'label':
        return '.' + (p.explode ? kv.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('.') : kv.flatMap(([k, v]) => [enc(k), enc(v)]).join(','));
      case 'matrix':
        return p.explode ? kv.map(([k, v]) => `;${enc(k)}=${enc(v)}`).join('') : `;${name}=${kv.flatMap(([k, v]) => [enc(k), enc(v)]).join(',')}`;
      default:
        return p.explode ? kv.map(([k, v]) => `${enc(k)}=${enc(v)}`).join(',') : kv.flatMap(([k, v]) => [enc(k), enc(v)]).join(',');
    }
  }
  const v = enc(value as Primitive);
  if (p.style === 'label') return '.' + v;
  if (p.style === 'matrix') return `;${name}=${v}`;
  return v;
}

/** Appends a query parameter's serialisation to `parts` (already `name=value` encoded). */
export function serializeQueryParam(p: RestParamPlan, value: unknown, parts: string[]): void {
  const name = encodeURIComponent(p.name);
  if (Array.isArray(value)) {
    const items = value.map((v) => enc(v as Primitive, p.allowReserved));
    if (p.style === 'spaceDelimited') parts.push(`${name}=${items.join('%20')}`);
    else if (p.style === 'pipeDelimited') parts.push(`${name}=${items.join('|')}`);
    else if (p.explode) for (const v of items) parts.push(`${name}=${v}`);
    else parts.push(`${name}=${items.join(',')}`);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const kv = entries(value as Record<string, unknown>);
    if (p.style === 'deepObject') {
      for (const [k, v] of kv) parts.push(`${name}%5B${encodeURIComponent(k)}%5D=${enc(v, p.allowReserved)}`);
    } else if (p.explode) {
      for (const [k, v] of kv) parts.push(`${encodeURIComponent(k)}=${enc(v, p.allowReserved)}`);
    } else {
      const sep = p.style === 'spaceDelimited' ? '%20' : p.style === 'pipeDelimited' ? '|' : ',';
      parts.push(`${name}=${kv.flatMap(([k, v]) => [encodeURIComponent(k), enc(v, p.allowReserved)]).join(sep)}`);
    }
    return;
  }
  parts.push(`${name}=${enc(value as Primitive, p.allowReserved)}`);
}

/** Serialises a header parameter (style simple). CR/LF are refused by the caller. */
export function serializeHeaderParam(p: RestParamPlan, value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',');
  if (value !== null && typeof value === 'object') {
    const kv = entries(value as Record<string, unknown>);
    return p.explode ? kv.map(([k, v]) => `${k}=${v}`).join(',') : kv.flatMap(([k, v]) => [k, String(v)]).join(',');
  }
  return String(value);
}

/** Serialises a cookie parameter (style form) as `name=value` pairs. */
export function serializeCookieParam(p: RestParamPlan, value: unknown): string {
  const name = encodeURIComponent(p.name);
  if (Array.isArray(value)) return p.explode ? value.map((v) => `${name}=${enc(v as Primitive)}`).join('; ') : `${name}=${value.map((v) => enc(v as Primitive)).join(',')}`;
  if (value !== null && typeof value === 'object') {
    const kv = entries(value as Record<string, unknown>);
    return p.explode ? kv.map(([k, v]) => `${encodeURIComponent(k)}=${enc(v)}`).join('; ') : `${name}=${kv.flatMap(([k, v]) => [encodeURIComponent(k), enc(v)]).join(',')}`;
  }
  return `${name}=${enc(value as Primitive)}`;
}
