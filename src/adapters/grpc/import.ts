import protobuf from 'protobufjs';
import type { ImportedSource, ImportEnv, ImportWarning, OperationInfo } from '../types';
import { StartupError } from '../../errors/gateway-error';
import { grpcInstances, type GrpcSourceOptions } from './options';
import { loadProtos } from './load';
import { reflectFiles } from './client';
import { rootFromDescriptors } from './reflection';
import { jsonName, lowerFirst, realOneofs, scalarName, shapeOfField, shapeOfType, upperFirst, type Shape } from './shapes';
import { assignTypeNames, countNames, createClaimer, enumPlan, graphqlFieldNames, type EnumPlan } from './names';

export type { EnumPlan } from './names';

/**
 * Proto -> GraphQL mapping (documented contract, see also the README):
 * - Types: the simple proto name (`Order`); when two exposed types share it, the name inside the
 *   package (`Topic_State`), and if that clashes too the fully qualified one (`google_pubsub_v1_Topic_State`).
 *   Input types are `<Type>Input`. Messages without fields read as `Void` (and take no input).
 * - Fields: proto3 JSON names (`user_id` -> `userId`); repeated -> `[T!]`; everything nullable
 *   (unset message fields and proto3 `optional`/oneof members that are not set read as null).
 * - Enums: the conventional `TYPE_NAME_` prefix is stripped when every value has it; the zero value
 *   named `*_UNSPECIFIED` is not a GraphQL value and reads as null.
 * - `map<K, V>` -> JSON object (keys as strings). `oneof` of 2+ distinct messages -> a union field
 *   named after the oneof (`<Type><Oneof>`); other oneofs -> their members as nullable fields.
 * - 64-bit ints, uint32, fixed32 -> Long (decimal string); bytes -> Base64; Timestamp -> DateTime;
 *   Duration -> Duration (`PT1.5S`); wrappers -> nullable scalar; Struct/Value/ListValue/Any -> JSON
 *   (Any as `{"@type": url, ...fields}` when the type is known, else `{"@type", "value": base64}`);
 *   Empty -> Void (no arguments); FieldMask -> `[String!]` of paths as written in the proto.
 * - Methods: unary -> Query when the name starts with Get/List/Search/Find/Lookup/Query/Read/Check/
 *   Count/BatchGet..., else Mutation; server streaming -> Subscription; client/bidi streaming are
 *   skipped with a warning. Root field = lowerCamel method name, `<service><Method>` on a clash.
 *   Arguments are the request message's fields, flattened (`getOrder(id: Int)`).
 */

export interface MethodPlan {
  field: string;
  rootType: 'Query' | 'Mutation' | 'Subscription';
  /** `/pkg.Service/Method` (the gRPC path). */
  path: string;
  /** `pkg.Service/Method`. */
  upstream: string;
  requestType: string;
  responseType: string;
  serverStreaming: boolean;
}

export interface GrpcPlan {
  root: protobuf.Root;
  /** Proto full name (`.pkg.Msg`) -> GraphQL object/enum type name. */
  typeNames: Map<string, string>;
  /** Message full name -> proto field name -> GraphQL field name. */
  fieldNames: Map<string, Map<string, string>>;
  /** `<message full name>#<oneof>` -> union type name, for oneofs exposed as unions. */
  unions: Map<string, string>;
  enums: Map<string, EnumPlan>;
  /** Full names of messages with no fields (read as Void). */
  voidMessages: Set<string>;
  methods: MethodPlan[];
}

const QUERY_PREFIX = /^(Get|List|Search|Find|Lookup|Query|Read|Check|Count|Batch(Get|List|Read|Lookup|Find|Search|Check|Count))([A-Z0-9_]|$)/;

type MethodKind = 'unary' | 'server-streaming' | 'client-streaming' | 'bidi';

export function methodKind(m: protobuf.Method): MethodKind {
  if (m.requestStream && m.responseStream) return 'bidi';
  if (m.requestStream) return 'client-streaming';
  if (m.responseStream) return 'server-streaming';
  return 'unary';
}

function walk(ns: protobuf.NamespaceBase, visit: (o: protobuf.ReflectionObject) => void): void {
  for (const o of ns.nestedArray) {
    visit(o);
    if (o instanceof protobuf.Namespace || o instanceof protobuf.Type || o instanceof protobuf.Service) walk(o as protobuf.NamespaceBase, visit);
  }
}

/**
 * The protos and what of them is exposed: services and types of the entry files, or with
 * reflection every service the server lists (types: what those services reach).
 */
async function loadSource(options: GrpcSourceOptions, env: ImportEnv): Promise<{ root: protobuf.Root; isEntry: (o: protobuf.ReflectionObject) => boolean }> {
  if (!options.reflection) {
    const protos = options.protos === undefined ? [] : Array.isArray(options.protos) ? options.protos : [options.protos];
    const { root, entryFiles } = loadProtos(protos, options.includeDirs, env.baseDir);
    const entrySet = new Set(entryFiles);
    return { root, isEntry: (o) => Boolean(o.filename && entrySet.has(o.filename)) };
  }
  let reflected;
  try {
    reflected = await reflectFiles(options, env.baseDir);
  } catch (e) {
    throw new StartupError([{ code: 'SPEC_INVALID', key: `sources.${options.name}.reflection`, message: `server reflection at ${options.address ?? grpcInstances(options)[0]?.target} failed: ${(e as Error).message}`, fix: 'Check that the upstream runs and offers grpc.reflection.v1(alpha), or give `protos` instead.' }]);
  }
  const root = rootFromDescriptors(reflected.files);
  const listed = new Set(reflected.services.map((s) => `.${s}`));
  return { root, isEntry: (o) => o instanceof protobuf.Service && listed.has(o.fullName) };
}

export async function importGrpc(options: GrpcSourceOptions, env: ImportEnv): Promise<ImportedSource<GrpcPlan>> {
  const { root, isEntry } = await loadSource(options, env);
  const warnings: ImportWarning[] = [];

  // --- which methods, which types ---
  const services: protobuf.Service[] = [];
  const entryTypes: (protobuf.Type | protobuf.Enum)[] = [];
  walk(root, (o) => {
    if (!isEntry(o)) return;
    if (o instanceof protobuf.Service) services.push(o);
    else if (o instanceof protobuf.Type || o instanceof protobuf.Enum) entryTypes.push(o);
  });

  const outTypes = new Map<string, protobuf.Type | protobuf.Enum>();
  const inTypes = new Map<string, protobuf.Type>();
  const voidMessages = new Set<string>();
  const isVoid = (t: protobuf.Type) => t.fieldsArray.length === 0;
  const visitShape = (s: Shape, input: boolean) => {
    if (s.k === 'enum') outTypes.set(s.type.fullName, s.type);
    else if (s.k === 'message') (input ? visitIn : visitOut)(s.type);
  };
  const visitOut = (t: protobuf.Type | protobuf.Enum): void => {
    if (outTypes.has(t.fullName)) return;
    if (t instanceof protobuf.Enum) {
      outTypes.set(t.fullName, t);
      return;
    }
    if (isVoid(t)) {
      voidMessages.add(t.fullName);
      return;
    }
    outTypes.set(t.fullName, t);
    for (const f of t.fieldsArray) visitShape(shapeOfField(f), false);
  };
  const visitIn = (t: protobuf.Type): void => {
    if (inTypes.has(t.fullName)) return;
    if (isVoid(t)) {
      voidMessages.add(t.fullName);
      return;
    }
    inTypes.set(t.fullName, t);
    for (const f of t.fieldsArray) visitShape(shapeOfField(f), true);
  };

  interface Candidate { service: protobuf.Service; method: protobuf.Method; rootType: MethodPlan['rootType']; upstream: string; field?: string }
  const candidates: Candidate[] = [];
  const overrides = new Map(Object.entries(options.operations));
  for (const service of services) {
    for (const method of service.methodsArray) {
      const svcName = service.fullName.slice(1);
      const upstream = `${svcName}/${method.name}`;
      const kind = methodKind(method);
      const override = overrides.get(upstream);
      overrides.delete(upstream);
      if (kind === 'client-streaming' || kind === 'bidi') {
        warnings.push({
          location: `${svcName}.${method.name}`,
          message: `${kind} method skipped: a GraphQL operation sends one set of arguments, so it cannot feed a stream of requests upstream (subscriptions stream results only). The other methods of ${svcName} are imported.`,
        });
        continue;
      }
      let rootType: MethodPlan['rootType'] = kind === 'server-streaming' ? 'Subscription' : QUERY_PREFIX.test(method.name) ? 'Query' : 'Mutation';
      if (override?.type) {
        const wanted = (upperFirst(override.type) as MethodPlan['rootType']);
        if ((kind === 'server-streaming') !== (wanted === 'Subscription')) {
          throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.operations['${upstream}'].type`, message: `${upstream} is ${kind}; it can only be ${kind === 'server-streaming' ? 'a subscription' : 'a query or a mutation'}`, fix: 'Change or remove the override.' }]);
        }
        rootType = wanted;
      }
      candidates.push({ service, method, rootType, upstream, field: override?.field });
    }
  }
  for (const key of overrides.keys()) {
    throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.operations['${key}']`, message: `no method ${key} in the imported protos (or it is client/bidi streaming)`, fix: 'Use the fully qualified "package.Service/Method" name of an imported method.' }]);
  }

  // Request messages are flattened into arguments: no input type of their own, and no output
  // type unless something returns them. Other messages of the entry files stay available.
  const requestTypes = new Set(candidates.map((c) => c.method.resolvedRequestType!.fullName));
  for (const t of entryTypes) if (!requestTypes.has(t.fullName)) visitOut(t);
  for (const c of candidates) {
    const req = c.method.resolvedRequestType!;
    const res = c.method.resolvedResponseType!;
    const reqShape = shapeOfType(req);
    if (reqShape.k === 'message') for (const f of req.fieldsArray) visitShape(shapeOfField(f), true);
    else visitShape(reqShape, true);
    if (isVoid(req)) voidMessages.add(req.fullName);
    visitShape(shapeOfType(res), false);
    if (isVoid(res)) voidMessages.add(res.fullName);
  }
  // A type used only as input still needs a base name.
  const named = new Map<string, protobuf.Type | protobuf.Enum>(outTypes);
  for (const [k, t] of inTypes) if (!named.has(k)) named.set(k, t);

  // --- type names ---
  const claim = createClaimer();
  const typeNames = assignTypeNames([...named.values()], options.typePrefix, claim);
  const inputNames = new Map<string, string>();
  for (const t of inTypes.values()) inputNames.set(t.fullName, claim(`${typeNames.get(t.fullName)}Input`));

  // --- field names, enums, unions ---
  const fieldNames = new Map<string, Map<string, string>>();
  const fieldsOf = (t: protobuf.Type) => {
    let m = fieldNames.get(t.fullName);
    if (!m) fieldNames.set(t.fullName, (m = graphqlFieldNames(t)));
    return m;
  };
  const enums = new Map<string, EnumPlan>();
  for (const t of outTypes.values()) if (t instanceof protobuf.Enum) enums.set(t.fullName, enumPlan(t));

  const unions = new Map<string, string>();
  const unionMembers = new Map<string, string[]>();
  for (const t of outTypes.values()) {
    if (!(t instanceof protobuf.Type)) continue;
    for (const o of realOneofs(t)) {
      const members = o.fieldsArray.map((f) => shapeOfField(f));
      const typesOf = members.map((s) => (s.k === 'message' && !voidMessages.has(s.type.fullName) && !isVoid(s.type) ? s.type.fullName : null));
      if (typesOf.length < 2 || typesOf.some((x) => x === null) || new Set(typesOf).size !== typesOf.length) continue;
      const name = claim(`${typeNames.get(t.fullName)}${upperFirst(jsonName(o.name))}`);
      unions.set(`${t.fullName}#${o.name}`, name);
      unionMembers.set(name, typesOf.map((x) => typeNames.get(x!)!));
    }
  }

  // --- root field names ---
  const defaultField = (c: Candidate) => c.field ?? lowerFirst(c.method.name);
  const fieldCount = countNames(candidates.map(defaultField));
  const methods: MethodPlan[] = [];
  const operations: OperationInfo[] = [];
  const rootFieldsTaken = new Set<string>();
  // Names from `operations[...].field` or `rename` are explicit: a clash with them is a config error.
  const named_ = candidates.map((c) => {
    let field = defaultField(c);
    if (!c.field && fieldCount.get(field)! > 1) field = lowerFirst(c.service.name) + c.method.name;
    const renamed = options.rename[c.upstream] ?? options.rename[field];
    return { field: renamed ?? field, explicit: Boolean(c.field || renamed) };
  });
  const explicitNames = new Set(named_.filter((n) => n.explicit).map((n) => n.field));
  for (const [i, c] of candidates.entries()) {
    let { field } = named_[i]!;
    const { explicit } = named_[i]!;
    if (!explicit && rootFieldsTaken.has(field) && !explicitNames.has(field)) field = lowerFirst(c.service.fullName.slice(1).replace(/\./g, '_')) + '_' + c.method.name;
    if (rootFieldsTaken.has(field) || (!explicit && explicitNames.has(field))) {
      throw new StartupError([{ code: 'CONFIG_INVALID', key: `sources.${options.name}.rename`, message: `root field "${field}" is used by two methods (one of them ${c.upstream})`, fix: 'Give one of them another name with `rename` or `operations[...].field`.' }]);
    }
    rootFieldsTaken.add(field);
    methods.push({
      field,
      rootType: c.rootType,
      path: `/${c.upstream}`,
      upstream: c.upstream,
      requestType: c.method.resolvedRequestType!.fullName,
      responseType: c.method.resolvedResponseType!.fullName,
      serverStreaming: c.rootType === 'Subscription',
    });
    operations.push({ field: `${c.rootType}.${field}`, upstream: c.upstream, kind: c.rootType.toLowerCase() as OperationInfo['kind'] });
  }

  // --- SDL ---
  const outRef = (s: Shape): string => {
    if (s.k === 'enum') return typeNames.get(s.type.fullName)!;
    if (s.k === 'message') return voidMessages.has(s.type.fullName) || isVoid(s.type) ? 'Void' : typeNames.get(s.type.fullName)!;
    return scalarName(s);
  };
  const inRef = (s: Shape): string | null => {
    if (s.k === 'enum') return typeNames.get(s.type.fullName)!;
    if (s.k === 'message') return isVoid(s.type) ? null : inputNames.get(s.type.fullName)!;
    if (s.k === 'wkt' && s.wkt === 'Empty') return null;
    return scalarName(s);
  };
  const fieldType = (f: protobuf.Field, ref: string): string => {
    if (f.map) return 'JSON';
    if (f.repeated) return ref.startsWith('[') ? '[JSON]' : `[${ref}!]`;
    return ref;
  };
  const lines: string[] = [];
  const scalarsUsed = new Set<string>();
  const noteScalars = (t: string) => {
    const base = t.replace(/[[\]!]/g, '');
    if (['JSON', 'Long', 'Base64', 'DateTime', 'Duration', 'Void'].includes(base)) scalarsUsed.add(base);
  };
  const desc = (o: protobuf.ReflectionObject, indent = '') => {
    const c = (o as { comment?: string | null }).comment;
    if (!c) return '';
    const text = c.replace(/"""/g, '\\"""');
    return `${indent}"""${text.endsWith('"') || text.endsWith('\\') ? `${text} ` : text}"""\n`;
  };
  const deprecated = (f: protobuf.Field) => (f.options?.['deprecated'] ? ' @deprecated' : '');
  const inputArgs = (t: protobuf.Type): string[] => {
    const names = fieldsOf(t);
    const out: string[] = [];
    for (const f of t.fieldsArray) {
      const ref = f.map ? 'JSON' : inRef(shapeOfField(f));
      if (ref === null) continue;
      const ty = fieldType(f, ref);
      noteScalars(ty);
      out.push(`${names.get(f.name)}: ${ty}`);
    }
    return out;
  };

  for (const t of [...outTypes.values()].sort((a, b) => typeNames.get(a.fullName)!.localeCompare(typeNames.get(b.fullName)!))) {
    const name = typeNames.get(t.fullName)!;
    if (t instanceof protobuf.Enum) {
      lines.push(`${desc(t)}enum ${name} {\n${enums.get(t.fullName)!.values.map((v) => `  ${v}`).join('\n')}\n}`);
      continue;
    }
    const names = fieldsOf(t);
    const body: string[] = [];
    const unionOneofs = new Set(realOneofs(t).filter((o) => unions.has(`${t.fullName}#${o.name}`)).map((o) => o.name));
    const emitted = new Set<string>();
    for (const f of t.fieldsArray) {
      const oneof = f.partOf?.name;
      if (oneof && unionOneofs.has(oneof)) {
        if (emitted.has(oneof)) continue;
        emitted.add(oneof);
        body.push(`  ${jsonName(oneof)}: ${unions.get(`${t.fullName}#${oneof}`)}`);
        continue;
      }
      const ty = fieldType(f, f.map ? 'JSON' : outRef(shapeOfField(f)));
      noteScalars(ty);
      body.push(`${desc(f, '  ')}  ${names.get(f.name)}: ${ty}${deprecated(f)}`);
    }
    lines.push(`${desc(t)}type ${name} {\n${body.join('\n')}\n}`);
  }
  for (const [name, members] of [...unionMembers].sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`union ${name} = ${members.join(' | ')}`);
  for (const t of [...inTypes.values()].sort((a, b) => inputNames.get(a.fullName)!.localeCompare(inputNames.get(b.fullName)!))) {
    const args = inputArgs(t);
    if (args.length === 0) args.push('_: Boolean'); // all fields were Empty: keep the type valid
    lines.push(`input ${inputNames.get(t.fullName)} {\n${args.map((a) => `  ${a}`).join('\n')}\n}`);
  }
  for (const rootType of ['Query', 'Mutation', 'Subscription'] as const) {
    const fields = methods.filter((m) => m.rootType === rootType);
    if (fields.length === 0) continue;
    const body = fields.map((m) => {
      const req = root.lookupType(m.requestType);
      const reqShape = shapeOfType(req);
      let args = '';
      if (reqShape.k === 'message') {
        const a = isVoid(req) ? [] : inputArgs(req);
        if (a.length) args = `(${a.join(', ')})`;
      } else if (!(reqShape.k === 'wkt' && reqShape.wkt === 'Empty')) {
        const ty = inRef(reqShape)!;
        noteScalars(ty);
        args = `(input: ${ty})`;
      }
      const ret = outRef(shapeOfType(root.lookup(m.responseType) as protobuf.Type));
      noteScalars(ret);
      const method = root.lookup(`.${m.upstream.replace('/', '.')}`) as protobuf.Method;
      return `${desc(method, '  ')}  ${m.field}${args}: ${ret}`;
    });
    lines.push(`type ${rootType} {\n${body.join('\n')}\n}`);
  }
  const sdl = [...[...scalarsUsed].sort().map((s) => `scalar ${s}`), ...lines].join('\n\n') + '\n';

  return {
    sourceName: options.name,
    kind: 'grpc',
    sdl,
    operations,
    warnings,
    plan: { root, typeNames, fieldNames: completeFieldNames(named, fieldsOf, fieldNames), unions, enums, voidMessages, methods },
  };
}

/** Every named message gets its field names, whether or not the SDL printer reached it. */
function completeFieldNames(named: Map<string, protobuf.Type | protobuf.Enum>, fieldsOf: (t: protobuf.Type) => Map<string, string>, all: Map<string, Map<string, string>>) {
  for (const t of named.values()) if (t instanceof protobuf.Type) fieldsOf(t);
  return all;
}


