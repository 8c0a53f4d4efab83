import {
  defaultFieldResolver,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { BATCH, batchFormOf, type BatchResolver } from '../engine/batched';
import { GatewayError, StartupError, type Problem } from '../errors/gateway-error';
import type { GatewayContext } from '../context';
import { directiveArgs } from './directives';
import { anonymousIdentity, type Identity } from './identity';
import type { PolicyCheck } from './options';

/** The decision for one field: undefined = allowed. */
export type FieldRule = (identity: Identity | undefined, field: { typeName: string; fieldName: string }) => 'UNAUTHENTICATED' | 'FORBIDDEN' | undefined;

/**
 * Wraps the resolvers of every field carrying `@authenticated`, `@requiresScopes` or `@policy`
 * (on the field, on its parent type, or on the type it returns). Rules are compiled here, once;
 * unprotected fields keep their resolver untouched (and graphql-jit its fast path). A refused
 * field throws UNAUTHENTICATED/FORBIDDEN before its resolver runs: null + error at its path, and
 * no upstream call. Mutates and returns `schema`.
 */
export function applyFieldAuthorization(schema: GraphQLSchema, policies: Readonly<Record<string, PolicyCheck>> = {}): GraphQLSchema {
  const problems: Problem[] = [];
  const typeRules = new Map<GraphQLNamedType, FieldRule[]>();
  const rulesOf = (t: GraphQLNamedType): FieldRule[] => {
    let r = typeRules.get(t);
    if (!r) typeRules.set(t, (r = compileRules(schema, t, policies, t.name, problems)));
    return r;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const rules = [
        ...rulesOf(type),
        ...compileRules(schema, field, policies, `${type.name}.${field.name}`, problems),
        ...rulesOf(getNamedType(field.type)),
      ];
      if (rules.length) wrapField(field, type.name, rules);
    }
  }
  if (problems.length) throw new StartupError(problems);
  return schema;
}

function wrapField(field: GraphQLField<unknown, unknown>, typeName: string, rules: FieldRule[]): void {
  const where = { typeName, fieldName: field.name };
  const verdictOf = (identity: Identity | undefined) => {
    for (const rule of rules) {
      const verdict = rule(identity, where);
      if (verdict) return verdict;
    }
    return undefined;
  };
  const decide = (identity: Identity | undefined) => {
    const verdict = verdictOf(identity);
    if (verdict) throw new GatewayError(verdict);
  };
  const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, GatewayContext>;
  field.resolve = (source, args, ctx: unknown, info) => {
    decide((ctx as GatewayContext).identity);
    return resolve(source, args, ctx as GatewayContext, info);
  };
  // A resolver with a batch form (@link) keeps one, with the same rule: the breadth-first engine
  // (src/engine/batched.ts) then still resolves a level's parents in one call. The rule depends on
  // the caller only, so it is decided once per level; a refusal is one error per parent, as above.
  const batch = batchFormOf(resolve);
  if (batch) {
    (field.resolve as { [BATCH]?: BatchResolver })[BATCH] = (parents, args, ctx, info) => {
      const verdict = verdictOf((ctx as GatewayContext).identity);
      return verdict ? parents.map(() => new GatewayError(verdict)) : batch(parents, args, ctx, info);
    };
  }
  if (field.subscribe) {
    const subscribe = field.subscribe as GraphQLFieldResolver<unknown, GatewayContext>;
    field.subscribe = (source, args, ctx: unknown, info) => {
      decide((ctx as GatewayContext).identity);
      return subscribe(source, args, ctx as GatewayContext, info);
    };
  }
}

function compileRules(
  schema: GraphQLSchema,
  element: Parameters<typeof directiveArgs>[1],
  policies: Readonly<Record<string, PolicyCheck>>,
  where: string,
  problems: Problem[],
): FieldRule[] {
  const rules: FieldRule[] = [];
  if (directiveArgs(schema, element, 'authenticated')) rules.push((id) => (isAuthenticated(id) ? undefined : 'UNAUTHENTICATED'));
  const scopes = directiveArgs(schema, element, 'requiresScopes')?.scopes as string[][] | undefined;
  if (scopes) {
    rules.push((id) => {
      if (!isAuthenticated(id)) return 'UNAUTHENTICATED';
      return scopes.some((all) => all.every((s) => id!.scopes.has(s))) ? undefined : 'FORBIDDEN';
    });
  }
  const named = directiveArgs(schema, element, 'policy')?.policies as string[][] | undefined;
  if (named) {
    const groups: PolicyCheck[][] = named.map((all) =>
      all.map((name) => {
        const check = policies[name];
        if (!check) problems.push({ code: 'CONFIG_INVALID', key: `auth.policies`, message: `@policy on ${where} names "${name}", which auth.policies does not define`, fix: `add auth.policies.${name}: (identity, field) => boolean` });
        return check ?? (() => false);
      }),
    );
    rules.push((id, field) => {
      const identity = id ?? ANONYMOUS;
      return groups.some((all) => all.every((check) => check(identity, field))) ? undefined : isAuthenticated(id) ? 'FORBIDDEN' : 'UNAUTHENTICATED';
    });
  }
  return rules;
}

const ANONYMOUS: Identity = anonymousIdentity();

function isAuthenticated(id: Identity | undefined): boolean {
  return id !== undefined && id.kind !== 'anonymous';
}
