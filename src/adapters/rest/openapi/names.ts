/**
 * Deterministic, collision-free GraphQL names for OpenAPI identifiers.
 *
 * Every function here is pure: the same input always gives the same output, so generated SDL is
 * stable across runs. Collisions are resolved by `NameScope` with numeric suffixes in the order
 * names are claimed (spec order), which is deterministic too.
 */

const NAME_RE = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function isGraphQLName(s: string): boolean {
  return NAME_RE.test(s) && !s.startsWith('__');
}

/** Splits an identifier into words: `created_at` / `find pet by id` / `X-Request-Id` / `checkout.session`. */
export function words(s: string): string[] {
  return s
    .split(/[^0-9A-Za-z]+/)
    .filter((w) => w.length > 0);
}

function upperFirst(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** A word written in ALL CAPS (`GET`, `RAW`, `ID`) is treated as a normal word (`Get`, `Raw`, `Id`). */
function normaliseWord(w: string): string {
  return w.length > 1 && w === w.toUpperCase() && /[A-Z]/.test(w) ? w.charAt(0) + w.slice(1).toLowerCase() : w;
}

function fixStart(name: string, fallback: string): string {
  if (name.length === 0) return fallback;
  if (/^[0-9]/.test(name)) return `_${name}`;
  return name;
}

/** `find pet by id` -> `findPetById`, `created_at` -> `createdAt`, `GET_lists-format` -> `getListsFormat`. */
export function camelCase(s: string, fallback = 'field'): string {
  const ws = words(s).map(normaliseWord);
  if (ws.length === 0) return fallback;
  const first = ws[0]!;
  const head = first.charAt(0).toLowerCase() + first.slice(1);
  return fixStart(head + ws.slice(1).map(upperFirst).join(''), fallback);
}

/** `checkout.session` -> `CheckoutSession`, `objs_user` -> `ObjsUser`, `Pet` -> `Pet`. */
export function pascalCase(s: string, fallback = 'Type'): string {
  const ws = words(s);
  if (ws.length === 0) return fallback;
  return fixStart(ws.map(upperFirst).join(''), fallback);
}

/** Keeps the name but replaces every invalid character with `_` (used by `fieldNames: 'preserve'`). */
export function sanitiseName(s: string, fallback = 'field'): string {
  let out = s.replace(/[^_0-9A-Za-z]/g, '_');
  if (out.startsWith('__')) out = out.replace(/^_+/, '_');
  return fixStart(out, fallback);
}

/** Field / argument name in the configured style. */
export function fieldName(jsonKey: string, style: 'camelCase' | 'preserve'): string {
  if (style === 'preserve') return sanitiseName(jsonKey);
  // Leading underscores carry meaning in some APIs (`_id`): keep one.
  const lead = /^_+[A-Za-z0-9]/.test(jsonKey) ? '_' : '';
  const base = camelCase(jsonKey);
  return lead && !base.startsWith('_') ? `${lead}${base}` : base;
}

/**
 * A set of taken names. `claim(base)` returns `base` if free, else `base2`, `base3`... (or with a
 * separator when `base` ends in a digit), and marks the result taken.
 */
export class NameScope {
  private readonly taken = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }
  has(name: string): boolean {
    return this.taken.has(name);
  }
  reserve(name: string): void {
    this.taken.add(name);
  }
  claim(base: string): string {
    if (!this.taken.has(base)) {
      this.taken.add(base);
      return base;
    }
    const sep = /[0-9]$/.test(base) ? '_' : '';
    for (let i = 2; ; i++) {
      const candidate = `${base}${sep}${i}`;
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate);
        return candidate;
      }
    }
  }
}

/**
 * Assigns GraphQL names to a list of JSON keys of one object (or one argument list) without
 * collisions: keys whose generated name equals the key itself win first, then the rest in order.
 */
export function assignNames(keys: readonly string[], style: 'camelCase' | 'preserve', reserved: Iterable<string> = []): Map<string, string> {
  const scope = new NameScope(reserved);
  const out = new Map<string, string>();
  const wanted = keys.map((k) => fieldName(k, style));
  keys.forEach((k, i) => {
    if (wanted[i] === k && !scope.has(k)) out.set(k, scope.claim(k));
  });
  keys.forEach((k, i) => {
    if (!out.has(k)) out.set(k, scope.claim(wanted[i]!));
  });
  return out;
}

/** Enum values must be Names and not `true`/`false`/`null`. */
export function isEnumValueName(v: unknown): v is string {
  return typeof v === 'string' && isGraphQLName(v) && v !== 'true' && v !== 'false' && v !== 'null';
}

/** Type names GraphQL or the shared scalars already own. */
export const RESERVED_TYPE_NAMES = [
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'Query',
  'Mutation',
  'Subscription',
  'JSON',
  'Long',
  'Base64',
  'DateTime',
  'Date',
  'Duration',
  'Decimal',
  'Void',
];

/** Root field name from method + path: `GET /pets/{petId}` -> `getPetsByPetId`. */
export function nameFromPath(method: string, path: string): string {
  const parts: string[] = [method.toLowerCase()];
  for (const seg of path.split('/')) {
    if (!seg) continue;
    // `{date}` -> `ByDate`; `{date}.json` -> `ByDate Json`
    const re = /\{([^}]*)\}|([^{]+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(seg))) {
      if (m[1] !== undefined) parts.push('by', ...words(m[1]));
      else parts.push(...words(m[2]!));
    }
  }
  return camelCase(parts.join(' '), 'operation');
}

/**
 * Type names: a name GraphQL or the shared scalars own (`Subscription`, `Date`, `JSON`) becomes
 * `<Name>Type`; other clashes get numeric suffixes.
 */
export class TypeNameScope extends NameScope {
  private readonly reservedSet = new Set(RESERVED_TYPE_NAMES);
  constructor() {
    super(RESERVED_TYPE_NAMES);
  }
  override claim(base: string): string {
    return super.claim(this.reservedSet.has(base) ? `${base}Type` : base);
  }
}
