/** GraphQL-safe, deterministic names for things named in XML (`"ResultCode "`, `tContinent`, `Debtor_GetAll`). */

const RESERVED_TYPES = new Set([
  'Query', 'Mutation', 'Subscription', 'String', 'Int', 'Float', 'Boolean', 'ID',
  'JSON', 'Long', 'Base64', 'DateTime', 'Date', 'Duration', 'Decimal', 'Void',
]);

/** Any string -> `[_A-Za-z][_0-9A-Za-z]*`: invalid characters become `_`, a leading digit gets `_`, `__` prefixes are avoided. */
export function sanitizeName(s: string): string {
  let out = s.replace(/[^_0-9A-Za-z]/g, '_');
  if (out === '') out = '_';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (out.startsWith('__')) out = `x${out}`;
  return out;
}

export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function lowerFirst(s: string): string {
  // `URLLookup` -> `urlLookup`, `GetStock` -> `getStock`
  const m = /^[A-Z]+(?=[A-Z][a-z0-9])|^[A-Z]+$|^[A-Z]/.exec(s);
  return m ? m[0].toLowerCase() + s.slice(m[0].length) : s;
}

export function typeName(s: string): string {
  return upperFirst(sanitizeName(s));
}

/** Hands out unique names within one namespace (a type registry, the fields of one object). */
export class NameRegistry {
  private readonly used = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }
  static forTypes(): NameRegistry {
    return new NameRegistry(RESERVED_TYPES);
  }
  take(base: string): string {
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
  has(name: string): boolean {
    return this.used.has(name);
  }
}

const ENUM_FORBIDDEN = new Set(['true', 'false', 'null']);

export function enumValueName(s: string): string {
  const n = sanitizeName(s);
  return ENUM_FORBIDDEN.has(n) ? `${n}_` : n;
}
