import type { GraphQLSchema } from 'graphql';
import { buildGatewaySchema, type ClientLayer, type SourceParts } from '../stitching/build-schema';
import { readClientSdl, loadResolverModules } from '../stitching/client-layer';
import type { RootResolverIndex } from '../stitching/links';
import { StartupError } from '../errors/gateway-error';
import { createView } from './view';
import type { ClientViewOptions } from './options';

export interface BuiltView {
  name: string;
  schema: GraphQLSchema;
  options: ClientViewOptions;
}

/**
 * One schema per client view: the shared client layer plus the view's own fields
 * (schemas/clients/<client>/*.graphql, resolvers/clients/<client>/*.ts), shaped by the view's
 * include/exclude/rename. Every view calls the same source runtimes, so loaders, links and
 * cache rules are shared.
 */
export async function buildViews(
  clients: Readonly<Record<string, ClientViewOptions>>,
  parts: SourceParts[],
  base: ClientLayer,
  dirs: { baseDir: string; schemasDir: string; resolversDir: string },
  roots: () => RootResolverIndex,
): Promise<BuiltView[]> {
  const views: BuiltView[] = [];
  for (const [name, options] of Object.entries(clients)) {
    const files = readClientSdl(dirs.baseDir, `${dirs.schemasDir}/clients/${name}`);
    const resolvers = await loadResolverModules(dirs.baseDir, `${dirs.resolversDir}/clients/${name}`, roots);
    const layer: ClientLayer = { files: [...base.files, ...files], resolvers: [...base.resolvers, ...resolvers] };
    let schema: GraphQLSchema;
    try {
      schema = buildGatewaySchema(parts, layer).schema;
      schema = createView(schema, {
        include: options.include,
        exclude: options.exclude,
        includeTags: options.includeTags,
        excludeTags: options.excludeTags,
        rename: options.rename,
      });
    } catch (e) {
      if (e instanceof StartupError) throw new StartupError(e.problems.map((p) => ({ ...p, key: `clients.${name}${p.key ? ` ${p.key}` : ''}` })));
      throw new StartupError([{ code: 'SCHEMA_BUILD_FAILED', key: `clients.${name}`, message: (e as Error).message }]);
    }
    views.push({ name, schema, options });
  }
  return views;
}
