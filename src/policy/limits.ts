import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { GatewayError } from '../errors/gateway-error';
import type { LimitsOptions } from './options';

export interface OperationShape {
  /** Deepest field nesting over every operation, fragments expanded. */
  depth: number;
  /** Aliased fields (`__typename` aliases excluded), fragments counted once. */
  aliases: number;
  /** Directive uses in executable definitions. */
  directives: number;
}

/** Measures a parsed document. Cycle-safe (fragment cycles are left to validation). Pure. */
export function measureDocument(document: DocumentNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let directives = 0;
  const countSet = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        if (sel.alias && sel.name.value !== '__typename') aliases++;
        if (sel.selectionSet) countSet(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) countSet(sel.selectionSet);
    }
  };
  const fragmentDepth = new Map<string, number>();
  const depthOf = (set: SelectionSetNode, visiting: Set<string>): number => {
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        // Introspection has its own switch (`introspection`) and graphql-js's
        // MaxIntrospectionDepthRule; GraphiQL's own introspection query is 15 deep.
        if (sel.name.value === '__schema' || sel.name.value === '__type') continue;
        max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, visiting) : 1);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, visiting));
      } else {
        const name = sel.name.value;
        let d = fragmentDepth.get(name);
        if (d === undefined) {
          const frag = fragments.get(name);
          if (!frag || visiting.has(name)) continue;
          visiting.add(name);
          d = depthOf(frag.selectionSet, visiting);
          visiting.delete(name);
          fragmentDepth.set(name, d);
        }
        max = Math.max(max, d);
      }
    }
    return max;
  };
  let depth = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    directives += d.directives?.length ?? 0;
    countSet(d.selectionSet);
    if (d.kind === Kind.OPERATION_DEFINITION) depth = Math.max(depth, depthOf(d.selectionSet, new Set()));
  }
  return { depth, aliases, directives };
}

/** The first limit the document breaks, as a request-level error (400), or undefined. */
export function checkOperationLimits(document: DocumentNode, limits: Pick<LimitsOptions, 'maxDepth' | 'maxAliases' | 'maxDirectives'>): GatewayError | undefined {
  const shape = measureDocument(document);
  const http = { status: 400 };
  if (shape.depth > limits.maxDepth) {
    return new GatewayError('MAX_DEPTH_LIMIT', { message: `Query depth limit of ${limits.maxDepth} exceeded, found ${shape.depth}.`, extensions: { http, limit: limits.maxDepth, found: shape.depth } });
  }
  if (shape.aliases > limits.maxAliases) {
    return new GatewayError('MAX_ALIASES_LIMIT', { message: `Aliases limit of ${limits.maxAliases} exceeded, found ${shape.aliases}.`, extensions: { http, limit: limits.maxAliases, found: shape.aliases } });
  }
  if (shape.directives > limits.maxDirectives) {
    return new GatewayError('MAX_DIRECTIVES_LIMIT', { message: `Directives limit of ${limits.maxDirectives} exceeded, found ${shape.directives}.`, extensions: { http, limit: limits.maxDirectives, found: shape.directives } });
  }
  return undefined;
}
