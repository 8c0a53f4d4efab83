import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { directiveArgs } from './directives';

/**
 * Static cost analysis after the IBM GraphQL cost directive specification:
 * - a field costs its weight: `@cost(weight:)` on the field, else on its type, else 1 for objects,
 *   interfaces and unions and 0 for scalars and enums; plus the cost of its selection set;
 * - a list field costs `size × (weight + selection set)`, the size being the largest slicing
 *   argument given (`@listSize(slicingArguments:)`, literal, variable or argument default), else
 *   `@listSize(assumedSize:)`, else `defaultListSize`;
 * - `@listSize(sizedFields:)` applies that size to the named child list fields instead (connections);
 * - every alias counts, fragments count where spread, `@skip`/`@include` are honoured,
 *   introspection fields are free. Fragments on different types of an abstract field are summed
 *   (an upper bound).
 */
export interface CostOptions {
  variables?: Readonly<Record<string, unknown>> | null;
  operationName?: string | null;
  /** @default 10 */
  defaultListSize?: number;
}

export interface CostEstimate {
  cost: number;
  /** Variables the estimate depends on (slicing arguments, @skip/@include): the cache key. */
  variablesUsed: string[];
}

interface FieldCostInfo {
  weight: number;
  isList: boolean;
  named: GraphQLNamedType;
  slicingArguments?: string[];
  assumedSize?: number;
  sizedFields?: string[];
  argDefaults: Map<string, unknown>;
}

const models = new WeakMap<GraphQLSchema, WeakMap<GraphQLField<unknown, unknown>, FieldCostInfo>>();

function fieldInfo(schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): FieldCostInfo {
  let model = models.get(schema);
  if (!model) models.set(schema, (model = new WeakMap()));
  let info = model.get(field);
  if (info) return info;
  const named = getNamedType(field.type);
  const weight = (directiveArgs(schema, field, 'cost')?.weight as number | undefined) ?? (directiveArgs(schema, named, 'cost')?.weight as number | undefined) ?? (isCompositeType(named) ? 1 : 0);
  const ls = directiveArgs(schema, field, 'listSize') as { assumedSize?: number; slicingArguments?: string[]; sizedFields?: string[] } | undefined;
  info = {
    weight,
    isList: isListType(getNullableType(field.type)),
    named,
    slicingArguments: ls?.slicingArguments,
    assumedSize: ls?.assumedSize ?? undefined,
    sizedFields: ls?.sizedFields,
    argDefaults: new Map(field.args.filter((a) => a.defaultValue !== undefined).map((a) => [a.name, a.defaultValue])),
  };
  model.set(field, info);
  return info;
}

/** Estimates the cost of the operation (`operationName`, or the only one) of `document`. Pure. */
export function calculateCost(schema: GraphQLSchema, document: DocumentNode, options: CostOptions = {}): CostEstimate {
  const walk = new Walk(schema, document, options);
  return { cost: walk.operation ? walk.run(walk.operation) : 0, variablesUsed: [...walk.variablesUsed] };
}

/**
 * The cost of what was actually returned: the same weights, with real list lengths instead of
 * estimates, null fields free. Walks the result once after execution.
 */
export function calculateActualCost(schema: GraphQLSchema, document: DocumentNode, data: unknown, options: CostOptions = {}): number {
  return actualCost(compileActualPlan(schema, document, options), data);
}

/** A selection set prepared for `actualCost`: fragments flattened, @skip/@include applied, weights resolved. */
export interface ActualPlan {
  key: string;
  weight: number;
  children?: ActualPlan[];
}

export function compileActualPlan(schema: GraphQLSchema, document: DocumentNode, options: CostOptions = {}): ActualPlan[] {
  const walk = new Walk(schema, document, options);
  if (!walk.operation) return [];
  const root = rootType(schema, walk.operation);
  return root ? walk.plan(root, walk.operation.selectionSet, new Set()) : [];
}

export function actualCost(plans: readonly ActualPlan[], data: unknown): number {
  if (data === null || typeof data !== 'object') return 0;
  let total = 0;
  for (const p of plans) total += valueCost(p, (data as Record<string, unknown>)[p.key]);
  return total;
}

function valueCost(p: ActualPlan, v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (Array.isArray(v)) {
    let total = 0;
    for (const item of v) total += valueCost(p, item);
    return total;
  }
  return p.weight + (p.children ? actualCost(p.children, v) : 0);
}

function rootType(schema: GraphQLSchema, op: OperationDefinitionNode): GraphQLNamedType | null | undefined {
  return op.operation === 'query' ? schema.getQueryType() : op.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
}

class Walk {
  readonly operation: OperationDefinitionNode | undefined;
  readonly variablesUsed = new Set<string>();
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly variables: Readonly<Record<string, unknown>>;
  private readonly defaultListSize: number;

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    options: CostOptions,
  ) {
    const ops: OperationDefinitionNode[] = [];
    for (const d of document.definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
      else if (d.kind === Kind.OPERATION_DEFINITION) ops.push(d);
    }
    this.operation = options.operationName ? ops.find((o) => o.name?.value === options.operationName) : ops.length === 1 ? ops[0] : undefined;
    this.variables = options.variables ?? {};
    this.defaultListSize = options.defaultListSize ?? 10;
    for (const v of this.operation?.variableDefinitions ?? []) {
      const name = v.variable.name.value;
      if (v.defaultValue && !(name in this.variables)) this.variables = { ...this.variables, [name]: literal(v.defaultValue, {}) };
      // Int/Boolean variables may decide a size or a @skip inside a skipped branch: key the cache on them all.
      let t = v.type;
      while (t.kind !== Kind.NAMED_TYPE) t = t.type;
      if (t.name.value === 'Int' || t.name.value === 'Boolean') this.variablesUsed.add(name);
    }
  }

  run(op: OperationDefinitionNode): number {
    const root = rootType(this.schema, op);
    return root ? this.selections(root, op.selectionSet, undefined, new Set()) : 0;
  }

  private selections(parent: GraphQLNamedType, set: SelectionSetNode, sized: Map<string, number> | undefined, visiting: Set<string>): number {
    let total = 0;
    for (const sel of set.selections) {
      if (!this.included(sel)) continue;
      if (sel.kind === Kind.FIELD) total += this.field(parent, sel, sized, visiting);
      else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent;
        if (t) total += this.selections(t, sel.selectionSet, sized, visiting);
      } else {
        const name = sel.name.value;
        const frag = this.fragments.get(name);
        if (!frag || visiting.has(name)) continue; // cycles are a validation error; never recurse forever
        const t = this.schema.getType(frag.typeCondition.name.value);
        if (!t) continue;
        visiting.add(name);
        total += this.selections(t, frag.selectionSet, sized, visiting);
        visiting.delete(name);
      }
    }
    return total;
  }

  private field(parent: GraphQLNamedType, node: FieldNode, sized: Map<string, number> | undefined, visiting: Set<string>): number {
    if (node.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    const def = parent.getFields()[node.name.value];
    if (!def) return 0;
    const info = fieldInfo(this.schema, def);
    const size = this.sizeOf(info, node);
    const childSized = info.sizedFields?.length ? new Map(info.sizedFields.map((f) => [f, size])) : undefined;
    const children = node.selectionSet ? this.selections(info.named, node.selectionSet, childSized, visiting) : 0;
    const own = info.weight + children;
    if (!info.isList) return own;
    return (sized?.get(node.name.value) ?? (info.sizedFields?.length ? this.defaultSize(info) : size)) * own;
  }

  private defaultSize(info: FieldCostInfo): number {
    return info.assumedSize ?? this.defaultListSize;
  }

  /** The list size a field's arguments ask for. */
  private sizeOf(info: FieldCostInfo, node: FieldNode): number {
    if (info.slicingArguments?.length) {
      let max: number | undefined;
      for (const name of info.slicingArguments) {
        const arg = node.arguments?.find((a) => a.name.value === name);
        const v = arg ? literal(arg.value, this.variables, this.variablesUsed) : info.argDefaults.get(name);
        if (typeof v === 'number' && (max === undefined || v > max)) max = v;
      }
      if (max !== undefined) return Math.max(0, max);
    }
    return this.defaultSize(info);
  }

  private included(sel: { directives?: readonly import('graphql').DirectiveNode[] }): boolean {
    for (const d of sel.directives ?? []) {
      const name = d.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const arg = d.arguments?.find((a) => a.name.value === 'if');
      const v = arg ? literal(arg.value, this.variables, this.variablesUsed) : undefined;
      if (name === 'skip' && v === true) return false;
      if (name === 'include' && v === false) return false;
    }
    return true;
  }

  plan(parent: GraphQLNamedType, set: SelectionSetNode, visiting: Set<string>, out: ActualPlan[] = []): ActualPlan[] {
    for (const sel of set.selections) {
      if (!this.included(sel)) continue;
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) continue;
        const def = parent.getFields()[sel.name.value];
        if (!def) continue;
        const info = fieldInfo(this.schema, def);
        const children = sel.selectionSet ? this.plan(info.named, sel.selectionSet, visiting) : undefined;
        // A free field with nothing costly below it (scalars, mostly) adds nothing: not walked.
        if (info.weight === 0 && !children?.length) continue;
        out.push({ key: sel.alias?.value ?? sel.name.value, weight: info.weight, ...(children?.length ? { children } : {}) });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent;
        if (t) this.plan(t, sel.selectionSet, visiting, out);
      } else {
        const frag = this.fragments.get(sel.name.value);
        if (!frag || visiting.has(sel.name.value)) continue;
        const t = this.schema.getType(frag.typeCondition.name.value);
        if (!t) continue;
        visiting.add(sel.name.value);
        this.plan(t, frag.selectionSet, visiting, out);
        visiting.delete(sel.name.value);
      }
    }
    return out;
  }
}

function literal(node: ValueNode, variables: Readonly<Record<string, unknown>>, used?: Set<string>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      used?.add(node.name.value);
      return variables[node.name.value];
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    default:
      return undefined;
  }
}

/**
 * Estimates cached per document (WeakMap: they live as long as yoga's parse cache keeps the
 * document), per operation name and per value of the variables the estimate depends on. One
 * cache per schema (per view). `lookup` once per request; the actual-cost plan is compiled once
 * per entry.
 */
export class CostCache {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, { variablesUsed: string[]; variants: Map<string, CostVariant> }>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly defaultListSize: number,
  ) {}

  estimate(document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): number {
    return this.lookup(document, operationName, variables).estimated;
  }

  /** The actual cost of `data`, with the plan compiled once per document/operation/variables. */
  actual(document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined, data: unknown): number {
    return this.actualOf(this.lookup(document, operationName, variables), document, operationName, variables, data);
  }

  /** `actual` for the entry `lookup` returned for the same document/operation/variables. */
  actualOf(v: CostVariant, document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined, data: unknown): number {
    v.plan ??= compileActualPlan(this.schema, document, { variables, operationName, defaultListSize: this.defaultListSize });
    return actualCost(v.plan, data);
  }

  /** The cache entry (estimate, actual-cost plan) of this document/operation/variables. */
  lookup(document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): CostVariant {
    let perOp = this.byDocument.get(document);
    if (!perOp) this.byDocument.set(document, (perOp = new Map()));
    const opKey = operationName ?? '';
    let entry = perOp.get(opKey);
    let key = entry ? variantKey(entry.variablesUsed, variables) : undefined;
    let hit = key !== undefined ? entry!.variants.get(key) : undefined;
    if (hit) return hit;
    const { cost, variablesUsed } = calculateCost(this.schema, document, { variables, operationName, defaultListSize: this.defaultListSize });
    if (!entry) perOp.set(opKey, (entry = { variablesUsed, variants: new Map() }));
    key = variantKey(entry.variablesUsed, variables);
    if (entry.variants.size >= 64) entry.variants.clear();
    entry.variants.set(key, (hit = { estimated: cost }));
    return hit;
  }
}

export interface CostVariant {
  readonly estimated: number;
  plan?: ActualPlan[];
}

function variantKey(variablesUsed: readonly string[], variables: Readonly<Record<string, unknown>> | null | undefined): string {
  return variablesUsed.length ? JSON.stringify(variablesUsed.map((v) => variables?.[v] ?? null)) : '';
}
