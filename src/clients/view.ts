import {
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLUnionType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLFieldConfig,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { MapperKind, filterSchema, mapSchema, pruneSchema } from '@graphql-tools/utils';

/**
 * A per-client view of the one graph: configuration over the gateway schema, not a second
 * gateway. Filtering and renaming rewrite the schema once at start-up; resolvers stay the same
 * functions (so views share loaders, links and cache rules), renamed fields read their original
 * data, and unions/interfaces answer with the renamed type names.
 */
export interface ViewShape {
  /** Keep only these (`Type.field`, `Type.*` or a type name). Root fields not listed are dropped. */
  include?: readonly string[];
  /** Drop these (`Type.field`, `Type.*` or a type name). */
  exclude?: readonly string[];
  /** Keep only root fields carrying one of these `@tag(name:)` (and everything they reach). */
  includeTags?: readonly string[];
  /** Drop every field and type carrying one of these `@tag(name:)`. */
  excludeTags?: readonly string[];
  /** `{ types: { User: 'Customer' }, fields: { 'User.name': 'fullName' } }` (original names). */
  rename?: { types?: Readonly<Record<string, string>>; fields?: Readonly<Record<string, string>> };
}

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

function tagsOf(node: { astNode?: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: { kind: string; value?: string } }[] }[] } | null } | undefined, extensionNodes?: readonly { directives?: readonly unknown[] }[]): string[] {
  const out: string[] = [];
  const all = [node?.astNode, ...((extensionNodes ?? []) as typeof node extends undefined ? never : unknown[])];
  for (const n of all) {
    const directives = (n as { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: { kind: string; value?: string } }[] }[] } | null | undefined)?.directives ?? [];
    for (const d of directives) {
      if (d.name.value !== 'tag') continue;
      const arg = d.arguments?.find((a) => a.name.value === 'name');
      if (arg && arg.value.kind === 'StringValue' && typeof arg.value.value === 'string') out.push(arg.value.value);
    }
  }
  return out;
}

function matches(list: readonly string[] | undefined, type: string, field?: string): boolean {
  if (!list?.length) return false;
  return field === undefined ? list.includes(type) : list.includes(`${type}.${field}`) || list.includes(`${type}.*`) || list.includes(type);
}

export function createView(base: GraphQLSchema, shape: ViewShape): GraphQLSchema {
  const excludeTags = new Set(shape.excludeTags ?? []);
  const includeTags = new Set(shape.includeTags ?? []);
  const typeExcluded = (t: GraphQLNamedType): boolean =>
    matches(shape.exclude, t.name) || (excludeTags.size > 0 && tagsOf(t as never, (t as unknown as { extensionASTNodes?: [] }).extensionASTNodes).some((x) => excludeTags.has(x)));

  const fieldKept = (typeName: string, fieldName: string, field: GraphQLFieldConfig<unknown, unknown>): boolean => {
    if (matches(shape.exclude, typeName, fieldName)) return false;
    const tags = tagsOf(field as never);
    if (tags.some((t) => excludeTags.has(t))) return false;
    const named = getNamedType(field.type) as GraphQLNamedType;
    if (typeExcluded(named)) return false;
    if (ROOTS.has(typeName)) {
      if (shape.include?.length && !matches(shape.include, typeName, fieldName)) return false;
      if (includeTags.size && !tags.some((t) => includeTags.has(t))) return false;
    } else if (shape.include?.length && shape.include.some((i) => i.startsWith(`${typeName}.`)) && !matches(shape.include, typeName, fieldName)) {
      // An include list that names fields of this type keeps only those fields.
      return false;
    }
    return true;
  };

  let schema = filterSchema({
    schema: base,
    typeFilter: (_name, t) => !typeExcluded(t as GraphQLNamedType),
    rootFieldFilter: (op, name, field) => fieldKept(op, name, field as never),
    objectFieldFilter: (typeName, name, field) => fieldKept(typeName, name, field as never),
    interfaceFieldFilter: (typeName, name, field) => fieldKept(typeName, name, field as never),
  });
  schema = pruneSchema(schema);

  const typeRenames = shape.rename?.types ?? {};
  const fieldRenames = shape.rename?.fields ?? {};
  if (!Object.keys(typeRenames).length && !Object.keys(fieldRenames).length) return schema;
  const newName = (n: string) => typeRenames[n] ?? n;

  schema = mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => {
      const to = fieldRenames[`${typeName}.${fieldName}`];
      if (!to) return config;
      // A renamed field without a resolver of its own still reads the original property.
      const resolve = config.resolve ?? ((parent: unknown) => (parent as Record<string, unknown> | null)?.[fieldName]);
      return [to, { ...config, resolve }];
    },
  });
  schema = mapSchema(schema, {
    [MapperKind.TYPE]: (type) => {
      const to = typeRenames[type.name];
      if (isObjectType(type)) return new GraphQLObjectType({ ...type.toConfig(), name: to ?? type.name });
      if (isInterfaceType(type)) return new GraphQLInterfaceType({ ...type.toConfig(), name: to ?? type.name, resolveType: renameResolveType(type.resolveType, newName) });
      if (isUnionType(type)) return new GraphQLUnionType({ ...type.toConfig(), name: to ?? type.name, resolveType: renameResolveType(type.resolveType, newName) });
      if (!to) return type;
      const Ctor = type.constructor as new (config: unknown) => GraphQLNamedType;
      return new Ctor({ ...(type as unknown as { toConfig(): object }).toConfig(), name: to });
    },
  });
  return schema;
}

function renameResolveType<TSource, TContext>(
  resolve: GraphQLTypeResolver<TSource, TContext> | undefined | null,
  newName: (n: string) => string,
): GraphQLTypeResolver<TSource, TContext> | undefined {
  if (!resolve) return undefined;
  return (value, ctx, info, abstract) => {
    const r = resolve(value, ctx, info, abstract);
    if (r && typeof (r as Promise<string>).then === 'function') return (r as Promise<string | undefined>).then((n) => (n ? newName(n) : n));
    return typeof r === 'string' ? newName(r) : r;
  };
}
