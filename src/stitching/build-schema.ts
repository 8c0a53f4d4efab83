import { Kind, parse, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { mergeTypeDefs } from '@graphql-tools/merge';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { StartupError, type Problem } from '../errors/gateway-error';
import type { ImportedSource, ResolverMap } from '../adapters/types';
import { SHARED_SCALARS } from './scalars';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);
const SHARED_SCALAR_NAMES = new Set(SHARED_SCALARS.map((s) => s.name));

export interface SourceParts {
  imported: ImportedSource;
  resolvers: ResolverMap;
}

/**
 * Composes every source's SDL and resolvers into ONE executable schema (no delegation between
 * schemas at request time). Clashes between sources are reported all at once, each with a fix.
 */
export function buildGatewaySchema(sources: SourceParts[]): GraphQLSchema {
  const problems: Problem[] = [];
  const docs: DocumentNode[] = [];
  const typeOwner = new Map<string, string>();
  const rootFieldOwner = new Map<string, string>();

  for (const { imported } of sources) {
    let doc: DocumentNode;
    try {
      doc = parse(imported.sdl);
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
  }
  if (problems.length) throw new StartupError(problems);

  const merged = mergeTypeDefs(docs, { sort: false, throwOnConflict: true });
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

  try {
    return makeExecutableSchema({
      typeDefs: mergeTypeDefs(typeDefs),
      resolvers: [scalarResolvers, ...sources.map((s) => s.resolvers)] as never,
      resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
    });
  } catch (e) {
    throw new StartupError([{ code: 'SCHEMA_BUILD_FAILED', message: (e as Error).message }]);
  }
}

function definitionName(def: DefinitionNode): string | undefined {
  return 'name' in def && def.name ? def.name.value : undefined;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
