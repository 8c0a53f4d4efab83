/**
 * OpenAPI 3.0 / 3.1 and Swagger 2.0 -> GraphQL SDL + the call plan the REST client executes.
 *
 * GET operations become Query fields, every other method a Mutation field. Schemas become object,
 * union, enum and input types (see `openapi/schema-to-graphql.ts`); parameters become arguments
 * (`openapi/params.ts`); a request body becomes the `input` argument. Nothing here talks to the
 * upstream: only the spec is read (file or URL).
 */
import type { ImportEnv, ImportedSource, ImportWarning, OperationInfo } from '../types';
import { StartupError } from '../../errors/gateway-error';
import type { RestSourceOptions } from './options';
import type { HttpMethod, RestOperationPlan, RestPlan } from './plan';
import { loadSpec, rewriteRecursiveRefs, specError, type SpecBundle } from './openapi/load';
import { SchemaResolver, type Schema } from './openapi/flatten';
import { convertSwagger2 } from './openapi/swagger2';
import { TypeBuilder } from './openapi/schema-to-graphql';
import { camelCase, nameFromPath, NameScope, pascalCase } from './openapi/names';
import { buildParams, mergeParams } from './openapi/params';
import { pickRequestMedia, pickResponse } from './openapi/media';
import { cleanDescription, printSdl, type GqlField, type GqlNamedType } from './openapi/sdl';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const isObj = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);

interface RawOperation {
  method: (typeof METHODS)[number];
  path: string;
  op: Schema;
  item: Schema;
  operationId?: string;
}

export async function importOpenApi(options: RestSourceOptions, env: ImportEnv): Promise<ImportedSource<RestPlan>> {
  let bundle: SpecBundle;
  try {
    bundle = await loadSpec(options.spec, env.baseDir);
  } catch (e) {
    if (e instanceof StartupError) throw e;
    throw specError(options.spec, `the spec could not be read: ${(e as Error)?.message ?? String(e)}`);
  }
  try {
    return build(options, bundle);
  } catch (e) {
    if (e instanceof StartupError) throw e;
    throw specError(bundle.entry.location, `the spec could not be imported: ${(e as Error)?.message ?? String(e)}`);
  }
}

function serverUrls(servers: unknown, specLocation: string): string[] {
  if (!Array.isArray(servers)) return [];
  const out: string[] = [];
  for (const s of servers) {
    if (!isObj(s) || typeof s.url !== 'string') continue;
    let url = s.url.replace(/\{([^}]+)\}/g, (m, v: string) => {
      const variable = isObj(s.variables) ? s.variables[v] : undefined;
      return isObj(variable) && variable.default !== undefined ? String(variable.default) : m;
    });
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && /^https?:\/\//i.test(specLocation)) url = new URL(url, specLocation).toString();
    out.push(url);
  }
  return out;
}

function build(options: RestSourceOptions, bundle: SpecBundle): ImportedSource<RestPlan> {
  const root = bundle.entry.root as Schema;
  const file = bundle.entry.location;
  const warnings: ImportWarning[] = [];
  const warn = (location: string, message: string) => warnings.push({ location, message });
  for (const d of bundle.docs.values()) {
    const r = d.root;
    if (!isObj(r)) continue;
    if (isObj(r.components) && isObj(r.components.schemas)) rewriteRecursiveRefs(r.components.schemas, '#/components/schemas');
    if (isObj(r.definitions)) rewriteRecursiveRefs(r.definitions, '#/definitions');
  }
  const resolver = new SchemaResolver(bundle);
  let doc: Schema;
  if (typeof root.swagger === 'string' && root.swagger.startsWith('2')) {
    doc = convertSwagger2(root, (v) => resolver.deref(v), warnings);
  } else if (typeof root.openapi === 'string' && /^3\./.test(root.openapi)) {
    doc = root;
  } else {
    throw specError(file, 'not an OpenAPI 3.x or Swagger 2.0 document (no `openapi: 3.x` or `swagger: "2.0"` key)');
  }
  if (doc.paths !== undefined && !isObj(doc.paths)) throw specError(file, '`paths` must be an object', '#/paths');

  const componentTable = (isObj(root.components) && isObj(root.components.schemas) ? root.components.schemas : isObj(root.definitions) ? root.definitions : {}) as Schema;
  // Component tables of the entry document first, then of referenced files (their names are claimed in that order).
  const tables: Record<string, unknown>[] = [componentTable];
  for (const d of bundle.docs.values()) {
    const r = d.root;
    if (d === bundle.entry || !isObj(r)) continue;
    if (isObj(r.components) && isObj(r.components.schemas)) tables.push(r.components.schemas);
    if (isObj(r.definitions)) tables.push(r.definitions);
  }
  const builder = new TypeBuilder(resolver, { typePrefix: options.typePrefix ?? '', fieldNames: options.fieldNames ?? 'camelCase' }, warnings, tables);

  // 1. Collect operations in spec order and give each a root field name.
  const raws: RawOperation[] = [];
  for (const [path, rawItem] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    const item = resolver.deref(rawItem);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      raws.push({ method, path, op, item, ...(typeof op.operationId === 'string' && op.operationId.trim() ? { operationId: op.operationId } : {}) });
    }
  }
  const wanted = raws.map((r) => (r.operationId ? camelCase(r.operationId, 'operation') : nameFromPath(r.method, r.path)));
  // Names equal to their operationId claim first, then the rest, each in spec order.
  const scope = new NameScope();
  const generated: string[] = new Array(raws.length);
  raws.forEach((r, i) => {
    if (wanted[i] === r.operationId && !scope.has(wanted[i]!)) generated[i] = scope.claim(wanted[i]!);
  });
  raws.forEach((_, i) => {
    generated[i] ??= scope.claim(wanted[i]!);
  });
  // `rename` keys may be an operationId or a generated root field name (as printed in the SDL).
  const renames = options.rename ?? {};
  const own = (key: string | undefined) => (key !== undefined && Object.prototype.hasOwnProperty.call(renames, key) ? renames[key] : undefined);
  const names = raws.map((r, i) => own(r.operationId) ?? own(generated[i]) ?? generated[i]!);
  const seenNames = new Map<string, number>();
  names.forEach((name, i) => {
    const prev = seenNames.get(name);
    if (prev !== undefined) {
      throw new StartupError([
        {
          code: 'CONFIG_INVALID',
          key: `sources.${options.name}.rename`,
          message: `two operations would both become the root field ${name} (${raws[prev]!.method.toUpperCase()} ${raws[prev]!.path} and ${raws[i]!.method.toUpperCase()} ${raws[i]!.path})`,
          fix: 'Choose distinct names in `rename`.',
        },
      ]);
    }
    seenNames.set(name, i);
  });
  for (const key of Object.keys(renames)) {
    if (!raws.some((r, i) => r.operationId === key || generated[i] === key)) warn(`rename.${key}`, `rename key ${key} matches no operationId or generated field name`);
  }

  // 2. Build each operation.
  const plan: RestPlan = {
    servers: serverUrls(doc.servers, file),
    operations: {},
    outputFieldMaps: builder.outputFieldMaps,
    inputTypes: builder.inputTypes,
    abstractTypes: builder.abstractTypes,
  };
  const queryFields: GqlField[] = [];
  const mutationFields: GqlField[] = [];
  const operations: OperationInfo[] = [];
  const style = options.fieldNames ?? 'camelCase';
  raws.forEach((r, i) => {
    const fieldName = names[i]!;
    const method = r.method.toUpperCase() as HttpMethod;
    const where = `${method} ${r.path}`;
    const isQuery = r.method === 'get';
    const opBase = (options.typePrefix ?? '') + pascalCase(fieldName);
    const params = buildParams(builder, mergeParams(builder, r.item.parameters, r.op.parameters), opBase, style, where, warn);
    const args = params.args;
    const opPlan: RestOperationPlan = {
      ...(r.operationId ? { operationId: r.operationId } : {}),
      method,
      path: r.path,
      params: params.plans,
      response: { kind: 'empty' },
      entityLookup: false,
    };
    // Request body.
    const body = r.op.requestBody === undefined ? undefined : resolver.deref(r.op.requestBody);
    if (body && isObj(body.content)) {
      const media = pickRequestMedia(body.content);
      if (media && isQuery) {
        const f = resolver.flatten(media.schema);
        if (f.properties.size > 0) warn(where, 'request body on a GET operation is not sent (GET bodies are not exposed as arguments)');
      } else if (media) {
        const t = builder.ref(media.schema ?? {}, opBase, 'input');
        const argName = params.scope.claim('input');
        const required = body.required === true;
        const description = cleanDescription(body.description);
        args.push({ name: argName, type: t.type + (required && !t.nullable ? '!' : ''), ...(description ? { description } : {}) });
        opPlan.body = { argName, required, contentType: media.contentType, ...(t.inputObject ? { inputType: t.inputObject } : {}) };
      }
    }
    // Response.
    const choice = pickResponse(r.op.responses, (v) => resolver.deref(v));
    let type: string;
    if (choice.kind === 'json') {
      const t = builder.ref(choice.schema ?? {}, `${opBase}Response`, 'output');
      type = t.type;
      opPlan.response = { kind: 'json', typeName: t.named };
      opPlan.entityLookup = isQuery && !t.isList && params.plans.some((p) => p.in === 'path') && !['JSON', 'String', 'Int', 'Float', 'Boolean', 'Long'].includes(t.named);
    } else if (choice.kind === 'text') {
      type = 'String';
      opPlan.response = { kind: 'text', typeName: 'String' };
    } else if (choice.kind === 'binary') {
      builder.scalars.add('Base64');
      type = 'Base64';
      opPlan.response = { kind: 'binary', typeName: 'Base64' };
    } else {
      builder.scalars.add('Void');
      type = 'Void';
      opPlan.response = { kind: 'empty', typeName: 'Void' };
    }
    const opServers = serverUrls(isObj(r.op) && Array.isArray(r.op.servers) ? r.op.servers : r.item.servers, file);
    if (opServers.length) opPlan.servers = opServers;
    const description = cleanDescription([r.op.summary, r.op.description].filter((s) => typeof s === 'string' && s.trim()).join('\n\n'));
    const field: GqlField = { name: fieldName, type, args, ...(description ? { description } : {}), ...(r.op.deprecated === true ? { deprecated: '' } : {}) };
    (isQuery ? queryFields : mutationFields).push(field);
    const rootName = isQuery ? 'Query' : 'Mutation';
    plan.operations[`${rootName}.${fieldName}`] = opPlan;
    operations.push({ field: `${rootName}.${fieldName}`, upstream: where, kind: isQuery ? 'query' : 'mutation' });
  });

  // 3. A document without operations (webhooks only) still exposes its component schemas.
  if (raws.length === 0) {
    for (const node of Object.values(componentTable)) if (isObj(node)) builder.emitComponent(node);
    if (isObj(root.webhooks) && Object.keys(root.webhooks).length) warn('webhooks', 'webhooks are not imported (no operations in `paths`)');
  }
  builder.drain();

  const roots: { query?: GqlNamedType; mutation?: GqlNamedType } = {};
  if (queryFields.length) roots.query = { kind: 'object', name: 'Query', fields: queryFields };
  if (mutationFields.length) roots.mutation = { kind: 'object', name: 'Mutation', fields: mutationFields };
  const sdl = printSdl(builder.scalars, roots, builder.types.values());
  return { sourceName: options.name, kind: 'rest', sdl, operations, warnings, plan };
}
