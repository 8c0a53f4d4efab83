import {
  Kind,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLResolveInfo,
} from 'graphql';
import type { GatewayContext } from '../context';
import type { GatewayResolver, ResolverMap } from '../adapters/types';
import { StartupError, type Problem } from '../errors/gateway-error';
import { BATCH, type BatchResolver } from '../engine/batched';

/**
 * The client-facing layer's directives. A field with @resolveTo is answered by one call of a
 * source's root field; a field with @link fetches related data from another source by a key of
 * its parent, through a per-request DataLoader (N keys -> one batch call, or distinct single
 * calls run with a concurrency limit). Both compile, at start-up, to resolvers that call the
 * owning source's resolver directly: no delegation between schemas at request time.
 */
export const LINK_DIRECTIVES_SDL = /* GraphQL */ `
"""Labels a field or type for per-client views (clients.<name>.includeTags / excludeTags)."""
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR | ARGUMENT_DEFINITION

"""Answer this field with one call of a source's root field."""
directive @resolveTo(
  "Source name, as in the config."
  source: String!
  "The source's root field: 'listUsers' or 'Query.listUsers'."
  field: String!
  "Arguments for the call; string values may use {args.x} and {parent.x}."
  args: JSON
  "Dot path inside the call's result to return, e.g. 'items'."
  path: String
) on FIELD_DEFINITION

"""Fetch related data from a source by a key of the parent object, batched per request."""
directive @link(
  source: String!
  "The source's root field that fetches the related data."
  field: String!
  "Field of the parent object holding the key, e.g. 'id'."
  key: String!
  "Batch form: the argument that takes the list of keys (N keys -> one call)."
  keysArg: String
  "Single form: the argument that takes one key (one call per distinct key)."
  keyArg: String
  "Dot path inside the call's result to the list of items (batch form), e.g. 'orders'."
  resultPath: String
  "Field of each result item that equals the key. Default: the key field's name."
  matchBy: String
  "One-to-many: every item whose matchBy equals the key (the field is a list)."
  many: Boolean = false
  "Fixed arguments added to every call."
  args: JSON
  "Most keys per batch call."
  maxBatchSize: Int = 100
  "Most single calls in flight at once (single form)."
  concurrency: Int = 10
) on FIELD_DEFINITION
`;

interface ResolveToSpec {
  kind: 'resolveTo';
  source: string;
  field: string;
  args?: Record<string, unknown>;
  path?: string[];
}

interface LinkSpec {
  kind: 'link';
  source: string;
  field: string;
  key: string;
  keysArg?: string;
  keyArg?: string;
  resultPath?: string[];
  matchBy: string;
  many: boolean;
  args?: Record<string, unknown>;
  maxBatchSize: number;
  concurrency: number;
}

export interface CompiledLink {
  /** `User.orders` */
  coordinate: string;
  spec: ResolveToSpec | LinkSpec;
}

/** Source name -> its root fields' resolvers (`Query.listUsers` -> fn). */
export type RootResolverIndex = Map<string, Map<string, GatewayResolver>>;

export function indexRootResolvers(sources: { name: string; resolvers: ResolverMap }[]): RootResolverIndex {
  const index: RootResolverIndex = new Map();
  for (const { name, resolvers } of sources) {
    const byField = new Map<string, GatewayResolver>();
    for (const root of ['Query', 'Mutation'] as const) {
      const fields = resolvers[root];
      if (!fields || typeof fields !== 'object' || 'serialize' in fields) continue;
      for (const [f, r] of Object.entries(fields)) if (typeof r === 'function') byField.set(`${root}.${f}`, r as GatewayResolver);
    }
    index.set(name, byField);
  }
  return index;
}

/**
 * Reads @resolveTo/@link from the client-facing SDL and returns a resolver per annotated field.
 * Every problem (unknown source or field, missing key argument) is reported at once.
 */
export function compileLinks(doc: DocumentNode, roots: RootResolverIndex, file = 'schemas/*.graphql'): { resolvers: ResolverMap; links: CompiledLink[] } {
  const problems: Problem[] = [];
  const resolvers: ResolverMap = {};
  const links: CompiledLink[] = [];
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of def.fields ?? []) {
      const coordinate = `${def.name.value}.${field.name.value}`;
      for (const d of field.directives ?? []) {
        if (d.name.value !== 'resolveTo' && d.name.value !== 'link') continue;
        const spec = readSpec(d);
        const fns = roots.get(spec.source);
        if (!fns) {
          problems.push({ code: 'SCHEMA_BUILD_FAILED', file, key: coordinate, message: `@${d.name.value} names source "${spec.source}", which the config does not declare`, fix: `use one of: ${[...roots.keys()].join(', ') || '(no sources)'}` });
          continue;
        }
        const target = spec.field.includes('.') ? spec.field : fns.has(`Query.${spec.field}`) ? `Query.${spec.field}` : `Mutation.${spec.field}`;
        const fn = fns.get(target);
        if (!fn) {
          problems.push({ code: 'SCHEMA_BUILD_FAILED', file, key: coordinate, message: `source "${spec.source}" has no root field ${spec.field}`, fix: `run \`switchyard print-schema\` or read schemas/${spec.source}/generated.graphql for its fields` });
          continue;
        }
        if (spec.kind === 'link' && !spec.keysArg && !spec.keyArg) {
          problems.push({ code: 'SCHEMA_BUILD_FAILED', file, key: coordinate, message: '@link needs keysArg (batch call) or keyArg (one call per key)', fix: `add keysArg: "<list argument of ${spec.field}>" or keyArg: "<argument>"` });
          continue;
        }
        const typeResolvers = (resolvers[def.name.value] ??= {}) as Record<string, unknown>;
        typeResolvers[field.name.value] = spec.kind === 'resolveTo' ? resolveToResolver(spec, fn) : linkResolver(spec, fn, `${spec.source}:${target}:${coordinate}`);
        links.push({ coordinate, spec });
      }
    }
  }
  if (problems.length) throw new StartupError(problems);
  return { resolvers, links };
}

function readSpec(d: ConstDirectiveNode): ResolveToSpec | LinkSpec {
  const a: Record<string, unknown> = {};
  for (const arg of d.arguments ?? []) a[arg.name.value] = valueFromASTUntyped(arg.value);
  const path = (p: unknown) => (typeof p === 'string' && p ? p.split('.') : undefined);
  if (d.name.value === 'resolveTo') {
    return { kind: 'resolveTo', source: String(a.source), field: String(a.field), args: a.args as Record<string, unknown> | undefined, path: path(a.path) };
  }
  return {
    kind: 'link',
    source: String(a.source),
    field: String(a.field),
    key: String(a.key),
    keysArg: a.keysArg as string | undefined,
    keyArg: a.keyArg as string | undefined,
    resultPath: path(a.resultPath),
    matchBy: (a.matchBy as string | undefined) ?? String(a.key),
    many: a.many === true,
    args: a.args as Record<string, unknown> | undefined,
    maxBatchSize: typeof a.maxBatchSize === 'number' ? a.maxBatchSize : 100,
    concurrency: typeof a.concurrency === 'number' ? a.concurrency : 10,
  };
}

const TEMPLATE = /^\{(args|parent)\.([A-Za-z_][A-Za-z0-9_.]*)\}$/;

type ArgsFiller = (args: Record<string, unknown>, parent: unknown) => Record<string, unknown>;

/**
 * Compiles an arguments template once, at start-up: "{args.first}" and "{parent.id}" are replaced
 * by values at call time, anything else is copied as written.
 */
function compileArgs(template: Record<string, unknown> | undefined): ArgsFiller {
  if (!template) return (args) => args;
  const parts = Object.entries(template).map(([k, v]) => {
    const m = typeof v === 'string' ? TEMPLATE.exec(v) : null;
    return { k, v, from: m ? (m[1] as 'args' | 'parent') : null, path: m ? m[2]!.split('.') : undefined };
  });
  return (args, parent) => {
    const out: Record<string, unknown> = {};
    for (const p of parts) out[p.k] = p.from === null ? p.v : getPath(p.from === 'args' ? args : parent, p.path);
    return out;
  };
}

function getPath(value: unknown, path: readonly string[] | undefined): unknown {
  let v = value;
  if (!path) return v;
  for (const p of path) {
    if (v === null || v === undefined) return v;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function resolveToResolver(spec: ResolveToSpec, fn: GatewayResolver): GatewayResolver {
  const fill = compileArgs(spec.args);
  const path = spec.path;
  if (!path) return (parent, args, ctx, info) => fn(undefined, fill(args, parent), ctx, info);
  return async (parent, args, ctx, info) => getPath(await fn(undefined, fill(args, parent), ctx, info), path);
}

/** A tiny semaphore so single-key links never open more than `limit` calls at once. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/**
 * Per-request loader of one link: keys asked for in the same tick are fetched together (in chunks
 * of `maxBatchSize`), each distinct key once per request; answers (and failures) are remembered
 * for the rest of the request. Like DataLoader, but `loadMany` costs one promise per call instead
 * of several per key, which mattered under the breadth-first engine's level-wide calls.
 */
class LinkLoader {
  /**
   * One entry per key asked for in this request: the Batch fetching it, then its answer (an Error
   * = that key's fetch failed). One map (not settled/in-flight/pending maps) keeps a level's
   * hundreds of keys to one insertion each; settling overwrites the entry in place.
   */
  private readonly entries = new Map<string, unknown>();
  private pending: Batch | null = null;

  constructor(
    private readonly fetch: (keys: readonly unknown[]) => Promise<readonly unknown[]>,
    private readonly maxBatchSize: number,
  ) {}

  load(key: unknown): Promise<unknown> {
    const k = keyOf(key);
    let e = this.entries.get(k);
    if (e === undefined && !this.entries.has(k)) e = this.enqueue(k, key);
    if (e instanceof Batch) return e.done.then(() => settle(this.entries.get(k)));
    return settle(e);
  }

  /** Values in key order; an Error marks a key whose fetch failed. Synchronous when every key is known. */
  loadMany(keys: readonly unknown[]): readonly unknown[] | Promise<readonly unknown[]> {
    const n = keys.length;
    const ks = new Array<string>(n);
    let wait: Batch | null = null;
    let waits: Set<Batch> | null = null;
    for (let i = 0; i < n; i++) {
      const k = (ks[i] = keyOf(keys[i]));
      let e = this.entries.get(k);
      if (e === undefined && !this.entries.has(k)) e = this.enqueue(k, keys[i]);
      if (!(e instanceof Batch)) continue;
      if (wait === null) wait = e;
      else if (e !== wait) (waits ??= new Set([wait])).add(e);
    }
    const values = () => {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = this.entries.get(ks[i]!);
      return out;
    };
    if (wait === null) return values();
    return (waits ? Promise.all(Array.from(waits, (b) => b.done)) : wait.done).then(values);
  }

  private enqueue(k: string, key: unknown): Batch {
    let batch = this.pending;
    if (batch === null) {
      const b = (batch = this.pending = new Batch());
      // After the current tick's promise jobs (as DataLoader does): every load of this level joins.
      b.done = new Promise<void>((resolve) => {
        void Promise.resolve().then(() =>
          process.nextTick(() => {
            this.pending = null;
            void this.dispatch(b).then(resolve);
          }),
        );
      });
    }
    batch.ks.push(k);
    batch.keys.push(key);
    this.entries.set(k, batch);
    return batch;
  }

  private async dispatch(batch: Batch): Promise<void> {
    const { ks, keys } = batch;
    const chunks: Promise<void>[] = [];
    for (let from = 0; from < ks.length; from += this.maxBatchSize) {
      const to = Math.min(ks.length, from + this.maxBatchSize);
      chunks.push(
        this.fetch(from === 0 && to === ks.length ? keys : keys.slice(from, to)).then(
          (values) => {
            for (let i = from; i < to; i++) this.entries.set(ks[i]!, values[i - from]);
          },
          (e: unknown) => {
            const err = e instanceof Error ? e : new Error(String(e));
            for (let i = from; i < to; i++) this.entries.set(ks[i]!, err);
          },
        ),
      );
    }
    await Promise.all(chunks);
  }
}

/** Keys of one tick, fetched together; `done` settles once every chunk's answers are in `entries`. */
class Batch {
  readonly ks: string[] = [];
  /** The keys as asked (what the fetch receives). */
  readonly keys: unknown[] = [];
  done!: Promise<void>;
}

function keyOf(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function settle(v: unknown): Promise<unknown> {
  return v instanceof Error ? Promise.reject(v) : Promise.resolve(v);
}

function linkResolver(spec: LinkSpec, fn: GatewayResolver, loaderKey: string): GatewayResolver {
  const createLoader = (ctx: GatewayContext, info: GraphQLResolveInfo): LinkLoader => {
    if (spec.keysArg) {
      const keysArg = spec.keysArg;
      return new LinkLoader(async (keys) => {
        const result = await fn(undefined, { ...spec.args, [keysArg]: keys }, ctx, info);
        const items = getPath(result, spec.resultPath);
        const list = Array.isArray(items) ? items : [];
        if (spec.many) {
          const groups = new Map<string, unknown[]>();
          for (const item of list) {
            const k = keyOf((item as Record<string, unknown>)?.[spec.matchBy]);
            const g = groups.get(k);
            if (g) g.push(item);
            else groups.set(k, [item]);
          }
          return keys.map((k) => groups.get(keyOf(k)) ?? []);
        }
        const byKey = new Map<string, unknown>();
        for (const item of list) byKey.set(keyOf((item as Record<string, unknown>)?.[spec.matchBy]), item);
        return keys.map((k) => byKey.get(keyOf(k)) ?? null);
      }, spec.maxBatchSize);
    }
    const keyArg = spec.keyArg!;
    const run = limiter(spec.concurrency);
    return new LinkLoader(
      (keys) =>
        Promise.all(
          keys.map((k) =>
            run(async () => fn(undefined, { ...spec.args, [keyArg]: k }, ctx, info)).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
          ),
        ),
      Infinity,
    );
  };
  const loaderFor = (ctx: GatewayContext, info: GraphQLResolveInfo) => {
    let loader = ctx.loaders.get(loaderKey) as LinkLoader | undefined;
    if (!loader) {
      loader = createLoader(ctx, info);
      ctx.loaders.set(loaderKey, loader);
    }
    return loader;
  };
  const empty = () => (spec.many ? [] : null);
  const resolver: GatewayResolver = (parent, _args, ctx, info) => {
    const key = (parent as Record<string, unknown> | null)?.[spec.key];
    if (key === null || key === undefined) return empty();
    return loaderFor(ctx, info).load(key);
  };
  // The batch form, for the breadth-first engine (src/engine/batched.ts): every parent of one
  // level at once, through the same per-request loader (same batching, same de-duplication).
  const batch: BatchResolver = (parents, _args, ctx, info) => {
    const keys: unknown[] = [];
    const at: number[] = [];
    const out: unknown[] = new Array(parents.length);
    for (let i = 0; i < parents.length; i++) {
      const key = (parents[i] as Record<string, unknown> | null)?.[spec.key];
      if (key === null || key === undefined) out[i] = empty();
      else {
        keys.push(key);
        at.push(i);
      }
    }
    if (keys.length === 0) return out;
    const fill = (values: readonly unknown[]) => {
      for (let k = 0; k < values.length; k++) out[at[k]!] = values[k];
      return out;
    };
    const values = loaderFor(ctx as GatewayContext, info).loadMany(keys);
    return Array.isArray(values) ? fill(values) : (values as Promise<readonly unknown[]>).then(fill);
  };
  (resolver as GatewayResolver & { [BATCH]?: BatchResolver })[BATCH] = batch;
  return resolver;
}
