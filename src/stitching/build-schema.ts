import { GraphQLScalarType, Kind, isObjectType, parse, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { mergeTypeDefs } from '@graphql-tools/merge';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { StartupError, type Problem } from '../errors/gateway-error';
import type { ImportedSource, ResolverMap } from '../adapters/types';
import { SHARED_SCALARS } from './scalars';
import { LINK_DIRECTIVES_SDL, compileLinks, indexRootResolvers, type CompiledLink } from './links';
import { POLICY_DIRECTIVES_SDL } from '../policy/directives';
import { BATCH, batchFormOf } from '../engine/batched';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);
const SHARED_SCALAR_NAMES = new Set(SHARED_SCALARS.map((s) => s.name));

export interface SourceParts {
  imported: ImportedSource;
  resolvers: ResolverMap;
  /** Keep the source's root fields out of the client schema (links and resolvers can still call them). */
  hideRootFields?: boolean;
}

/** The hand-written client-facing layer: schemas/*.graphql and resolvers/*.ts. */
export interface ClientLayer {
  files: { file: string; sdl: string }[];
  resolvers: ResolverMap[];
}

export interface BuiltSchema {
  schema: GraphQLSchema;
  links: CompiledLink[];
}

/**
 * Composes every source's SDL and resolvers into ONE executable schema (no delegation between
 * schemas at request time). Clashes between sources are reported all at once, each with a fix.
 */
export function buildGatewaySchema(sources: SourceParts[], client: ClientLayer = { files: [], resolvers: [] }): BuiltSchema {
  const problems: Problem[] = [];
  const docs: DocumentNode[] = [];
  const schemaResolvers: ResolverMap[] = [];
  const typeOwner = new Map<string, string>();
  const rootFieldOwner = new Map<string, string>();

  for (const { imported, resolvers, hideRootFields } of sources) {
    let doc: DocumentNode;
    try {
      doc = parse(imported.sdl);
      if (hideRootFields) doc = withoutRootFields(doc);
    } catch (e) {
      problems.push({ code: 'SCHEMA_BUILD_FAILED', key: `sources.${imported.sourceName}`, message: `generated SDL does not parse: ${(e as Error).message}` });
      continue;
    }
    for (const def of doc.definitions) {
      const name = definitionName(def);
      if (!name) continue;
      if (ROOT_TYPES.has(name) && (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION)) {
        for (const f of def.fields ?? []) {
          const key = `${name}.${f.name.value}`;
          const prev = rootFieldOwner.get(key);
          if (prev && prev !== imported.sourceName) {
            problems.push({
              code: 'SCHEMA_BUILD_FAILED',
              key: `sources.${imported.sourceName}`,
              message: `root field ${key} is defined by both "${prev}" and "${imported.sourceName}"`,
              fix: `rename one of them with the source's \`rename\` option (e.g. rename: { ${f.name.value}: '${imported.sourceName}${capitalize(f.name.value)}' })`,
            });
          }
          rootFieldOwner.set(key, imported.sourceName);
        }
        continue;
      }
      if (SHARED_SCALAR_NAMES.has(name) && def.kind === Kind.SCALAR_TYPE_DEFINITION) continue;
      const prev = typeOwner.get(name);
      if (prev && prev !== imported.sourceName) {
        problems.push({
          code: 'SCHEMA_BUILD_FAILED',
          key: `sources.${imported.sourceName}`,
          message: `type ${name} is defined by both "${prev}" and "${imported.sourceName}"`,
          fix: `set typePrefix on one of the sources (e.g. typePrefix: '${capitalize(imported.sourceName)}')`,
        });
      }
      typeOwner.set(name, imported.sourceName);
    }
    docs.push(doc);
    schemaResolvers.push(hideRootFields ? withoutRootResolvers(resolvers) : resolvers);
  }

  // The client-facing layer: its @resolveTo/@link fields compile to loader-backed resolvers.
  const roots = indexRootResolvers(sources.map((s) => ({ name: s.imported.sourceName, resolvers: s.resolvers })));
  const links: CompiledLink[] = [];
  const clientResolvers: ResolverMap[] = [];
  if (client.files.length) docs.push(parse(LINK_DIRECTIVES_SDL));
  docs.push(parse(POLICY_DIRECTIVES_SDL));
  for (const f of client.files) {
    let doc: DocumentNode;
    try {
      doc = parse(f.sdl);
    } catch (e) {
      problems.push({ code: 'SCHEMA_BUILD_FAILED', file: f.file, message: `does not parse: ${(e as Error).message}` });
      continue;
    }
    try {
      const compiled = compileLinks(doc, roots, f.file);
      links.push(...compiled.links);
      clientResolvers.push(compiled.resolvers);
    } catch (e) {
      if (e instanceof StartupError) problems.push(...e.problems);
      else throw e;
      continue;
    }
    docs.push(doc);
  }
  if (problems.length) throw new StartupError(problems);

  // convertExtensions: the client layer may `extend type Query` of a source whose root fields are internal.
  const merged = mergeTypeDefs(docs, { sort: false, throwOnConflict: true, convertExtensions: true });
  const hasQuery = merged.definitions.some(
    (d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Query' && (d.fields?.length ?? 0) > 0,
  );
  const typeDefs: (DocumentNode | string)[] = [merged];
  if (!hasQuery) {
    typeDefs.push('type Query {\n  "The configured sources expose no queries."\n  _empty: Void\n}\nscalar Void');
  }
  const declared = new Set(
    merged.definitions.map(definitionName).filter((n): n is string => Boolean(n)),
  );
  const scalarResolvers: Record<string, unknown> = {};
  for (const s of SHARED_SCALARS) if (declared.has(s.name) || (!hasQuery && s.name === 'Void')) scalarResolvers[s.name] = s;
  if (client.files.length && !declared.has('JSON')) {
    typeDefs.push('scalar JSON');
    scalarResolvers.JSON = SHARED_SCALARS.find((s) => s.name === 'JSON');
  }

  try {
    const schema = makeExecutableSchema({
      typeDefs: mergeTypeDefs(typeDefs),
      resolvers: [scalarResolvers, ...schemaResolvers, ...clientResolvers, ...client.resolvers] as never,
      resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
    });
    keepBatchForms(schema, clientResolvers, client.resolvers);
    return { schema, links };
  } catch (e) {
    throw new StartupError([{ code: 'SCHEMA_BUILD_FAILED', message: (e as Error).message }]);
  }
}

/**
 * makeExecutableSchema binds every resolver (`fn.bind(typeResolvers)`), which drops the batch form
 * @link resolvers carry for the breadth-first engine: put it back on the schema's functions.
 * A field the hand-written resolvers/ override keeps no batch form (their resolver runs instead).
 */
function keepBatchForms(schema: GraphQLSchema, linkResolvers: readonly ResolverMap[], overrides: readonly ResolverMap[]): void {
  for (const map of linkResolvers) {
    for (const [typeName, fields] of Object.entries(map)) {
      if (!fields || typeof fields !== 'object' || fields instanceof GraphQLScalarType) continue;
      for (const [fieldName, fn] of Object.entries(fields)) {
        const batch = batchFormOf(fn);
        if (!batch) continue;
        if (overrides.some((r) => (r[typeName] as Record<string, unknown> | undefined)?.[fieldName] !== undefined)) continue;
        const type = schema.getType(typeName);
        const field = type && isObjectType(type) ? type.getFields()[fieldName] : undefined;
        if (field?.resolve) (field.resolve as { [BATCH]?: unknown })[BATCH] = batch;
      }
    }
  }
}

function withoutRootFields(doc: DocumentNode): DocumentNode {
  return {
    ...doc,
    definitions: doc.definitions.filter((d) => !(d.kind === Kind.OBJECT_TYPE_DEFINITION && (d.name.value === 'Query' || d.name.value === 'Mutation'))),
  };
}

function withoutRootResolvers(resolvers: ResolverMap): ResolverMap {
  const { Query: _q, Mutation: _m, ...rest } = resolvers;
  return rest;
}

function definitionName(def: DefinitionNode): string | undefined {
  return 'name' in def && def.name ? def.name.value : undefined;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
