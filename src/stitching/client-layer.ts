import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { importTs } from '../util/import-ts';
import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../context';
import type { ResolverMap } from '../adapters/types';
import { StartupError } from '../errors/gateway-error';
import type { ClientLayer } from './build-schema';
import type { RootResolverIndex } from './links';

/** What a hand-written resolver module receives: a way to call any source's root field. */
export interface ResolverHelpers {
  /** Calls `source`'s root field (`'listUsers'` or `'Query.listUsers'`) with GraphQL arguments. */
  call(source: string, field: string, args: Record<string, unknown>, ctx: GatewayContext, info: GraphQLResolveInfo): Promise<unknown>;
}

/** A resolvers/*.ts module default-exports resolvers, or a function of the helpers returning them. */
export type ResolverModule = ResolverMap | ((helpers: ResolverHelpers) => ResolverMap);

/** Reads schemas/*.graphql (top level only; per-source folders hold generated SDL). */
export function readClientSdl(baseDir: string, schemasDir: string): ClientLayer['files'] {
  const dir = resolve(baseDir, schemasDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ file: relative(baseDir, join(dir, f)), sdl: readFileSync(join(dir, f), 'utf8') }));
}

/** Loads resolvers/*.ts (not __generated__), giving each the `call` helper. */
export async function loadResolverModules(baseDir: string, resolversDir: string, roots: () => RootResolverIndex): Promise<ResolverMap[]> {
  const dir = resolve(baseDir, resolversDir);
  if (!existsSync(dir)) return [];
  const helpers: ResolverHelpers = {
    async call(source, field, args, ctx, info) {
      const fns = roots().get(source);
      const fn = fns?.get(field.includes('.') ? field : `Query.${field}`) ?? fns?.get(`Mutation.${field}`);
      if (!fn) throw new Error(`resolvers: source "${source}" has no root field ${field}`);
      return fn(undefined, args, ctx, info);
    },
  };
  const out: ResolverMap[] = [];
  // Dotfiles skipped: importTs writes a temporary `.name.ts.<hex>.mjs` beside a module while loading it.
  for (const f of readdirSync(dir).filter((f) => !f.startsWith('.') && /\.(ts|mts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
    const path = join(dir, f);
    let mod: { default?: ResolverModule };
    try {
      mod = (await importTs(path)) as typeof mod;
    } catch (e) {
      throw new StartupError([{ code: 'SCHEMA_BUILD_FAILED', file: relative(baseDir, path), message: `could not load: ${(e as Error).message}` }]);
    }
    const exported = mod.default;
    if (!exported) {
      throw new StartupError([{ code: 'SCHEMA_BUILD_FAILED', file: relative(baseDir, path), message: 'has no default export', fix: 'export default { Type: { field: resolver } } or (helpers) => ({ ... })' }]);
    }
    out.push(typeof exported === 'function' ? exported(helpers) : (exported as ResolverMap));
  }
  return out;
}
