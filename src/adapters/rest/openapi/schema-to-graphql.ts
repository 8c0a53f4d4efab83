/**
 * JSON Schema -> GraphQL types. Object types, unions, enums and input types are named once per
 * schema object (components by their name, inline schemas after where they appear) and built
 * from a work list, so recursive schemas (self, mutual, longer cycles) are just named references.
 */
import type { ImportWarning } from '../../types';
import type { RestAbstractTypePlan, RestInputTypePlan } from '../plan';
import { assignNames, camelCase, isEnumValueName, NameScope, pascalCase, TypeNameScope } from './names';
import { SchemaResolver, type Flat, type Schema } from './flatten';
import { abstractPlan, commonScalar, INT_FORMATS } from './polymorphism';
import { cleanDescription, type GqlArg, type GqlField, type GqlNamedType } from './sdl';

export type Mode = 'output' | 'input';

/** A GraphQL type reference for a schema, before the caller decides on `!`. */
export interface TypeRef {
  /** `Pet`, `[Pet!]`, `[[String!]!]`. */
  type: string;
  /** The named type inside the list wrappers. */
  named: string;
  nullable: boolean;
  isList: boolean;
  /** Input object (or @oneOf input) type name, when `named` is one. */
  inputObject?: string;
}

const INT32_MAX = 2 ** 31 - 1;
const LONG_FORMATS = new Set(['int64', 'uint64', 'uint32', 'long']);

export interface BuilderOptions {
  typePrefix: string;
  fieldNames: 'camelCase' | 'preserve';
}

export class TypeBuilder {
  readonly types = new Map<string, GqlNamedType>();
  readonly scalars = new Set<string>();
  readonly outputFieldMaps: Record<string, Record<string, string>> = {};
  readonly inputTypes: Record<string, RestInputTypePlan> = {};
  readonly abstractTypes: Record<string, RestAbstractTypePlan> = {};
  readonly scope = new TypeNameScope();

  private readonly componentBase = new WeakMap<object, string>();
  private readonly outputNames = new WeakMap<object, string | null>();
  private readonly inputNames = new WeakMap<object, string | null>();
  private readonly enumNames = new WeakMap<object, string | null>();
  private readonly pending: (() => void)[] = [];
  private readonly aliasStack = new Set<object>();

  constructor(
    readonly resolver: SchemaResolver,
    private readonly options: BuilderOptions,
    private readonly warnings: ImportWarning[],
    componentTables: Record<string, unknown>[],
  ) {
    // Component names are claimed first so inline names never take them.
    for (const table of componentTables) {
      for (const [name, s] of Object.entries(table)) {
        if (s && typeof s === 'object' && !this.componentBase.has(s)) this.componentBase.set(s, this.scope.claim(options.typePrefix + pascalCase(name)));
      }
    }
  }

  /** Builds everything queued so far. */
  drain(): void {
    for (let i = 0; i < this.pending.length; i++) this.pending[i]!();
    this.pending.length = 0;
  }

  private warn(location: string, message: string): void {
    this.warnings.push({ location, message });
  }

  private scalar(name: string): string {
    if (!['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name)) this.scalars.add(name);
    return name;
  }

  private baseName(node: Schema, hint: string): string {
    return this.componentOf(node) ?? this.scope.claim(hint);
  }

  /** Base type name of a named schema (component, or a `$ref` target in another file), claimed on first use. */
  private componentOf(node: Schema): string | undefined {
    const known = this.componentBase.get(node);
    if (known) return known;
    const name = this.resolver.componentName.get(node);
    if (name === undefined) return undefined;
    const base = this.scope.claim(this.options.typePrefix + pascalCase(name));
    this.componentBase.set(node, base);
    return base;
  }

  /** Type reference for a (raw) schema in a context named `hint` (`PetCategory`). */
  ref(raw: unknown, hint: string, mode: Mode): TypeRef {
    const node = this.resolver.deref(raw);
    const f = this.resolver.flatten(node);
    const nullable = f.nullable;
    const named = (n: string, inputObject?: string): TypeRef => ({ type: n, named: n, nullable, isList: false, ...(inputObject ? { inputObject } : {}) });
    if (f.conflict) {
      this.warn(hint, 'allOf parts that cannot all hold (e.g. string and integer) mapped to JSON');
      return named(this.scalar('JSON'));
    }
    if (f.alternatives && f.alternatives.length > 0 && !(f.properties.size && f.alternatives.every((a) => this.isTrivialAlternative(a)))) {
      if (f.alternatives.length === 1) {
        if (this.aliasStack.has(node)) return named(this.scalar('JSON'));
        this.aliasStack.add(node);
        try {
          const inner = this.ref(f.alternatives[0], hint, mode);
          return { ...inner, nullable: inner.nullable || nullable };
        } finally {
          this.aliasStack.delete(node);
        }
      }
      const common = commonScalar(this.resolver, f.alternatives);
      if (common) return named(common);
      if (mode === 'output') {
        const u = this.unionFor(node, f, hint);
        return named(u);
      }
      const n = this.oneOfInputFor(node, f, hint);
      return named(n, n);
    }
    if (f.enum && f.enum.length && (f.types.length === 0 || f.types.includes('string'))) {
      const e = this.enumFor(node, f, hint);
      if (e) return named(e);
    }
    if (f.types.length > 1) {
      if (f.types.every((t) => t === 'integer' || t === 'number')) return named('Float');
      return named(this.scalar('JSON'));
    }
    switch (f.types[0]) {
      case 'array': {
        const item = f.items === undefined ? undefined : this.ref(f.items, hint.endsWith('Item') ? hint : `${hint}Item`, mode);
        if (!item) return { type: `[${this.scalar('JSON')}]`, named: 'JSON', nullable, isList: true };
        return {
          type: `[${item.type}${item.nullable ? '' : '!'}]`,
          named: item.named,
          nullable,
          isList: true,
          ...(item.inputObject ? { inputObject: item.inputObject } : {}),
        };
      }
      case 'object': {
        if (!this.hasFields(f, mode)) return named(this.scalar('JSON'));
        if (mode === 'output') return named(this.objectFor(node, f, hint));
        const n = this.inputFor(node, f, hint);
        return named(n, n);
      }
      case 'string':
        return named(this.stringScalar(f.format, mode));
      case 'integer':
        if (f.format && LONG_FORMATS.has(f.format)) return named(this.scalar('Long'));
        if (!f.format || INT_FORMATS.has(f.format)) return named(f.maximum !== undefined && f.maximum > INT32_MAX ? this.scalar('Long') : 'Int');
        return named(this.scalar('Long'));
      case 'number':
        return named(f.format === 'decimal' ? this.scalar('Decimal') : 'Float');
      case 'boolean':
        return named('Boolean');
      default:
        return named(this.scalar('JSON'));
    }
  }

  /** `{properties..., oneOf: [{required: [a]}, {required: [b]}]}`: constraints only, not alternatives. */
  private isTrivialAlternative(a: unknown): boolean {
    const s = this.resolver.deref(a);
    return !s.properties && !s.type && !s.allOf && !s.oneOf && !s.anyOf && !s.$ref;
  }

  private stringScalar(format: string | undefined, _mode: Mode): string {
    switch (format) {
      case 'date-time':
        return this.scalar('DateTime');
      case 'date':
        return this.scalar('Date');
      case 'byte':
      case 'binary':
        return this.scalar('Base64');
      case 'decimal':
        return this.scalar('Decimal');
      case 'int64':
      case 'uint64':
        return this.scalar('Long');
      default:
        return 'String';
    }
  }

  private hasFields(f: Flat, mode: Mode): boolean {
    for (const raw of f.properties.values()) {
      const p = this.resolver.deref(raw);
      if (mode === 'input' ? p.readOnly !== true : p.writeOnly !== true) return true;
    }
    return false;
  }

  private enumFor(node: Schema, f: Flat, hint: string): string | undefined {
    const known = this.enumNames.get(node);
    if (known !== undefined) return known ?? undefined;
    const values = [...new Set(f.enum!)];
    if (!values.every(isEnumValueName)) {
      this.enumNames.set(node, null);
      return undefined;
    }
    const name = this.baseName(node, hint);
    this.enumNames.set(node, name);
    const description = cleanDescription(f.description);
    this.types.set(name, { kind: 'enum', name, ...(description ? { description } : {}), values: values as string[] });
    return name;
  }

  private fieldList(f: Flat, mode: Mode): string[] {
    const keys: string[] = [];
    for (const [k, raw] of f.properties) {
      const p = this.resolver.deref(raw);
      if (mode === 'input' ? p.readOnly === true : p.writeOnly === true) continue;
      keys.push(k);
    }
    return keys;
  }

  private objectFor(node: Schema, f: Flat, hint: string): string {
    const known = this.outputNames.get(node);
    if (known) return known;
    const name = this.baseName(node, hint);
    this.outputNames.set(node, name);
    this.pending.push(() => this.buildObject(name, f));
    return name;
  }

  private buildObject(name: string, f: Flat): void {
    const keys = this.fieldList(f, 'output');
    const names = assignNames(keys, this.options.fieldNames);
    const fields: GqlField[] = [];
    const renamed: Record<string, string> = {};
    for (const key of keys) {
      const gql = names.get(key)!;
      if (gql !== key) renamed[gql] = key;
      const raw = f.properties.get(key);
      const t = this.ref(raw, name + pascalCase(key, 'Field').slice(0, 40), 'output');
      const own = raw && typeof raw === 'object' ? (raw as Schema) : {};
      const description = cleanDescription(own.description);
      const nonNull = f.required.has(key) && !t.nullable;
      const deprecated = own.deprecated === true || this.resolver.deref(raw).deprecated === true;
      fields.push({ name: gql, type: t.type + (nonNull ? '!' : ''), ...(description ? { description } : {}), ...(deprecated ? { deprecated: '' } : {}) });
    }
    if (Object.keys(renamed).length) this.outputFieldMaps[name] = renamed;
    const description = cleanDescription(f.description);
    this.types.set(name, { kind: 'object', name, ...(description ? { description } : {}), fields });
  }

  private inputFor(node: Schema, f: Flat, hint: string): string {
    const known = this.inputNames.get(node);
    if (known) return known;
    const comp = this.componentOf(node);
    const name = this.scope.claim(`${comp ?? hint}Input`);
    this.inputNames.set(node, name);
    this.pending.push(() => this.buildInput(name, f, comp ?? hint));
    return name;
  }

  private buildInput(name: string, f: Flat, base: string): void {
    const keys = this.fieldList(f, 'input');
    const names = assignNames(keys, this.options.fieldNames);
    const fields: GqlArg[] = [];
    const plan: RestInputTypePlan = { fields: {} };
    for (const key of keys) {
      const gql = names.get(key)!;
      const raw = f.properties.get(key);
      const t = this.ref(raw, base + pascalCase(key, 'Field').slice(0, 40), 'input');
      const p = this.resolver.flatten(raw);
      const own = raw && typeof raw === 'object' ? (raw as Schema) : {};
      const description = cleanDescription(own.description);
      const nonNull = f.required.has(key) && !t.nullable && !p.hasDefault;
      fields.push({ name: gql, type: t.type + (nonNull ? '!' : ''), ...(description ? { description } : {}) });
      plan.fields[gql] = { json: key, ...(t.inputObject ? { type: t.inputObject } : {}) };
    }
    this.inputTypes[name] = plan;
    const description = cleanDescription(f.description);
    this.types.set(name, { kind: 'input', name, ...(description ? { description } : {}), fields });
  }

  /** Members of a oneOf/anyOf, nested oneOfs flattened into the parent. */
  private collectMembers(f: Flat, seen: Set<object>): Schema[] | undefined {
    const out: Schema[] = [];
    for (const raw of f.alternatives ?? []) {
      const m = this.resolver.deref(raw);
      if (seen.has(m)) continue;
      seen.add(m);
      const mf = this.resolver.flatten(m);
      if (mf.alternatives && mf.alternatives.length > 0 && !(mf.properties.size && mf.alternatives.every((a) => this.isTrivialAlternative(a)))) {
        const nested = this.collectMembers(mf, seen);
        if (!nested) return undefined;
        out.push(...nested);
      } else if (!mf.conflict && (mf.types.length === 0 ? mf.properties.size > 0 : mf.types.length === 1 && mf.types[0] === 'object') && this.hasFields(mf, 'output')) {
        out.push(m);
      } else {
        return undefined;
      }
    }
    return out;
  }

  private unionFor(node: Schema, f: Flat, hint: string): string {
    const known = this.outputNames.get(node);
    if (known) return known;
    if (known === null) return this.scalar('JSON');
    const members = this.collectMembers(f, new Set());
    if (!members || members.length === 0) {
      this.outputNames.set(node, null);
      this.warn(hint, 'oneOf/anyOf with non-object members mapped to JSON');
      return this.scalar('JSON');
    }
    const comp = this.componentOf(node);
    const unionBase = comp ?? hint;
    const memberNames: string[] = [];
    const memberNodes: Schema[] = [];
    members.forEach((m, i) => {
      const n = this.objectFor(m, this.resolver.flatten(m), `${unionBase}Option${i + 1}`);
      if (!memberNames.includes(n)) {
        memberNames.push(n);
        memberNodes.push(m);
      }
    });
    if (memberNames.length === 1) {
      this.outputNames.set(node, memberNames[0]!);
      return memberNames[0]!;
    }
    const name = comp ?? this.scope.claim(hint);
    this.outputNames.set(node, name);
    const description = cleanDescription(f.description);
    this.types.set(name, { kind: 'union', name, ...(description ? { description } : {}), members: memberNames });
    this.abstractTypes[name] = abstractPlan(this.resolver, f, memberNodes, memberNames, name, (l, m) => this.warn(l, m));
    return name;
  }

  private oneOfInputFor(node: Schema, f: Flat, hint: string): string {
    const known = this.inputNames.get(node);
    if (known) return known;
    const comp = this.componentOf(node);
    const base = comp ?? hint;
    const name = this.scope.claim(`${base}Input`);
    this.inputNames.set(node, name);
    this.pending.push(() => {
      const fieldScope = new NameScope();
      const fields: GqlArg[] = [];
      const plan: RestInputTypePlan = { fields: {}, oneOfMembers: [] };
      const seen = new Set<object>();
      (f.alternatives ?? []).forEach((raw, i) => {
        const m = this.resolver.deref(raw);
        if (seen.has(m)) return;
        seen.add(m);
        const t = this.ref(raw, `${base}Option${i + 1}`, 'input');
        const label = t.named === 'JSON' && t.isList ? 'list' : camelCase(t.named.replace(/Input$/, '')) + (t.isList ? 'List' : '');
        const field = fieldScope.claim(label);
        fields.push({ name: field, type: t.type });
        plan.fields[field] = { json: '', ...(t.inputObject ? { type: t.inputObject } : {}) };
        plan.oneOfMembers!.push(field);
      });
      this.inputTypes[name] = plan;
      const description = cleanDescription(f.description);
      this.types.set(name, { kind: 'input', name, ...(description ? { description } : {}), fields, oneOf: true });
    });
    return name;
  }

  /** For documents without operations: every component schema becomes a type. */
  emitComponent(node: Schema): void {
    const base = this.componentOf(node);
    if (base) this.ref(node, base, 'output');
  }
}
