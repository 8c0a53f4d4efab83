/**
 * Normalises JSON Schema as OpenAPI 3.0 / 3.1 / Swagger 2 write it: follows `$ref`s, merges
 * `allOf`, folds the three spellings of "nullable" into one flag, and infers `type` when it is
 * missing. Every result is memoised per schema object, so each schema is flattened once.
 */
import path from 'node:path';
import { resolveRef, type LoadedDoc, type SpecBundle } from './load';

export type Schema = Record<string, unknown>;
const isObj = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);

export interface Discriminator {
  propertyName: string;
  mapping?: Record<string, string>;
  /** Document the mapping's `$ref`s are relative to. */
  doc: LoadedDoc;
}

export interface Flat {
  /** Declared / inferred JSON types, without 'null'. Empty when unknown. */
  types: string[];
  nullable: boolean;
  /** Property name -> raw (unresolved) property schema, in declaration order (allOf parents first). */
  properties: Map<string, unknown>;
  required: Set<string>;
  additionalProperties?: unknown;
  items?: unknown;
  enum?: unknown[];
  format?: string;
  /** oneOf/anyOf members other than `{type: 'null'}`. */
  alternatives?: unknown[];
  discriminator?: Discriminator;
  description?: string;
  deprecated: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  maximum?: number;
  hasDefault: boolean;
  /** allOf parts that cannot all hold (e.g. string and integer). */
  conflict: boolean;
}

export class SchemaResolver {
  private readonly flatMemo = new WeakMap<object, Flat>();
  private readonly inProgress = new WeakSet<object>();
  /** Component schema node -> its name in the spec (`checkout.session`). */
  readonly componentName = new WeakMap<object, string>();

  constructor(readonly bundle: SpecBundle) {
    for (const doc of bundle.docs.values()) {
      const root = doc.root as Schema;
      if (!isObj(root)) continue;
      const comps = isObj(root.components) && isObj(root.components.schemas) ? root.components.schemas : undefined;
      for (const table of [comps, isObj(root.definitions) ? root.definitions : undefined]) {
        if (!table) continue;
        for (const [name, s] of Object.entries(table)) if (isObj(s) && !this.componentName.has(s)) this.componentName.set(s, name);
      }
    }
  }

  docOf(node: unknown): LoadedDoc {
    return (isObj(node) && this.bundle.docOf.get(node)) || this.bundle.entry;
  }

  /** Follows `$ref` chains (cycle-safe). Non-object schemas (3.1 `true`) become `{}`. */
  deref(node: unknown): Schema {
    let cur = node;
    for (let i = 0; i < 64 && isObj(cur) && typeof cur.$ref === 'string'; i++) {
      const target = resolveRef(this.bundle, cur.$ref, this.docOf(cur));
      if (isObj(target.node) && !this.componentName.has(target.node)) {
        const name = refName(target.pointer, target.doc.location);
        if (name) this.componentName.set(target.node, name);
      }
      cur = target.node;
    }
    return isObj(cur) ? cur : {};
  }

  /** Resolves a discriminator mapping value (`#/components/schemas/X` or bare `X`) to a schema node. */
  mappingTarget(value: string, d: Discriminator): Schema | undefined {
    try {
      if (value.includes('#') || value.includes('/') || /\.(ya?ml|json)$/i.test(value)) return this.deref(resolveRef(this.bundle, value, d.doc).node);
      const root = d.doc.root as Schema;
      const table = (isObj(root.components) && isObj(root.components.schemas) ? root.components.schemas : root.definitions) as Schema | undefined;
      const n = table?.[value];
      return n === undefined ? undefined : this.deref(n);
    } catch {
      return undefined;
    }
  }

  flatten(node: unknown): Flat {
    const s = this.deref(node);
    const memo = this.flatMemo.get(s);
    if (memo) return memo;
    if (this.inProgress.has(s)) return emptyFlat(); // allOf cycle: contribute nothing
    this.inProgress.add(s);
    try {
      const f = this.flattenOwn(s);
      this.flatMemo.set(s, f);
      return f;
    } finally {
      this.inProgress.delete(s);
    }
  }

  private flattenOwn(s: Schema): Flat {
    const f = emptyFlat();
    // allOf parents first, so own keywords win.
    if (Array.isArray(s.allOf)) {
      for (const part of s.allOf) mergeInto(f, this.flatten(part));
    }
    const ownTypes = typeList(s);
    if (ownTypes.nullable) f.nullable = true;
    if (ownTypes.types.length) intersectTypes(f, ownTypes.types);
    if (s.nullable === true || s['x-nullable'] === true) f.nullable = true;
    if (isObj(s.properties)) {
      for (const [k, v] of Object.entries(s.properties)) f.properties.set(k, v);
    }
    if (Array.isArray(s.required)) for (const r of s.required) if (typeof r === 'string') f.required.add(r);
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) f.additionalProperties = s.additionalProperties;
    if (Array.isArray(s.items) && s.type === undefined && ownTypes.types.length === 0) {
      // Slack's generator writes `items: [A, B, C]` without `type: array` for "one object of
      // these shapes": merge them into one object (all properties, keys required by all).
      const parts = s.items.map((i) => this.flatten(i));
      parts.forEach((p, i) => {
        for (const [k, v] of p.properties) if (!f.properties.has(k)) f.properties.set(k, v);
        if (i === 0 && !f.description && p.description) f.description = p.description;
      });
      for (const r of parts[0]?.required ?? []) if (parts.every((p) => p.required.has(r))) f.required.add(r);
      if (parts.length && parts.every((p) => p.types.includes('object') || p.properties.size)) f.types = ['object'];
    } else if (s.items !== undefined) f.items = Array.isArray(s.items) ? (s.items[0] ?? {}) : s.items;
    else if (Array.isArray(s.prefixItems) && f.items === undefined) f.items = s.prefixItems[0] ?? {};
    if (Array.isArray(s.enum)) {
      f.enum = s.enum.filter((v) => v !== null);
      if (s.enum.includes(null)) f.nullable = true;
    } else if (s.const !== undefined) {
      if (s.const === null) f.nullable = true;
      else f.enum = [s.const];
    }
    if (typeof s.format === 'string') f.format = s.format;
    else if (s.type === 'file') f.format = 'binary'; // Swagger 2 file
    if (typeof s.description === 'string') f.description = s.description;
    else if (typeof s.title === 'string' && !f.description) f.description = s.title;
    if (s.deprecated === true) f.deprecated = true;
    if (s.readOnly === true) f.readOnly = true;
    if (s.writeOnly === true) f.writeOnly = true;
    if (typeof s.maximum === 'number') f.maximum = s.maximum;
    if (s.default !== undefined) f.hasDefault = true;
    if (isObj(s.discriminator) && typeof s.discriminator.propertyName === 'string') {
      f.discriminator = {
        propertyName: s.discriminator.propertyName,
        ...(isObj(s.discriminator.mapping) ? { mapping: s.discriminator.mapping as Record<string, string> } : {}),
        doc: this.docOf(s),
      };
    }
    const alts = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
    if (alts) {
      const kept: unknown[] = [];
      for (const a of alts) {
        const t = typeList(this.deref(a));
        const d = this.deref(a);
        if (t.nullable && t.types.length === 0 && !Array.isArray(d.oneOf) && !Array.isArray(d.anyOf) && !isObj(d.properties)) f.nullable = true;
        else kept.push(a);
      }
      f.alternatives = kept;
    }
    // Infer a missing type from the other keywords.
    if (f.types.length === 0 && !f.conflict) {
      if (f.properties.size || f.additionalProperties !== undefined) f.types = ['object'];
      else if (f.items !== undefined) f.types = ['array'];
      else if (f.enum && f.enum.length) {
        const kinds = new Set(f.enum.map((v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v)));
        if (kinds.size === 1) f.types = [[...kinds][0] === 'string' ? 'string' : [...kinds][0]!];
      }
    }
    return f;
  }
}

/**
 * The name a `$ref` target is known by: a whole file -> its base name; `.../schemas/X`,
 * `.../definitions/X`, `.../$defs/X` or a top-level `/X` -> `X`. Other pointers (into `paths`) have none.
 */
function refName(pointer: string, location: string): string | undefined {
  if (pointer === '' || pointer === '/') return path.basename(location.replace(/[?#].*$/, '')).replace(/\.[^.]*$/, '');
  const parts = pointer.replace(/^\//, '').split('/');
  const last = parts[parts.length - 1]!.replace(/~1/g, '/').replace(/~0/g, '~');
  if (parts.length === 1) return last;
  const parent = parts[parts.length - 2];
  return parent === 'schemas' || parent === 'definitions' || parent === '$defs' ? last : undefined;
}

function emptyFlat(): Flat {
  return {
    types: [],
    nullable: false,
    properties: new Map(),
    required: new Set(),
    deprecated: false,
    readOnly: false,
    writeOnly: false,
    hasDefault: false,
    conflict: false,
  };
}

function typeList(s: Schema): { types: string[]; nullable: boolean } {
  const t = s.type;
  if (typeof t === 'string') return t === 'null' ? { types: [], nullable: true } : { types: [t === 'file' ? 'string' : t], nullable: false };
  if (Array.isArray(t)) {
    const types = t.filter((x): x is string => typeof x === 'string' && x !== 'null');
    return { types, nullable: t.includes('null') };
  }
  return { types: [], nullable: false };
}

function intersectTypes(f: Flat, types: string[]): void {
  if (f.types.length === 0) {
    f.types = [...types];
    return;
  }
  const both = f.types.filter((t) => types.includes(t) || (t === 'integer' && types.includes('number')));
  const alsoNumber = types.filter((t) => t === 'integer' && f.types.includes('number'));
  const merged = [...new Set([...both, ...alsoNumber])];
  if (merged.length === 0) f.conflict = true;
  else f.types = merged;
}

function mergeInto(f: Flat, p: Flat): void {
  if (p.conflict) f.conflict = true;
  if (p.types.length) intersectTypes(f, p.types);
  for (const [k, v] of p.properties) f.properties.set(k, v);
  for (const r of p.required) f.required.add(r);
  if (p.additionalProperties !== undefined) f.additionalProperties = p.additionalProperties;
  if (p.items !== undefined) f.items = p.items;
  if (p.enum) f.enum = p.enum;
  if (p.format) f.format = p.format;
  if (p.alternatives) f.alternatives = p.alternatives;
  if (p.discriminator && !f.discriminator) f.discriminator = p.discriminator;
  if (p.description && !f.description) f.description = p.description;
  if (p.maximum !== undefined) f.maximum = p.maximum;
}
