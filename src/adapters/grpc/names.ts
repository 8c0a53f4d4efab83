import protobuf from 'protobufjs';
import { GRAPHQL_NAME, jsonName, screamingSnake } from './shapes';

/**
 * Naming rules of the gRPC importer (stable: the same protos always give the same names).
 * Types: the simple proto name (`Order`); when two exposed types share it, the name inside the
 * package (`Topic_State`), and if that clashes too the fully qualified one
 * (`google_pubsub_v1_Topic_State`). Fields: proto3 JSON names. Enums: see `enumPlan`.
 */

const RESERVED = new Set(['Query', 'Mutation', 'Subscription', 'Int', 'Float', 'String', 'Boolean', 'ID', 'JSON', 'Long', 'Base64', 'DateTime', 'Date', 'Duration', 'Decimal', 'Void']);

export function countNames(names: string[]): Map<string, number> {
  return names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
}

/** Hands out unique GraphQL type names (`Name`, then `Name_2`...), never a built-in or shared scalar. */
export function createClaimer(): (wanted: string) => string {
  const used = new Set<string>();
  return (wanted) => {
    let name = wanted;
    for (let i = 2; used.has(name) || RESERVED.has(name) || name.startsWith('__'); i++) name = `${wanted}_${i}`;
    used.add(name);
    return name;
  };
}

/** Package path and in-package scope of a type: `.a.b.Outer.Inner` -> ['a_b', 'Outer_Inner']. */
function scopes(t: protobuf.ReflectionObject): { pkg: string; scoped: string } {
  const scoped: string[] = [t.name];
  let p = t.parent;
  while (p && (p instanceof protobuf.Type)) {
    scoped.unshift(p.name);
    p = p.parent;
  }
  const pkg = p && p.fullName ? p.fullName.slice(1).replace(/\./g, '_') : '';
  return { pkg, scoped: scoped.join('_') };
}

/** Proto full name (`.pkg.Msg`) -> GraphQL type name, for every exposed message and enum. */
export function assignTypeNames(all: (protobuf.Type | protobuf.Enum)[], prefix: string, claim: (n: string) => string): Map<string, string> {
  const typeNames = new Map<string, string>();
  const simpleCount = countNames(all.map((t) => t.name));
  const scopedCount = countNames(all.map((t) => scopes(t).scoped));
  const simple = new Set<string>();
  // Unique simple names first, so a clash resolution never takes a name another type keeps.
  const pending: (protobuf.Type | protobuf.Enum)[] = [];
  for (const t of all) {
    const n = prefix + t.name;
    if (simpleCount.get(t.name) === 1 && !RESERVED.has(n) && !n.startsWith('__')) {
      typeNames.set(t.fullName, claim(n));
      simple.add(n);
    } else pending.push(t);
  }
  for (const t of pending) {
    const { pkg, scoped } = scopes(t);
    const useScoped = scopedCount.get(scoped) === 1 && scoped !== t.name && !simple.has(prefix + scoped);
    typeNames.set(t.fullName, claim(prefix + (useScoped ? scoped : [pkg, scoped].filter(Boolean).join('_'))));
  }
  return typeNames;
}

/** proto field name -> GraphQL field name: the proto3 JSON name, or the proto name where two collide. */
export function graphqlFieldNames(t: protobuf.Type): Map<string, string> {
  const m = new Map<string, string>();
  const wanted = t.fieldsArray.map((f) => jsonName(f.name));
  const c = countNames(wanted);
  t.fieldsArray.forEach((f, i) => {
    let n = c.get(wanted[i]!)! > 1 ? f.name : wanted[i]!;
    if (!GRAPHQL_NAME.test(n) || n.startsWith('__')) n = `f_${f.name.replace(/^_+/, '')}`;
    m.set(f.name, n);
  });
  return m;
}

export interface EnumPlan {
  /** GraphQL name per proto number (first name wins for aliases); null for `*_UNSPECIFIED`. */
  out: Map<number, string | null>;
  /** proto number per GraphQL value name. */
  in: Map<string, number>;
  values: string[];
}

/** Strips the `ENUM_NAME_` prefix when every value carries it, and hides `*_UNSPECIFIED = 0`. */
export function enumPlan(t: protobuf.Enum): EnumPlan {
  const entries = Object.entries(t.values);
  const prefix = `${screamingSnake(t.name)}_`;
  let visible = entries.filter(([n, v]) => !(v === 0 && /(^|_)UNSPECIFIED$/.test(n)));
  if (visible.length === 0) visible = entries;
  const strip = visible.every(([n]) => n.startsWith(prefix) && GRAPHQL_NAME.test(n.slice(prefix.length)) && !/^(true|false|null)$/.test(n.slice(prefix.length)));
  const rename = (n: string) => {
    const s = strip ? n.slice(prefix.length) : n;
    return /^(true|false|null)$/.test(s) ? `${s}_` : s;
  };
  const out = new Map<number, string | null>();
  const inMap = new Map<string, number>();
  const values: string[] = [];
  const shown = new Set(visible.map(([n]) => n));
  for (const [n, v] of entries) {
    if (!shown.has(n)) {
      if (!out.has(v)) out.set(v, null);
      continue;
    }
    const g = rename(n);
    if (!out.has(v) || out.get(v) === null) out.set(v, g);
    inMap.set(g, v);
    values.push(g);
  }
  // A stripped set that collides (e.g. `FOO_A` and `A` after stripping) keeps the proto names.
  if (new Set(values).size !== values.length) return enumPlanUnstripped(entries, shown);
  return { out, in: inMap, values };
}

function enumPlanUnstripped(entries: [string, number][], shown: Set<string>): EnumPlan {
  const out = new Map<number, string | null>();
  const inMap = new Map<string, number>();
  const values: string[] = [];
  for (const [n, v] of entries) {
    if (!shown.has(n)) {
      if (!out.has(v)) out.set(v, null);
      continue;
    }
    if (!out.has(v) || out.get(v) === null) out.set(v, n);
    inMap.set(n, v);
    values.push(n);
  }
  return { out, in: inMap, values };
}
