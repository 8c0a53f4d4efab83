import {
  Kind,
  getNamedType,
  isObjectType,
  isAbstractType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { ImportedSource } from '../adapters/types';
import type { CompiledLink } from './links';

/** One upstream call a query will make. */
export interface PlannedCall {
  /** 1 = root fields; each link nested under a link adds a level. */
  level: number;
  source: string;
  /** The upstream operation (`GET /users`, `shop.orders.v1.OrdersService/BatchGetOrders`). */
  upstream: string;
  /** The client field that causes it. */
  field: string;
  /** `1` for root fields and batched links; `per distinct key` for single-key links. */
  calls: '1' | 'per distinct key';
  how: string;
}

/**
 * Which upstream calls a query makes, per source and level, batched — read from the schema and the
 * compiled links, without executing anything.
 */
export function explainQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  links: readonly CompiledLink[],
  sources: readonly ImportedSource[],
  operationName?: string,
): PlannedCall[] {
  const byCoordinate = new Map(links.map((l) => [l.coordinate, l]));
  const upstreamOf = new Map<string, string>();
  const ownerOfRoot = new Map<string, string>();
  for (const s of sources) {
    for (const op of s.operations) {
      upstreamOf.set(`${s.sourceName}:${op.field}`, op.upstream);
      ownerOfRoot.set(op.field, s.sourceName);
    }
  }
  const upstream = (source: string, field: string) =>
    upstreamOf.get(`${source}:${field.includes('.') ? field : `Query.${field}`}`) ?? upstreamOf.get(`${source}:Mutation.${field}`) ?? field;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return [];
  const rootType = op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!rootType) return [];
  const seen = new Set<string>();
  const out: PlannedCall[] = [];
  const add = (c: PlannedCall) => {
    const k = `${c.level}|${c.source}|${c.upstream}|${c.field}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(c);
    }
  };

  const walk = (type: GraphQLNamedType, set: SelectionSetNode, level: number, visiting: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (frag && !visiting.has(frag.name.value)) {
          const t = schema.getType(frag.typeCondition.name.value);
          if (t) walk(t, frag.selectionSet, level, new Set([...visiting, frag.name.value]));
        }
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
        if (t) walk(t, sel.selectionSet, level, visiting);
        continue;
      }
      const candidates = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
      for (const t of candidates) {
        const fieldDef = t.getFields()[sel.name.value];
        if (!fieldDef) continue;
        const coordinate = `${t.name}.${sel.name.value}`;
        const link = byCoordinate.get(coordinate);
        let next = level;
        if (link) {
          const s = link.spec;
          const batched = s.kind === 'resolveTo' || Boolean(s.keysArg);
          add({
            level,
            source: s.source,
            upstream: upstream(s.source, s.field),
            field: coordinate,
            calls: batched ? '1' : 'per distinct key',
            how: s.kind === 'resolveTo' ? `@resolveTo ${s.field}` : s.keysArg ? `@link batch: ${s.field}(${s.keysArg}: [${t.name}.${s.key}])` : `@link: ${s.field}(${s.keyArg}: ${t.name}.${s.key}) per key, de-duplicated`,
          });
          next = level + 1;
        } else if (t === rootType) {
          const owner = ownerOfRoot.get(coordinate);
          if (owner) {
            add({ level, source: owner, upstream: upstream(owner, coordinate), field: coordinate, calls: '1', how: 'root field' });
            next = level + 1;
          }
        }
        if (sel.selectionSet) walk(getNamedType(fieldDef.type), sel.selectionSet, next, visiting);
      }
    }
  };
  walk(rootType, op.selectionSet, 1, new Set());
  return out.sort((a, b) => a.level - b.level || a.source.localeCompare(b.source));
}

export function formatPlan(plan: readonly PlannedCall[]): string {
  if (!plan.length) return 'no upstream calls\n';
  const rows = plan.map((p) => [`level ${p.level}`, p.source, p.upstream, p.calls === '1' ? '1 call' : 'N calls (per distinct key)', `${p.field} — ${p.how}`]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  '));
  const fixed = plan.filter((p) => p.calls === '1').length;
  const perKey = plan.length - fixed;
  return `${lines.join('\n')}\n\ntotal: ${fixed} call(s)${perKey ? ` + ${perKey} per-key link(s) (one call per distinct key)` : ''}, whatever the list sizes\n`;
}
