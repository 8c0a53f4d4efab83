import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLString,
  Kind,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  locatedError,
  responsePathAsArray,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { requestSignal, type GatewayContext } from '../context';

/**
 * Breadth-first execution of a query, one level of the result at a time.
 *
 * graphql-js and graphql-jit resolve a query depth-first: every object of a list runs its own
 * resolvers, each with a resolve-info object, a path, closures and a promise. For a linked field
 * under a list (`items { stock }`: 250 items in the reference query) that per-item machinery was
 * about a third of the gateway's allocations. Here the objects of one level are handled together:
 * a field whose resolver offers a batch form (`BATCH`, set by @link) is called once for all the
 * parents of its level, plain fields are read straight from their parents, and result objects are
 * built directly. Other resolvers (custom ones in resolvers/, field authorization wrappers, root
 * fields) are called per parent, with a proper `info`, exactly as graphql-js would call them.
 *
 * Only what it can answer exactly like graphql-js is planned: queries whose selections carry no
 * directives and whose types are objects, lists, scalars and enums (no interfaces or unions, no
 * `isTypeOf`, no introspection besides `__typename`). Anything else returns no plan and runs on
 * the regular engine (graphql-jit), so the answer never depends on which engine ran.
 */

/** A resolver's batch form: the values for all parents of one level, in order (an Error = that parent's field failed). */
export type BatchResolver = (
  parents: readonly unknown[],
  args: Record<string, unknown>,
  ctx: unknown,
  info: GraphQLResolveInfo,
) => Promise<readonly unknown[]> | readonly unknown[];

/** Property under which a resolver function offers its batch form. */
export const BATCH = Symbol.for('switchyard.batchResolver');

export function batchFormOf(resolve: unknown): BatchResolver | undefined {
  const b = typeof resolve === 'function' ? (resolve as { [BATCH]?: unknown })[BATCH] : undefined;
  return typeof b === 'function' ? (b as BatchResolver) : undefined;
}

type TypePlan =
  | { k: 'leaf'; type: GraphQLLeafType; nonNull: boolean }
  | { k: 'object'; plan: ObjectPlan; nonNull: boolean }
  | { k: 'list'; of: TypePlan; nonNull: boolean };

interface FieldPlan {
  key: string;
  name: string;
  nodes: FieldNode[];
  parentType: GraphQLObjectType;
  returnType: GraphQLOutputType;
  type: TypePlan;
  /** `__typename` */
  typename: boolean;
  def: GraphQLField<unknown, unknown> | null;
  resolve: GraphQLFieldResolver<unknown, unknown> | undefined;
  batch: BatchResolver | undefined;
  /** Arguments when they use no variable (computed once), else null (computed per execution). */
  staticArgs: Record<string, unknown> | null;
}

interface ObjectPlan {
  type: GraphQLObjectType;
  fields: FieldPlan[];
  /** Makes a result object with the response keys in query order (a stable hidden class). */
  make: () => Record<string, unknown>;
}

export interface QueryPlan {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  root: ObjectPlan;
}

class Unsupported extends Error {}

const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, QueryPlan | null>>>();

/** The plan of a document's operation, or null when the regular engine must run it. Cached per schema and document. */
export function planQuery(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): QueryPlan | null {
  let byDoc = plans.get(schema);
  if (!byDoc) plans.set(schema, (byDoc = new WeakMap()));
  let byOp = byDoc.get(document);
  if (!byOp) byDoc.set(document, (byOp = new Map()));
  const name = operationName ?? '';
  let plan = byOp.get(name);
  if (plan === undefined) {
    plan = compile(schema, document, operationName ?? undefined);
    byOp.set(name, plan);
  }
  return plan;
}

function compile(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): QueryPlan | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query' || operation.directives?.length) return null;
  const queryType = schema.getQueryType();
  if (!queryType) return null;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  try {
    return { operation, fragments, root: objectPlan(schema, queryType, [operation.selectionSet], fragments, 0) };
  } catch {
    // Unsupported shapes, and anything unexpected while planning: the regular engine answers.
    return null;
  }
}

function collect(
  schema: GraphQLSchema,
  type: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  out: Map<string, FieldNode[]>,
  seen: Set<string>,
): void {
  for (const sel of set.selections) {
    if (sel.directives?.length) throw new Unsupported();
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      const list = out.get(key);
      if (list) list.push(sel);
      else out.set(key, [sel]);
      continue;
    }
    if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (applies(schema, type, sel.typeCondition?.name.value)) collect(schema, type, sel.selectionSet, fragments, out, seen);
      continue;
    }
    const name = sel.name.value;
    if (seen.has(name)) continue;
    seen.add(name);
    const frag = fragments[name];
    if (!frag) throw new Unsupported();
    if (frag.directives?.length) throw new Unsupported();
    if (applies(schema, type, frag.typeCondition.name.value)) collect(schema, type, frag.selectionSet, fragments, out, seen);
  }
}

function applies(schema: GraphQLSchema, type: GraphQLObjectType, condition: string | undefined): boolean {
  if (condition === undefined || condition === type.name) return true;
  const c = schema.getType(condition);
  return c !== undefined && c !== null && isAbstractType(c) && schema.isSubType(c, type);
}

function objectPlan(schema: GraphQLSchema, type: GraphQLObjectType, sets: readonly SelectionSetNode[], fragments: Record<string, FragmentDefinitionNode>, depth: number): ObjectPlan {
  if (depth > 64 || type.isTypeOf) throw new Unsupported();
  const byKey = new Map<string, FieldNode[]>();
  const seen = new Set<string>();
  for (const set of sets) collect(schema, type, set, fragments, byKey, seen);
  const fields: FieldPlan[] = [];
  const defs = type.getFields();
  for (const [key, nodes] of byKey) {
    const node = nodes[0]!;
    const name = node.name.value;
    if (name === '__typename') {
      fields.push({ key, name, nodes, parentType: type, returnType: type, type: { k: 'leaf', type: GraphQLString, nonNull: true }, typename: true, def: null, resolve: undefined, batch: undefined, staticArgs: {} });
      continue;
    }
    const def = defs[name];
    if (!def || name.startsWith('__')) throw new Unsupported();
    const subSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
    const usesVariables = nodes.some((n) => n.arguments?.some((a) => hasVariable(a.value)));
    fields.push({
      key,
      name,
      nodes,
      parentType: type,
      returnType: def.type,
      type: typePlan(schema, def.type, subSets, fragments, depth),
      typename: false,
      def: def as GraphQLField<unknown, unknown>,
      resolve: def.resolve as GraphQLFieldResolver<unknown, unknown> | undefined,
      batch: batchFormOf(def.resolve),
      staticArgs: usesVariables ? null : def.args.length ? getArgumentValues(def, node, {}) : {},
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are GraphQL names, JSON-quoted
  // (`__proto__` as a literal key would set the prototype: computed, it is an own key like the others.)
  const make = new Function(`return () => ({ ${fields.map((f) => `${f.key === '__proto__' ? '["__proto__"]' : JSON.stringify(f.key)}: null`).join(', ')} });`)() as () => Record<string, unknown>;
  return { type, fields, make };
}

function hasVariable(v: import('graphql').ValueNode): boolean {
  if (v.kind === Kind.VARIABLE) return true;
  if (v.kind === Kind.LIST) return v.values.some(hasVariable);
  if (v.kind === Kind.OBJECT) return v.fields.some((f) => hasVariable(f.value));
  return false;
}

function typePlan(schema: GraphQLSchema, t: GraphQLOutputType, sets: readonly SelectionSetNode[], fragments: Record<string, FragmentDefinitionNode>, depth: number): TypePlan {
  let nonNull = false;
  let inner = t;
  if (isNonNullType(inner)) {
    nonNull = true;
    inner = inner.ofType;
  }
  if (isListType(inner)) return { k: 'list', of: typePlan(schema, inner.ofType as GraphQLOutputType, sets, fragments, depth), nonNull };
  if (isLeafType(inner)) return { k: 'leaf', type: inner, nonNull };
  if (isObjectType(inner)) return { k: 'object', plan: objectPlan(schema, inner, sets, fragments, depth + 1), nonNull };
  throw new Unsupported();
}

// ---------------------------------------------------------------------------------------------
// Execution

/** The objects of one level of the result, all for the same field (or the root). */
interface Level {
  plan: ObjectPlan;
  /** Result objects (null once nulled by a non-null error below). */
  objs: (Record<string, unknown> | null)[];
  /** The source values they are built from (parents of the next resolvers). */
  srcs: unknown[];
  up: Level | null;
  /** Index of each object's parent in `up`. */
  upIdx: number[];
  /** The parent's field that holds these objects. */
  field: FieldPlan | null;
  /** Each object's index path inside that field's (nested) list value; null when the field is not a list. */
  listIdx: (number | number[])[] | null;
}

interface Run {
  schema: GraphQLSchema;
  plan: QueryPlan;
  rootValue: unknown;
  ctx: unknown;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  /** Set when the root object was nulled. */
  dataNull: boolean;
  root: Record<string, unknown>;
}

export interface PlanExecutionArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  rootValue?: unknown;
  contextValue?: unknown;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** Runs a planned query; same result as graphql-js `execute` (errors may come in another order). */
export function executePlan(plan: QueryPlan, args: PlanExecutionArgs): ExecutionResult | Promise<ExecutionResult> {
  const coerced = getVariableValues(args.schema, plan.operation.variableDefinitions ?? [], args.variableValues ?? {});
  if (coerced.errors) return { errors: coerced.errors };
  const rootObj = plan.root.make();
  const run: Run = {
    schema: args.schema,
    plan,
    rootValue: args.rootValue,
    ctx: args.contextValue,
    variables: coerced.coerced,
    errors: [],
    dataNull: false,
    root: rootObj,
  };
  const level: Level = { plan: plan.root, objs: [rootObj], srcs: [args.rootValue], up: null, upIdx: [0], field: null, listIdx: null };
  const done = executeLevel(run, level);
  return done === undefined ? result(run) : done.then(() => result(run));
}

function result(run: Run): ExecutionResult {
  const data = run.dataNull ? null : run.root;
  return run.errors.length ? { errors: run.errors, data } : { data };
}

function executeLevel(run: Run, level: Level): Promise<unknown> | undefined {
  let pending: Promise<unknown>[] | null = null;
  for (const f of level.plan.fields) {
    const p = executeField(run, level, f);
    if (p !== undefined) (pending ??= []).push(p);
  }
  if (pending === null) return undefined;
  return pending.length === 1 ? pending[0] : Promise.all(pending);
}

function argsOf(run: Run, f: FieldPlan): Record<string, unknown> {
  return f.staticArgs ?? getArgumentValues(f.def!, f.nodes[0]!, run.variables);
}

function executeField(run: Run, level: Level, f: FieldPlan): Promise<unknown> | undefined {
  const { objs, srcs } = level;
  const n = objs.length;
  if (f.typename) {
    for (let i = 0; i < n; i++) {
      const o = objs[i];
      if (o) o[f.key] = f.parentType.name;
    }
    return undefined;
  }
  let args: Record<string, unknown>;
  try {
    args = argsOf(run, f);
  } catch (e) {
    for (let i = 0; i < n; i++) {
      if (!objs[i]) continue;
      record(run, level, i, f, null, e);
      fieldNull(run, level, i, f);
    }
    return undefined;
  }
  if (f.batch) {
    let values: Promise<readonly unknown[]> | readonly unknown[];
    try {
      values = f.batch(srcs, { ...args }, run.ctx, infoFor(run, level, 0, f));
    } catch (e) {
      const err = e instanceof Error ? e : new ThrownValue(e);
      values = srcs.map(() => err);
    }
    if (isThenable(values)) {
      return values.then(
        (v) => complete(run, level, f, v),
        (e: unknown) => {
          const err = e instanceof Error ? e : new ThrownValue(e);
          return complete(run, level, f, srcs.map(() => err));
        },
      );
    }
    return complete(run, level, f, values);
  }
  const values: unknown[] = new Array(n);
  let promises: Promise<unknown>[] | null = null;
  const resolve = f.resolve;
  for (let i = 0; i < n; i++) {
    if (objs[i] === null) {
      values[i] = null;
      continue;
    }
    const src = srcs[i];
    let v: unknown;
    try {
      // A fresh arguments object per call, as graphql-js gives: a resolver may change its own.
      if (resolve) v = resolve(src, { ...args }, run.ctx, infoFor(run, level, i, f));
      else {
        v = src !== null && (typeof src === 'object' || typeof src === 'function') ? (src as Record<string, unknown>)[f.name] : undefined;
        if (typeof v === 'function') v = (v as (a: unknown, c: unknown, i: unknown) => unknown).call(src, args, run.ctx, infoFor(run, level, i, f));
      }
    } catch (e) {
      v = e instanceof Error ? e : new ThrownValue(e);
    }
    if (isThenable(v)) {
      const at = i;
      (promises ??= []).push(
        v.then(
          (r) => void (values[at] = r),
          (e: unknown) => void (values[at] = e instanceof Error ? e : new ThrownValue(e)),
        ),
      );
      v = undefined;
    }
    values[i] = v;
  }
  if (promises === null) return complete(run, level, f, values);
  return Promise.all(promises).then(() => complete(run, level, f, values));
}

/** A thrown non-Error value (graphql-js reports it as an error all the same). */
class ThrownValue extends Error {
  constructor(readonly value: unknown) {
    super(`Unexpected error value: ${safeInspect(value)}`);
  }
}

function isThenable<T>(v: unknown): v is Promise<T> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** Writes one field's values into its level's objects and runs the level below, if any. */
function complete(run: Run, level: Level, f: FieldPlan, values: readonly unknown[]): Promise<unknown> | undefined {
  const t = f.type;
  const objs = level.objs;
  let child: Level | null = null;
  let later: Promise<unknown>[] | null = null;
  if (t.k === 'object' || t.k === 'list') {
    const plan = innerPlan(t);
    if (plan) child = { plan, objs: [], srcs: [], up: level, upIdx: [], field: f, listIdx: t.k === 'list' ? [] : null };
  }
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i];
    if (o === null || o === undefined) continue;
    const v = values[i];
    if (v instanceof Error) {
      record(run, level, i, f, null, v);
      fieldNull(run, level, i, f);
      continue;
    }
    if (v === null || v === undefined) {
      if (t.nonNull) {
        record(run, level, i, f, null, nonNullError(f));
        nullObject(run, level, i);
      } else o[f.key] = null;
      continue;
    }
    if (t.k === 'leaf') {
      const s = serialize(run, level, i, f, null, t.type, v);
      if (s === FAILED) fieldNull(run, level, i, f);
      else o[f.key] = s;
      continue;
    }
    if (t.k === 'object') {
      const obj = t.plan.make();
      o[f.key] = obj;
      child!.objs.push(obj);
      child!.srcs.push(v);
      child!.upIdx.push(i);
      continue;
    }
    const out = completeList(run, level, i, f, t, v, child, null);
    if (out === FAILED) fieldNull(run, level, i, f);
    else if (isThenable(out)) {
      const at = i;
      (later ??= []).push(
        out.then((arr) => {
          if (!level.objs[at]) return; // nulled meanwhile by another of its fields
          if (arr === FAILED) fieldNull(run, level, at, f);
          else level.objs[at]![f.key] = arr;
        }),
      );
    } else o[f.key] = out;
  }
  if (later) {
    // A list held promises (unusual for a gateway's sources): wait for them before going deeper.
    return Promise.all(later).then(() => (child && child.objs.length ? executeLevel(run, child) : undefined));
  }
  if (child === null || child.objs.length === 0) return undefined;
  return executeLevel(run, child);
}

/** Field `f` of object `i` failed: null there, or (non-null field) null the object itself. */
function fieldNull(run: Run, level: Level, i: number, f: FieldPlan): void {
  if (f.type.nonNull) nullObject(run, level, i);
  else level.objs[i]![f.key] = null;
}

function innerPlan(t: TypePlan): ObjectPlan | null {
  let cur = t;
  while (cur.k === 'list') cur = cur.of;
  return cur.k === 'object' ? cur.plan : null;
}

const FAILED = Symbol('failed');

type ListPlan = Extract<TypePlan, { k: 'list' }>;

/**
 * Completes a list value for object `i` of `level` (`outer`: indices of the enclosing lists, for
 * nested lists). Returns the array; FAILED when the list itself must be null (not iterable, or a
 * non-null item failed; the error is recorded); or a promise of either when items were promises.
 */
function completeList(
  run: Run,
  level: Level,
  i: number,
  f: FieldPlan,
  t: ListPlan,
  v: unknown,
  child: Level | null,
  outer: number[] | null,
): unknown[] | typeof FAILED | Promise<unknown[] | typeof FAILED> {
  if (typeof v === 'string' || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    record(run, level, i, f, outer, new GraphQLError(`Expected Iterable, but did not find one for field "${f.parentType.name}.${f.name}".`));
    return FAILED;
  }
  const items = Array.isArray(v) ? (v as unknown[]) : [...(v as Iterable<unknown>)];
  for (let j = 0; j < items.length; j++) {
    if (isThenable(items[j])) {
      return Promise.all(items.map((x) => (isThenable(x) ? x.then((r) => r, (e: unknown) => (e instanceof Error ? e : new ThrownValue(e))) : x))).then((resolved) =>
        completeListSync(run, level, i, f, t, resolved, child, outer),
      );
    }
  }
  return completeListSync(run, level, i, f, t, items, child, outer);
}

function completeListSync(
  run: Run,
  level: Level,
  i: number,
  f: FieldPlan,
  t: ListPlan,
  items: readonly unknown[],
  child: Level | null,
  outer: number[] | null,
): unknown[] | typeof FAILED | Promise<unknown[] | typeof FAILED> {
  const of = t.of;
  const arr: unknown[] = new Array(items.length);
  /** Inner lists that held promises (nested lists only), and whether a non-null one failed. */
  let pending: Promise<void>[] | null = null;
  let lost = false;
  for (let j = 0; j < items.length; j++) {
    const item = items[j];
    let failed = false;
    if (item instanceof Error) {
      record(run, level, i, f, outer === null ? [j] : [...outer, j], item);
      failed = true;
    } else if (item === null || item === undefined) {
      if (of.nonNull) {
        record(run, level, i, f, outer === null ? [j] : [...outer, j], nonNullError(f));
        failed = true;
      } else arr[j] = null;
    } else if (of.k === 'leaf') {
      const s = serialize(run, level, i, f, outer === null ? [j] : [...outer, j], of.type, item);
      if (s === FAILED) failed = true;
      else arr[j] = s;
    } else if (of.k === 'object') {
      const obj = of.plan.make();
      arr[j] = obj;
      child!.objs.push(obj);
      child!.srcs.push(item);
      child!.upIdx.push(i);
      child!.listIdx!.push(outer === null ? j : [...outer, j]);
    } else {
      const inner = completeList(run, level, i, f, of, item, child, outer === null ? [j] : [...outer, j]);
      if (isThenable(inner)) {
        // Promises inside nested lists (not produced by the sources): this list waits for them.
        const at = j;
        (pending ??= []).push(
          inner.then((r) => {
            if (r !== FAILED) arr[at] = r;
            else if (of.nonNull) lost = true;
            else arr[at] = null;
          }),
        );
      } else if (inner === FAILED) failed = true;
      else arr[j] = inner;
    }
    if (failed) {
      if (of.nonNull) return FAILED;
      arr[j] = null;
    }
  }
  if (pending !== null) return Promise.all(pending).then(() => (lost ? FAILED : arr));
  return arr;
}

// The built-in scalars' serializers, recognised by identity (a schema may bring its own Int).
const INT = GraphQLInt.serialize;
const FLOAT = GraphQLFloat.serialize;
const STRING = GraphQLString.serialize;
const BOOLEAN = GraphQLBoolean.serialize;
const ID = GraphQLID.serialize;

function serialize(run: Run, level: Level, i: number, f: FieldPlan, listPath: number[] | null, type: GraphQLLeafType, v: unknown): unknown {
  // The common case of the built-in scalars, answered as their serialize would answer it (a
  // 32-bit integer, a finite number, a string, a boolean) without the call and its coercions:
  // hundreds of leaves per answer. Anything else goes through serialize.
  const ser = type.serialize;
  if (ser === INT) {
    if (typeof v === 'number' && (v | 0) === v) return v;
  } else if (ser === STRING || ser === ID) {
    if (typeof v === 'string') return v;
  } else if (ser === FLOAT) {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  } else if (ser === BOOLEAN) {
    if (typeof v === 'boolean') return v;
  }
  let s: unknown;
  try {
    s = type.serialize(v);
  } catch (e) {
    record(run, level, i, f, listPath, e);
    return FAILED;
  }
  if (s === undefined || s === null) {
    record(run, level, i, f, listPath, new Error(`Expected \`${type.name}.serialize(${safeInspect(v)})\` to return non-nullable value, returned: ${String(s)}`));
    return FAILED;
  }
  return s;
}

function nonNullError(f: FieldPlan): Error {
  return new Error(`Cannot return null for non-nullable field ${f.parentType.name}.${f.name}.`);
}

/** Records an error for field `f` of object `i` (inside a list at `listPath`, when given). */
function record(run: Run, level: Level, i: number, f: FieldPlan, listPath: readonly number[] | null, e: unknown): void {
  // graphql-js drops an error whose position, or an ancestor's, was already nulled by an earlier
  // error (one error per nulled position): a failing batch under non-null fields is one error, not one per parent.
  if (!attached(run, level, i)) return;
  // The client left: nobody reads this answer. One error says why; the other items' (one per
  // parent of a failed batch: hundreds under a list) are not built.
  if (run.errors.length && requestSignal(run.ctx as GatewayContext | undefined).aborted) return;
  let path = fieldPath(level, i, f);
  if (listPath) for (const k of listPath) path = { prev: path, key: k, typename: undefined };
  const err = e instanceof Error ? e : new ThrownValue(e);
  // Like graphql-jit (the engine this one stands in for): a path and no locations, so an answer
  // does not depend on which engine ran. A GraphQLError that already has a path is kept as is.
  run.errors.push(err instanceof GraphQLError && err.path ? err : new GraphQLError(err.message, { path: responsePathAsArray(path), originalError: err }));
}

/** Whether object `i` of `level` is still in the response (no error nulled it or a position above it). */
function attached(run: Run, level: Level, i: number): boolean {
  for (let l = level, k = i; ; ) {
    const o = l.objs[k];
    if (!o) return false;
    const up = l.up;
    if (up === null) return !run.dataNull;
    const p = l.upIdx[k]!;
    const parent = up.objs[p];
    if (!parent) return false;
    let v: unknown = parent[l.field!.key];
    const li = l.listIdx ? l.listIdx[k]! : null;
    if (li !== null) for (const j of typeof li === 'number' ? [li] : li) v = Array.isArray(v) ? (v as unknown[])[j] : undefined;
    if (v !== o) return false;
    l = up;
    k = p;
  }
}

/**
 * A non-null position below object `i` failed after its level was built: the object becomes null
 * in its parent, and so on up while the positions are non-null (GraphQL's null propagation).
 */
function nullObject(run: Run, level: Level, i: number): void {
  if (level.objs[i] === null) return;
  level.objs[i] = null;
  const up = level.up;
  if (up === null) {
    run.dataNull = true;
    return;
  }
  const f = level.field!;
  const p = level.upIdx[i]!;
  const o = up.objs[p];
  if (!o) return;
  const li = level.listIdx ? level.listIdx[i]! : null;
  const idx = li === null ? [] : typeof li === 'number' ? [li] : li;
  // The types along the position: the field's type, then each enclosing list's item type.
  const types: TypePlan[] = [f.type];
  for (let k = 0; k < idx.length; k++) types.push((types[k] as ListPlan).of);
  // From the innermost position outwards, the first nullable one takes the null.
  for (let depth = types.length - 1; depth >= 0; depth--) {
    if (types[depth]!.nonNull) continue;
    if (depth === 0) {
      o[f.key] = null;
      return;
    }
    let container = o[f.key] as unknown[] | null;
    for (let k = 0; k < depth - 1 && container; k++) container = container[idx[k]!] as unknown[] | null;
    if (container) container[idx[depth - 1]!] = null;
    return;
  }
  nullObject(run, up, p);
}

/** The response path of field `f` of object `i` (graphql-js Path: keys with their parent type, list indices). */
function fieldPath(level: Level, i: number, f: FieldPlan): InfoPath {
  return { prev: objectPathOf(level, i), key: f.key, typename: f.parentType.name };
}

function objectPathOf(level: Level, i: number): InfoPath | undefined {
  if (level.up === null) return undefined;
  const field = level.field!;
  let path: InfoPath = { prev: objectPathOf(level.up, level.upIdx[i]!), key: field.key, typename: field.parentType.name };
  const li = level.listIdx ? level.listIdx[i]! : null;
  if (li !== null) for (const k of typeof li === 'number' ? [li] : li) path = { prev: path, key: k, typename: undefined };
  return path;
}

type InfoPath = GraphQLResolveInfo['path'];

function infoFor(run: Run, level: Level, i: number, f: FieldPlan): GraphQLResolveInfo {
  return {
    fieldName: f.name,
    fieldNodes: f.nodes,
    returnType: f.returnType,
    parentType: f.parentType,
    path: fieldPath(level, i, f),
    schema: run.schema,
    fragments: run.plan.fragments,
    rootValue: run.rootValue,
    operation: run.plan.operation,
    variableValues: run.variables,
  };
}

/** graphql-js's text for a value in its messages (its `inspect`: `"abc"`, `{ code: 7 }`), reached through the public locatedError. */
function safeInspect(v: unknown): string {
  try {
    if (v instanceof Error) return String(v);
    return locatedError(v, undefined).message.slice(UNEXPECTED.length);
  } catch {
    return '[value]';
  }
}

const UNEXPECTED = 'Unexpected error value: ';
