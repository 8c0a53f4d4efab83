/**
 * Imports every OpenAPI / Swagger document of the shared real-world corpus and checks the facts
 * of `corpus/EXPECTATIONS.md`: the machine-readable ```yaml blocks (operation counts, ids, methods,
 * paths, wide integers) are read from the file; the facts written in prose are asserted by hand
 * below, one `it` per file.
 */
import { existsSync, readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importOpenApi } from '../../src/adapters/rest/import';
import type { RestSourceOptions } from '../../src/adapters/rest/options';
import type { RestPlan } from '../../src/adapters/rest/plan';
import type { ImportedSource } from '../../src/adapters/types';
import { SHARED_SCALARS } from '../../src/stitching/scalars';
import { fieldName, pascalCase } from '../../src/adapters/rest/openapi/names';

const CORPUS = path.resolve(process.cwd(), '../shared/corpus');
const DIR = path.join(CORPUS, 'openapi');
const available = existsSync(DIR) && existsSync(path.join(CORPUS, 'EXPECTATIONS.md'));
if (!available) console.log(`corpus tests skipped: ${DIR} or EXPECTATIONS.md not found`);

function options(spec: string): RestSourceOptions {
  return {
    kind: 'rest',
    name: 'corpus',
    spec,
    basePath: '',
    pathRewrite: {},
    timeoutMs: 10_000,
    headers: {},
    forwardHeaders: [],
    typePrefix: '',
    fieldNames: 'camelCase',
    maxResponseBytes: 10 * 1024 * 1024,
    connections: 10,
    rename: {},
  };
}

interface Loaded {
  imported: ImportedSource<RestPlan>;
  schema: GraphQLSchema;
  ms: number;
}
const cache = new Map<string, Promise<Loaded>>();
function load(file: string, baseDir = DIR): Promise<Loaded> {
  const key = path.join(baseDir, file);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const t = performance.now();
      const imported = await importOpenApi(options(file), { baseDir });
      const ms = performance.now() - t;
      return { imported, schema: buildSchema(imported.sdl), ms };
    })();
    cache.set(key, p);
  }
  return p;
}

// ---------- EXPECTATIONS.md ----------

interface ExpectedOp {
  id: string | null;
  method: string;
  path: string;
  params?: string[];
  body?: string;
}
interface Section {
  file: string;
  text: string;
  operations: ExpectedOp[];
  schemas: Record<string, Record<string, unknown>>;
  count: number;
}

function parseExpectations(): Section[] {
  const md = readFileSync(path.join(CORPUS, 'EXPECTATIONS.md'), 'utf8');
  const out: Section[] = [];
  const parts = md.split(/^## /m).slice(1);
  for (const part of parts) {
    const m = /^openapi\/(\S+)/.exec(part);
    if (!m) continue;
    const text = part.split(/^# /m)[0]!;
    const ops: ExpectedOp[] = [];
    const schemas: Record<string, Record<string, unknown>> = {};
    for (const block of text.matchAll(/```yaml\n([\s\S]*?)```/g)) {
      const y = parseYaml(block[1]!) as { operations?: ExpectedOp[] | null; schemas?: Record<string, Record<string, unknown>> | null } | null;
      if (y?.operations) ops.push(...y.operations);
      if (y?.schemas) Object.assign(schemas, y.schemas);
    }
    const bold = [...text.matchAll(/\*\*([^*]+)\*\*/g)].map((b) => /(\d+) operations/.exec(b[1]!)).find(Boolean);
    if (!bold) throw new Error(`EXPECTATIONS.md: no operation count for ${m[1]}`);
    out.push({ file: m[1]!, text, operations: ops, schemas, count: Number(bold[1]) });
  }
  return out;
}

const sections = available ? parseExpectations() : [];

// ---------- helpers ----------

const WIDE = /integer\/(u?int64|uint32)/;

function rootFields(schema: GraphQLSchema): GraphQLField<unknown, unknown>[] {
  return [...Object.values(schema.getQueryType()?.getFields() ?? {}), ...Object.values(schema.getMutationType()?.getFields() ?? {})];
}

function field(l: Loaded, upstream: string): GraphQLField<unknown, unknown> {
  const infos = l.imported.operations.filter((o) => o.upstream === upstream);
  expect(infos, `one root field for ${upstream}`).toHaveLength(1);
  const [root, name] = infos[0]!.field.split('.') as [string, string];
  const type = root === 'Query' ? l.schema.getQueryType() : l.schema.getMutationType();
  const f = type?.getFields()[name];
  expect(f, `${infos[0]!.field} in schema`).toBeDefined();
  return f!;
}

function byOpId(l: Loaded, id: string): { key: string; f: GraphQLField<unknown, unknown> } {
  const entries = Object.entries(l.imported.plan.operations).filter(([, p]) => p.operationId === id);
  expect(entries, `one root field for operationId ${id}`).toHaveLength(1);
  const [key, p] = entries[0]!;
  return { key, f: field(l, `${p.method} ${p.path}`) };
}

function arg(f: GraphQLField<unknown, unknown>, name: string): GraphQLArgument {
  const a = f.args.find((x) => x.name === name);
  expect(a, `argument ${name} of ${f.name}`).toBeDefined();
  return a!;
}

function obj(l: Loaded, name: string): GraphQLObjectType {
  const t = l.schema.getType(name);
  expect(isObjectType(t), `${name} is an object type`).toBe(true);
  return t as GraphQLObjectType;
}

function input(l: Loaded, name: string): GraphQLInputObjectType {
  const t = l.schema.getType(name);
  expect(isInputObjectType(t), `${name} is an input type`).toBe(true);
  return t as GraphQLInputObjectType;
}

const typeStr = (t: { type: unknown }) => String(t.type);

function bodyInput(l: Loaded, upstream: string): GraphQLInputObjectType {
  const f = field(l, upstream);
  return getNamedType(arg(f, 'input').type) as GraphQLInputObjectType;
}

// ---------- generic facts, every file ----------

describe.skipIf(!available)('OpenAPI corpus: generic facts from EXPECTATIONS.md', () => {
  const files = available ? readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f)).sort() : [];

  it('has an EXPECTATIONS section for every corpus file', () => {
    expect(sections.map((s) => s.file).sort()).toEqual(files);
  });

  for (const file of files) {
    it(`${file}: valid SDL, exact operation count, one distinct root field per operation, wide ints not Int`, async () => {
      const section = sections.find((s) => s.file === file)!;
      const l = await load(file);
      const { imported, schema } = l;
      if (/stripe|openai|slack/.test(file)) console.log(`import ${file}: ${l.ms.toFixed(0)} ms, SDL ${(imported.sdl.length / 1024).toFixed(0)} KB, ${imported.warnings.length} warnings`);
      expect(l.ms).toBeLessThan(30_000);
      // SDL valid with the shared scalars, and only shared scalars declared.
      const shared = new Set(SHARED_SCALARS.map((s) => s.name));
      for (const m of imported.sdl.matchAll(/^scalar (\w+)/gm)) expect(shared.has(m[1]!), `scalar ${m[1]} is shared`).toBe(true);
      expect(() => buildSchema(imported.sdl)).not.toThrow();
      // Counts.
      let facts = 0;
      const roots = rootFields(schema);
      expect(roots.length).toBe(section.count);
      facts++;
      expect(imported.operations.length).toBe(section.count);
      expect(Object.keys(imported.plan.operations).length).toBe(section.count);
      expect(new Set(imported.operations.map((o) => o.field)).size).toBe(section.count);
      expect(new Set(imported.operations.map((o) => o.upstream)).size).toBe(section.count);
      // Every listed operation maps to exactly one distinct root field.
      const seen = new Set<string>();
      for (const op of section.operations) {
        const f = field(l, `${op.method} ${op.path}`);
        expect(seen.has(f.name)).toBe(false);
        seen.add(f.name);
        facts++;
        if (op.id) expect(byOpId(l, op.id).f.name).toBe(f.name);
        const kind = op.method === 'GET' ? 'Query' : 'Mutation';
        expect(imported.operations.find((o) => o.upstream === `${op.method} ${op.path}`)!.field.startsWith(`${kind}.`)).toBe(true);
        // Parameters: required ones are non-null, wide integers are not Int.
        for (const p of op.params ?? []) {
          const pm = /^(\S+) \((\w+), (required|optional), (.+)\)$/.exec(p);
          if (!pm || pm[2] === 'body' || pm[2] === 'formData') continue;
          const planned = imported.plan.operations[imported.operations.find((o) => o.upstream === `${op.method} ${op.path}`)!.field]!.params.find((x) => x.name === pm[1]);
          expect(planned, `param ${pm[1]} of ${op.method} ${op.path}`).toBeDefined();
          const a = arg(f, planned!.argName);
          if (pm[3] === 'required' && !/default/.test(p)) expect(isNonNullType(a.type) || planned!.default !== undefined).toBe(true);
          if (WIDE.test(pm[4]!)) expect(getNamedType(a.type).name).not.toBe('Int');
          facts++;
        }
      }
      // Wide integer properties of the listed schemas: never Int, in the output or input type.
      for (const [schemaName, props] of Object.entries(section.schemas)) {
        for (const [prop, desc] of Object.entries(props ?? {})) {
          if (typeof desc !== 'string' || !WIDE.test(desc)) continue;
          const gqlName = fieldName(prop, 'camelCase');
          const candidates = [pascalCase(schemaName), `${pascalCase(schemaName)}Input`].map((n) => schema.getType(n)).filter(Boolean);
          expect(candidates.length, `${schemaName} is in the schema`).toBeGreaterThan(0);
          for (const t of candidates) {
            const fl = (t as GraphQLObjectType).getFields()[gqlName];
            expect(fl, `${t!.name}.${gqlName}`).toBeDefined();
            expect(getNamedType(fl!.type).name, `${t!.name}.${gqlName}`).not.toBe('Int');
          }
          facts++;
        }
      }
      // Requirement 1 over the whole file: every int64/uint64/uint32 property of a component that is
      // an object type in the schema is not Int (covers Stripe, OpenAI, Slack in bulk).
      const raw = parseYaml(readFileSync(path.join(DIR, file), 'utf8')) as Record<string, any>;
      // Every operation of the file (not only those listed in a yaml block) has exactly one root field.
      const fieldsSeen = new Set<string>();
      for (const [p, item] of Object.entries<any>(raw.paths ?? {})) {
        for (const m of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']) {
          if (!item?.[m]) continue;
          const f = field(l, `${m.toUpperCase()} ${p}`);
          if (item[m].operationId) expect(byOpId(l, item[m].operationId).f).toBe(f);
          fieldsSeen.add(f.name);
        }
      }
      expect(fieldsSeen.size).toBe(section.count);
      const comps: Record<string, any> = raw.components?.schemas ?? raw.definitions ?? {};
      let wide = 0;
      for (const [name, s] of Object.entries(comps)) {
        const t = schema.getType(pascalCase(name));
        if (!isObjectType(t) || !s || typeof s !== 'object' || !s.properties) continue;
        const renamed = Object.entries(imported.plan.outputFieldMaps[t.name] ?? {});
        for (const [prop, ps] of Object.entries<any>(s.properties)) {
          if (!ps || ps.type !== 'integer' || !['int64', 'uint64', 'uint32'].includes(ps.format)) continue;
          const gql = renamed.find(([, json]) => json === prop)?.[0] ?? prop;
          const fl = t.getFields()[gql];
          if (!fl) continue; // writeOnly
          expect(getNamedType(fl.type).name, `${t.name}.${gql}`).not.toBe('Int');
          wide++;
        }
      }
      console.log(`${file}: ${facts} EXPECTATIONS.md facts checked (count, operations, parameters, wide integers); ${fieldsSeen.size} operations of the spec mapped to distinct root fields; ${wide} wide-integer component properties checked`);
    });
  }
});

// ---------- file-specific facts (prose of EXPECTATIONS.md) ----------

const isList = (t: unknown) => isListType(isNonNullType(t) ? t.ofType : t);

describe.skipIf(!available)('OpenAPI corpus: file-specific facts', () => {
  it('oai-petstore.yaml: int64 id, string petId, array alias Pets, 201 without body', async () => {
    const l = await load('oai-petstore.yaml');
    const pet = obj(l, 'Pet').getFields();
    expect(typeStr(pet.id!)).toBe('Long!');
    expect(typeStr(pet.name!)).toBe('String!');
    expect(typeStr(pet.tag!)).toBe('String');
    expect(l.schema.getType('Error')).toBeUndefined(); // only used by `default` error responses
    expect(l.schema.getType('Pets')).toBeUndefined(); // array alias, not an object type
    expect(typeStr(field(l, 'GET /pets'))).toBe('[Pet!]');
    expect(typeStr(arg(field(l, 'GET /pets'), 'limit'))).toBe('Int');
    expect(typeStr(arg(field(l, 'GET /pets/{petId}'), 'petId'))).toBe('String!');
    expect(typeStr(field(l, 'POST /pets'))).toBe('Void');
    expect(l.imported.plan.operations['Query.showPetById']!.entityLookup).toBe(true);
    expect(l.imported.plan.operations['Query.listPets']!.entityLookup).toBe(false);
    expect(l.imported.plan.servers).toEqual(['http://petstore.swagger.io/v1']);
  });

  it('oai-petstore-expanded.yaml: allOf merged, operationId with spaces, 204', async () => {
    const l = await load('oai-petstore-expanded.yaml');
    const pet = obj(l, 'Pet').getFields();
    expect(Object.keys(pet).sort()).toEqual(['id', 'name', 'tag']);
    expect(typeStr(pet.id!)).toBe('Long!');
    expect(typeStr(pet.name!)).toBe('String!');
    const newPet = input(l, 'NewPetInput').getFields();
    expect(Object.keys(newPet).sort()).toEqual(['name', 'tag']);
    expect(typeStr(newPet.name!)).toBe('String!');
    const find = field(l, 'GET /pets/{id}');
    expect(find.name).toBe('findPetById');
    expect(typeStr(arg(find, 'id'))).toBe('Long!');
    expect(typeStr(arg(field(l, 'GET /pets'), 'tags'))).toBe('[String!]');
    expect(l.imported.plan.operations['Query.findPets']!.params[0]).toMatchObject({ name: 'tags', style: 'form', explode: true, shape: 'array' });
    expect(typeStr(field(l, 'DELETE /pets/{id}'))).toBe('Void');
  });

  it('oai-webhook-example.yaml: no operations, Pet still a type', async () => {
    const l = await load('oai-webhook-example.yaml');
    expect(l.imported.operations).toEqual([]);
    expect(l.schema.getQueryType()).toBeUndefined();
    const pet = obj(l, 'Pet').getFields();
    expect(typeStr(pet.id!)).toBe('Long!');
    expect(typeStr(pet.name!)).toBe('String!');
  });

  it('swagger2-petstore.yaml: bodies, form data, files, headers, collectionFormat, maps', async () => {
    const l = await load('swagger2-petstore.yaml');
    const plan = l.imported.plan;
    expect(plan.servers).toEqual(['http://petstore.swagger.io/v2']);
    expect(Object.keys(l.schema.getQueryType()!.getFields())).toHaveLength(8);
    expect(Object.keys(l.schema.getMutationType()!.getFields())).toHaveLength(12);
    // uploadFile: multipart with a file part
    const upload = field(l, 'POST /pet/{petId}/uploadImage');
    expect(typeStr(arg(upload, 'petId'))).toBe('Long!');
    expect(plan.operations['Mutation.uploadFile']!.body!.contentType).toBe('multipart/form-data');
    const uploadInput = bodyInput(l, 'POST /pet/{petId}/uploadImage').getFields();
    expect(typeStr(uploadInput.file!)).toBe('Base64');
    expect(typeStr(uploadInput.additionalMetadata!)).toBe('String');
    expect(getNamedType(upload.type).name).toBe('ApiResponse');
    // updatePetWithForm: urlencoded, optional fields
    expect(plan.operations['Mutation.updatePetWithForm']!.body!.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(bodyInput(l, 'POST /pet/{petId}').getFields()).sort()).toEqual(['name', 'status']);
    // deletePet: optional header
    const del = plan.operations['Mutation.deletePet']!;
    expect(del.params.find((p) => p.name === 'api_key')).toMatchObject({ in: 'header', required: false, argName: 'apiKey' });
    expect(typeStr(arg(field(l, 'DELETE /pet/{petId}'), 'apiKey'))).toBe('String');
    // findPetsByStatus: required list of enum, csv
    const status = arg(field(l, 'GET /pet/findByStatus'), 'status');
    expect(isNonNullType(status.type) && isList(status.type)).toBe(true);
    const statusEnum = getNamedType(status.type);
    expect(isEnumType(statusEnum) && statusEnum.getValues().map((v) => v.name)).toEqual(['available', 'pending', 'sold']);
    expect(plan.operations['Query.findPetsByStatus']!.params[0]).toMatchObject({ style: 'form', explode: false, shape: 'array' });
    expect(field(l, 'GET /pet/findByTags').deprecationReason).toBeDefined();
    expect(typeStr(field(l, 'GET /store/inventory'))).toBe('JSON');
    expect(typeStr(arg(field(l, 'GET /store/order/{orderId}'), 'orderId'))).toBe('Long!');
    expect(typeStr(arg(field(l, 'DELETE /store/order/{orderId}'), 'orderId'))).toBe('String!');
    expect(typeStr(field(l, 'GET /user/login'))).toBe('String');
    expect(plan.operations['Query.loginUser']!.response.kind).toBe('json');
    for (const op of ['POST /pet', 'POST /user', 'GET /user/logout']) expect(typeStr(field(l, op))).toBe('Void');
    const pet = obj(l, 'Pet').getFields();
    expect(typeStr(pet.photoUrls!)).toBe('[String!]!');
    expect(typeStr(pet.category!)).toBe('Category');
    expect(typeStr(pet.tags!)).toBe('[Tag!]');
    expect(isEnumType(getNamedType(pet.status!.type))).toBe(true);
    const order = obj(l, 'Order').getFields();
    expect(typeStr(order.shipDate!)).toBe('DateTime');
    expect((getNamedType(order.status!.type) as unknown as { getValues(): { name: string }[] }).getValues().map((v) => v.name)).toEqual(['placed', 'approved', 'delivered']);
    expect(typeStr(arg(field(l, 'POST /user/createWithArray'), 'input'))).toBe('[UserInput!]!');
  });

  it('nytimes-books-api.yaml: synthesised names for inline schemas, hyphenated names, embedded path params', async () => {
    const l = await load('nytimes-books-api.yaml');
    expect(Object.keys(l.schema.getQueryType()!.getFields())).toHaveLength(6);
    expect(l.schema.getMutationType()).toBeUndefined();
    const lists = field(l, 'GET /lists.json');
    expect(lists.name).toBe('getListsFormat');
    const p = l.imported.plan.operations['Query.getListsFormat']!.params;
    expect(p.find((x) => x.name === 'bestsellers-date')!.argName).toBe('bestsellersDate');
    expect(p.find((x) => x.name === 'list')).toMatchObject({ required: true, default: 'hardcover-fiction' });
    const listsType = obj(l, getNamedType(lists.type).name).getFields();
    expect(Object.keys(listsType)).toEqual(['status', 'copyright', 'numResults', 'lastModified', 'results']);
    expect(l.imported.plan.outputFieldMaps[getNamedType(lists.type).name]).toMatchObject({ numResults: 'num_results', lastModified: 'last_modified' });
    expect(isList(listsType.results!.type)).toBe(true);
    expect(Object.keys(obj(l, getNamedType(listsType.results!.type).name).getFields())).toHaveLength(13);
    const byDate = field(l, 'GET /lists/{date}/{list}.json');
    expect(typeStr(arg(byDate, 'date'))).toBe('String!');
    expect(typeStr(arg(byDate, 'list'))).toBe('String!');
    const byDateResults = obj(l, getNamedType(byDate.type).name).getFields().results!;
    expect(isList(byDateResults.type)).toBe(false);
    expect(isObjectType(getNamedType(byDateResults.type))).toBe(true);
    expect(typeStr(arg(field(l, 'GET /reviews.json'), 'isbn'))).toBe('Int');
    expect(arg(field(l, 'GET /lists/best-sellers/history.json'), 'ageGroup')).toBeDefined();
  });

  it('slack-web-api.json: dotted paths, header token, form bodies, 80 GET / 94 POST', async () => {
    const l = await load('slack-web-api.json');
    expect(Object.keys(l.schema.getQueryType()!.getFields())).toHaveLength(80);
    expect(Object.keys(l.schema.getMutationType()!.getFields())).toHaveLength(94);
    const post = field(l, 'POST /chat.postMessage');
    expect(post.name).toBe('chatPostMessage');
    expect(typeStr(arg(post, 'token'))).toBe('String!');
    const postPlan = l.imported.plan.operations['Mutation.chatPostMessage']!;
    expect(postPlan.params.find((p) => p.name === 'token')!.in).toBe('header');
    expect(postPlan.body!.contentType).toBe('application/x-www-form-urlencoded');
    const body = bodyInput(l, 'POST /chat.postMessage').getFields();
    expect(typeStr(body.channel!)).toBe('String!');
    expect(Object.keys(body)).toHaveLength(15);
    for (const b of ['linkNames', 'mrkdwn', 'replyBroadcast', 'unfurlLinks', 'unfurlMedia']) expect(typeStr(body[b]!)).toBe('Boolean');
    expect(l.imported.plan.inputTypes[getNamedType(arg(post, 'input').type).name]!.fields.linkNames).toEqual({ json: 'link_names' });
    const list = field(l, 'GET /conversations.list');
    expect(list.name).toBe('conversationsList');
    for (const a of ['token', 'excludeArchived', 'types', 'limit', 'cursor']) expect(arg(list, a)).toBeDefined();
    expect(typeStr(obj(l, getNamedType(list.type).name).getFields().channels!)).toBe('[ObjsConversation!]!');
    const upload = bodyInput(l, 'POST /files.upload').getFields();
    expect(typeStr(upload.file!)).toBe('String');
    expect(typeStr(upload.threadTs!)).toBe('Float');
    expect(field(l, 'GET /api.test').name).toBe('apiTest');
  });

  it('redocly-museum.yaml: allOf merges, parameter/response $refs, problem+json, binary', async () => {
    const l = await load('redocly-museum.yaml');
    const buy = input(l, 'BuyMuseumTicketsInput').getFields();
    expect(Object.keys(buy)).toEqual(['email', 'ticketId', 'ticketDate', 'ticketType', 'eventId']);
    expect(typeStr(buy.ticketDate!)).toBe('Date!');
    expect(typeStr(buy.ticketType!)).toBe('TicketType!');
    const conf = obj(l, 'MuseumTicketsConfirmation').getFields();
    expect(typeStr(conf.message!)).toBe('String!');
    expect(typeStr(conf.confirmationCode!)).toBe('String!');
    expect(typeStr(conf.ticketDate!)).toBe('Date!');
    expect(typeStr(field(l, 'GET /museum-hours'))).toBe('[MuseumDailyHours!]');
    const hoursPlan = l.imported.plan.operations['Query.getMuseumHours']!;
    expect(hoursPlan.params.map((p) => p.name)).toEqual(['startDate', 'page', 'limit']);
    expect(hoursPlan.params.find((p) => p.name === 'limit')!.default).toBe(10);
    expect(typeStr(arg(field(l, 'GET /museum-hours'), 'startDate'))).toBe('Date');
    expect(typeStr(field(l, 'GET /special-events/{eventId}'))).toBe('SpecialEvent');
    expect(l.imported.plan.operations['Query.getTicketCode']!.response.kind).toBe('binary');
    expect(typeStr(field(l, 'GET /tickets/{ticketId}/qr'))).toBe('Base64');
    const ev = obj(l, 'SpecialEvent').getFields();
    expect(typeStr(ev.eventId!)).toBe('String');
    for (const f of ['name', 'location', 'eventDescription']) expect(typeStr(ev[f]!)).toBe('String!');
    expect(typeStr(ev.dates!)).toBe('[Date!]!');
    expect(typeStr(ev.price!)).toBe('Float!');
    const fields = input(l, 'SpecialEventFieldsInput').getFields();
    expect(Object.values(fields).every((f) => !isNonNullType(f.type))).toBe(true);
    expect(isEnumType(l.schema.getType('TicketType'))).toBe(true);
  });

  it('readme-discriminators.yaml: oneOf bodies keep every alternative; discriminators honoured on outputs', async () => {
    const l = await load('readme-discriminators.yaml');
    expect(Object.keys(l.schema.getMutationType()!.getFields())).toHaveLength(10);
    const dup = bodyInput(l, 'PATCH /mapping-with-duplicate-schemas');
    expect(dup.isOneOf).toBe(true);
    expect(Object.values(dup.getFields()).map((f) => getNamedType(f.type).name)).toEqual(['OptionOneNoDiscInput', 'OptionTwoNoDiscInput', 'OptionThreeNoDiscInput']);
    expect(l.imported.plan.inputTypes[dup.name]!.oneOfMembers).toHaveLength(3);
    const emb = bodyInput(l, 'PATCH /embedded-discriminator');
    expect(Object.values(emb.getFields()).map((f) => getNamedType(f.type).name)).toEqual(['CatInput', 'DogInput']);
    const dog = input(l, 'DogInput').getFields();
    expect(typeStr(dog.petType!)).toBe('String!');
    expect((getNamedType(dog.breed!.type) as unknown as { getValues(): { name: string }[] }).getValues().map((v) => v.name)).toEqual(['Dingo', 'Husky', 'Retriever', 'Shepherd']);
    const approved = input(l, 'ApplicationApprovedEventInput').getFields();
    expect(Object.keys(approved)).toEqual(['eventType', 'eventId', 'buyerId', 'orderId']);
    expect(['eventType', 'eventId', 'buyerId'].map((f) => isNonNullType(approved[f]!.type))).toEqual([true, true, true]);
    expect(typeStr(arg(field(l, 'POST /potentially-undefined-formData'), 'input'))).toMatch(/!$/);
    const nested = bodyInput(l, 'PATCH /nested-one-of-object-with-nested-one-of').getFields().config!;
    expect(Object.keys((getNamedType(nested.type) as GraphQLInputObjectType).getFields())).toHaveLength(3);
    // BaseVehicle is used directly (discriminator without oneOf): a plain object with its 5 fields.
    expect(Object.keys(input(l, 'BaseVehicleInput').getFields())).toEqual(['vehicleType', 'idealTerrain', 'powerSource', 'topSpeed', 'range']);
    // Improperly placed discriminator: ignored, both members kept.
    const improper = bodyInput(l, 'PATCH /improper-discriminator-placement').getFields();
    expect(Object.keys((getNamedType(improper.connectorProperties!.type) as GraphQLInputObjectType).getFields())).toEqual(['gcsImport', 's3Import']);

    // The same schemas as responses (via relative-file $refs into the corpus file): unions + discriminator plans.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'oa-disc-'));
    const target = path.relative(tmp, path.join(DIR, 'readme-discriminators.yaml'));
    const body = (p: string, method = 'patch') => `${target}#/paths/${p.replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
    const ops = {
      withMapping: body('/discriminator-with-mapping'),
      noMapping: body('/discriminator-with-no-mapping'),
      embedded: body('/embedded-discriminator'),
      topLevel: body('/oneof-allof-top-level-disc'),
      duplicate: body('/mapping-with-duplicate-schemas'),
      schemaNames: body('/mapping-of-schema-names'),
      improper: `${target}#/components/schemas/gcsImport`,
      events: body('/potentially-undefined-formData', 'post'),
    };
    const spec = {
      openapi: '3.0.3',
      info: { title: 'disc', version: '1' },
      paths: Object.fromEntries(
        Object.entries(ops).map(([k, ref]) => [`/${k}`, { get: { operationId: k, responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: ref } } } } } } }]),
      ),
    };
    writeFileSync(path.join(tmp, 'spec.json'), JSON.stringify(spec));
    const out = await load('spec.json', tmp).finally(() => rmSync(tmp, { recursive: true, force: true }));
    const abs = out.imported.plan.abstractTypes;
    const unionOf = (f: string) => {
      const t = getNamedType(out.schema.getQueryType()!.getFields()[f]!.type);
      expect(isUnionType(t), `${f} returns a union`).toBe(true);
      return abs[t.name]!;
    };
    expect(unionOf('withMapping').discriminator).toMatchObject({ property: 'discrim', mapping: { 'Option One': 'OptionOneNoDisc', 'Option Two': 'OptionTwoNoDisc' } });
    expect(unionOf('schemaNames').discriminator).toMatchObject({ property: 'discrim', mapping: { 'Option One': 'OptionOneNoDisc', 'Option Two': 'OptionTwoNoDisc' } });
    expect(unionOf('noMapping').discriminator).toMatchObject({ property: 'discrim', mapping: { OptionOneNoDisc: 'OptionOneNoDisc', OptionTwoNoDisc: 'OptionTwoNoDisc' } });
    expect(unionOf('embedded').discriminator).toMatchObject({ property: 'pet_type', mapping: { Cat: 'Cat', Dog: 'Dog' } });
    expect(unionOf('topLevel').discriminator).toMatchObject({ property: 'pet_type', mapping: { CatNoDisc: 'CatNoDisc', DogNoDisc: 'DogNoDisc' } });
    expect(unionOf('duplicate').discriminator).toMatchObject({
      property: 'discrimValue',
      mapping: { oneA: 'OptionOneNoDisc', oneB: 'OptionOneNoDisc', oneC: 'OptionOneNoDisc', twoA: 'OptionTwoNoDisc', twoB: 'OptionTwoNoDisc', three: 'OptionThreeNoDisc' },
    });
    expect(unionOf('duplicate').members.map((m) => m.typeName)).toEqual(['OptionOneNoDisc', 'OptionTwoNoDisc', 'OptionThreeNoDisc']);
    expect(unionOf('events').discriminator).toMatchObject({ property: 'event_type', mapping: { application_approved: 'ApplicationApprovedEvent', application_denied: 'ApplicationDeniedEvent' } });
    expect(unionOf('events').members[0]!.requiredKeys.sort()).toEqual(['buyer_id', 'event_id', 'event_type']);
  });

  it('readme-schema-circular.yaml: self, mutual and 3-cycles; deep arrays; odd property names', async () => {
    const l = await load('readme-schema-circular.yaml');
    const circular = bodyInput(l, 'PUT /circular');
    const file = getNamedType(circular.getFields().file!.type) as GraphQLInputObjectType;
    expect(file.name).toBe('FormDataBodyPartInput');
    const multi = input(l, 'MultiPartInput').getFields();
    expect(typeStr(multi.parent!)).toBe('MultiPartInput');
    expect(typeStr(multi.bodyParts!)).toBe('[BodyPartInput!]');
    expect(typeStr(input(l, 'BodyPartInput').getFields().parent!)).toBe('MultiPartInput');
    expect(typeStr(input(l, 'ZoneRulesInput').getFields().transitions!)).toBe('[ZoneOffsetTransitionInput!]');
    expect(typeStr(input(l, 'ZoneOffsetTransitionInput').getFields().offsetBefore!)).toBe('ZoneOffsetInput');
    expect(typeStr(input(l, 'ZoneOffsetInput').getFields().rules!)).toBe('ZoneRulesInput');
    expect(typeStr(input(l, 'ContentDispositionInput').getFields().size!)).toBe('Long');
    expect(typeStr(arg(field(l, 'PUT /circular'), 'authorization'))).toBe('String!');
    expect(l.imported.plan.operations['Mutation.putCircular']!.params[0]).toMatchObject({ name: 'Authorization', in: 'header', required: true });
    expect(l.imported.plan.operations['Mutation.putCircular']!.body!.contentType).toBe('multipart/form-data');
    expect(typeStr(arg(field(l, 'POST /not-quite-circular'), 'input'))).toMatch(/!$/);
    const nested = bodyInput(l, 'PUT /nestedTest').getFields();
    expect(typeStr(nested.arr!)).toBe('[[[[[[[[[String!]!]!]!]!]!]!]!]!]');
    const objT = getNamedType(nested.obj!.type) as GraphQLInputObjectType;
    const longKey = 'f'.repeat(144);
    const fooa = getNamedType(objT.getFields()[longKey]!.type) as GraphQLInputObjectType;
    const foob = getNamedType(fooa.getFields().fooa!.type) as GraphQLInputObjectType;
    expect(Object.keys(foob.getFields())).toEqual(['foob']);
    expect(l.imported.plan.inputTypes[foob.name]!.fields.foob!.json).toBe('foob:');
    expect(typeStr(input(l, 'BodyPartInput').getFields().entity!)).toBe('JSON');
    expect(typeStr(input(l, 'ContentDispositionInput').getFields().parameters!)).toBe('JSON');
  });

  it('readme-file-uploads.yaml: binary bodies and multipart files', async () => {
    const l = await load('readme-file-uploads.yaml');
    const png = field(l, 'POST /anything/image-png');
    expect(typeStr(arg(png, 'input'))).toBe('Base64');
    expect(l.imported.plan.operations[`Mutation.${png.name}`]!.body).toMatchObject({ contentType: 'image/png', required: false });
    const mp = bodyInput(l, 'POST /anything/multipart-formdata').getFields();
    expect(typeStr(mp.orderId!)).toBe('Int');
    expect(typeStr(mp.documentFile!)).toBe('Base64');
    expect(typeStr(bodyInput(l, 'PUT /anything/multipart-formdata').getFields().filename!)).toBe('[Base64!]');
    for (const o of l.imported.operations) expect(o.kind).toBe('mutation');
  });

  it('readme-security.yaml: 15 operations named from method + path, no bodies', async () => {
    const l = await load('readme-security.yaml');
    expect(Object.keys(l.schema.getQueryType()!.getFields())).toHaveLength(3);
    expect(Object.keys(l.schema.getMutationType()!.getFields())).toHaveLength(12);
    expect(field(l, 'GET /anything/apiKey').name).toBe('getAnythingApiKey');
    expect(field(l, 'POST /status/401').name).toBe('postStatus401');
    for (const f of rootFields(l.schema)) expect(typeStr(f)).toBe('Void');
  });

  it('readme-schema-types.yaml: int formats, nullable, keyword-named properties, empty enum values, impossible allOf', async () => {
    const l = await load('readme-schema-types.yaml');
    const num = bodyInput(l, 'PUT /anything/numbers').getFields();
    const byJson = (t: GraphQLInputObjectType, json: string) => {
      const entry = Object.entries(l.imported.plan.inputTypes[t.name]!.fields).find(([, v]) => v.json === json);
      expect(entry, `${t.name} has a field for ${json}`).toBeDefined();
      return t.getFields()[entry![0]]!;
    };
    const numT = bodyInput(l, 'PUT /anything/numbers');
    expect(Object.keys(num)).toHaveLength(11);
    for (const k of ['integer (format: uint32)', 'integer (format: int64)', 'integer (format: uint64)']) expect(typeStr(byJson(numT, k))).toBe('Long');
    for (const k of ['integer (format: int8)', 'integer (format: uint8)', 'integer (format: int16)', 'integer (format: uint16)', 'integer (format: int32)']) expect(typeStr(byJson(numT, k))).toBe('Int');
    expect(typeStr(byJson(numT, 'number (format: float)'))).toBe('Float');
    expect(typeStr(arg(field(l, 'PATCH /anything/numbers'), 'input'))).toBe('Long');
    const numS = bodyInput(l, 'POST /anything/numbers');
    expect(typeStr(byJson(numS, 'integer (required)'))).toBe('Int!');
    expect(typeStr(byJson(numS, 'integer (nullable)'))).toBe('Int');
    const str = bodyInput(l, 'POST /anything/strings');
    expect(Object.keys(str.getFields())).toHaveLength(13);
    for (const k of ['required', 'default', 'nullable']) expect(byJson(str, k)).toBeDefined();
    expect(typeStr(byJson(str, 'enum (with empty option)'))).toBe('String');
    const bool = bodyInput(l, 'POST /anything/booleans');
    expect(typeStr(byJson(bool, 'inferred from enum'))).toBe('Boolean');
    expect(typeStr(arg(field(l, 'PUT /anything/quirks/polymorphism'), 'input'))).toBe('JSON!');
    expect(typeStr(arg(field(l, 'PATCH /anything/quirks/polymorphism'), 'input'))).toBe('JSON!');
    expect(typeStr(input(l, 'CircularInput').getFields().children!)).toBe('[CircularInput!]');
    expect(typeStr(arg(field(l, 'PATCH /anything/circular'), 'input'))).toBe('CircularInput');
    expect(typeStr(arg(field(l, 'PATCH /anything/arrays/top-level-payloads'), 'input'))).toBe('[String!]');
    expect(isEnumType(l.schema.getType('StringEnum')) || l.schema.getType('StringEnum') === undefined).toBe(true);
  });

  it('stripe-spec3.yaml: anyOf[customer, deleted_customer] union, GET bodies dropped, multipart upload, dotted names', async () => {
    const l = await load('stripe-spec3.yaml');
    expect(Object.keys(l.schema.getQueryType()!.getFields())).toHaveLength(216);
    expect(Object.keys(l.schema.getMutationType()!.getFields())).toHaveLength(252);
    const cc = field(l, 'GET /v1/customers/{customer}');
    const u = getNamedType(cc.type);
    expect(isUnionType(u)).toBe(true);
    expect((u as unknown as { getTypes(): { name: string }[] }).getTypes().map((t) => t.name)).toEqual(['Customer', 'DeletedCustomer']);
    const ap = l.imported.plan.abstractTypes[u.name]!;
    expect(ap.members.map((m) => m.typeName)).toEqual(['Customer', 'DeletedCustomer']);
    expect(ap.members[1]!.requiredKeys.sort()).toEqual(['deleted', 'id', 'object']);
    expect(typeStr(arg(cc, 'customer'))).toBe('String!');
    expect(l.imported.plan.operations['Query.getCustomersCustomer']!.params.find((p) => p.name === 'expand')).toMatchObject({ style: 'deepObject', shape: 'array', required: false });
    // No GET turns its (empty, form-encoded) body into an argument.
    for (const [key, p] of Object.entries(l.imported.plan.operations)) {
      if (p.method !== 'GET') continue;
      expect(p.body, key).toBeUndefined();
      const [, name] = key.split('.') as [string, string];
      expect(l.schema.getQueryType()!.getFields()[name]!.args.some((a) => a.name === 'input'), key).toBe(false);
    }
    const list = obj(l, getNamedType(field(l, 'GET /v1/customers').type).name).getFields();
    expect(typeStr(list.data!)).toBe('[Customer!]!');
    expect(typeStr(list.hasMore!)).toBe('Boolean!');
    for (const a of ['created', 'email', 'endingBefore', 'expand', 'limit', 'startingAfter', 'testClock']) expect(arg(field(l, 'GET /v1/customers'), a)).toBeDefined();
    const customer = obj(l, 'Customer').getFields();
    expect(Object.keys(customer)).toHaveLength(28);
    for (const f of ['created', 'id', 'livemode', 'object']) expect(isNonNullType(customer[f]!.type), f).toBe(true);
    for (const f of ['address', 'email', 'name', 'phone', 'description', 'discount']) expect(isNonNullType(customer[f]!.type), f).toBe(false);
    expect(typeStr(customer.address!)).toBe('Address');
    expect(typeStr(customer.metadata!)).toBe('JSON');
    expect(getNamedType(customer.created!.type).name).not.toBe('Int');
    expect(l.imported.plan.outputFieldMaps.Customer).toMatchObject({ defaultSource: 'default_source', invoiceCreditBalance: 'invoice_credit_balance' });
    const deleted = obj(l, 'DeletedCustomer').getFields();
    expect(typeStr(deleted.deleted!)).toBe('Boolean!');
    // Recursion through subscriptions.
    // `subscription` cannot be called Subscription (the gateway's root type name): SubscriptionType.
    const subs = obj(l, getNamedType(customer.subscriptions!.type).name).getFields();
    expect(getNamedType(subs.data!.type).name).toBe('SubscriptionType');
    expect(l.schema.getType('Subscription')).toBeUndefined();
    expect(getNamedType(obj(l, 'SubscriptionType').getFields().customer!.type).name).toBe('JSON'); // anyOf[string, customer, deleted_customer]: ID or object
    // Multipart upload with an operation-level server.
    const files = l.imported.plan.operations['Mutation.postFiles']!;
    expect(files.body).toMatchObject({ contentType: 'multipart/form-data', required: true });
    expect(files.servers).toEqual(['https://files.stripe.com/']);
    const fileInput = bodyInput(l, 'POST /v1/files').getFields();
    expect(typeStr(fileInput.file!)).toBe('Base64!');
    expect(isNonNullType(fileInput.purpose!.type)).toBe(true);
    expect(typeStr(fileInput.expand!)).toBe('[String!]');
    expect(typeStr((getNamedType(fileInput.fileLinkData!.type) as GraphQLInputObjectType).getFields().create!)).toBe('Boolean!');
    expect(getNamedType(field(l, 'POST /v1/files').type).name).toBe('File');
    // Dotted component names.
    for (const n of ['CheckoutSession', 'BillingPortalConfiguration', 'TestHelpersTestClock']) expect(isObjectType(l.schema.getType(n)), n).toBe(true);
    expect(l.imported.plan.servers).toEqual(['https://api.stripe.com/']);
  });

  it('openai-openapi.yaml: 3.1 imports, discriminated unions, 3.1 nullable, multipart, $recursiveRef', async () => {
    const l = await load('openai-openapi.yaml');
    expect(Object.keys(l.schema.getQueryType()!.getFields())).toHaveLength(122);
    expect(Object.keys(l.schema.getMutationType()!.getFields())).toHaveLength(166);
    const models = obj(l, getNamedType(field(l, 'GET /models').type).name).getFields();
    expect(typeStr(models.data!)).toBe('[Model!]!');
    expect(typeStr(models.object!)).toMatch(/!$/);
    const model = obj(l, 'Model').getFields();
    expect(typeStr(model.id!)).toBe('String!');
    expect(typeStr(model.ownedBy!)).toBe('String!');
    expect(typeStr(model.shutdownDate!)).toBe('Date');
    expect(isNonNullType(model.created!.type)).toBe(true);
    expect(getNamedType(field(l, 'GET /models/{model}').type).name).toBe('Model');
    expect(typeStr(arg(field(l, 'GET /models/{model}'), 'model'))).toBe('String!');
    expect(Object.keys(obj(l, getNamedType(field(l, 'DELETE /models/{model}').type).name).getFields()).sort()).toEqual(['deleted', 'id', 'object']);
    const chat = field(l, 'POST /chat/completions');
    expect(typeStr(arg(chat, 'input'))).toBe('CreateChatCompletionRequestInput!');
    expect(getNamedType(chat.type).name).toBe('CreateChatCompletionResponse');
    const msg = input(l, 'ChatCompletionRequestMessageInput');
    expect(msg.isOneOf).toBe(true);
    expect(Object.keys(msg.getFields())).toHaveLength(6);
    // Multipart operations.
    // JSON is preferred when a body offers both (8 of the 18 multipart operations do).
    const jsonToo = ['CreateContainerFile', 'createImageEdit', 'createVideo', 'CreateVideoEdit', 'CreateVideoExtend', 'CreateVideoRemix', 'CreateSkill', 'CreateSkillVersion'];
    for (const id of jsonToo) expect(Object.values(l.imported.plan.operations).find((p) => p.operationId === id)!.body!.contentType).toBe('application/json');
    const multipart = Object.values(l.imported.plan.operations).filter((p) => p.body?.contentType === 'multipart/form-data');
    expect(multipart.map((p) => p.operationId).sort()).toEqual(
      [
        'CreateContainerFile', 'CreateSkill', 'CreateSkillVersion', 'CreateVideoCharacter', 'CreateVideoEdit', 'CreateVideoExtend', 'CreateVideoRemix',
        'Createcontentprovenancecheck', 'addUploadPart', 'create-realtime-call', 'createFile', 'createImageEdit', 'createImageVariation',
        'createTranscription', 'createTranslation', 'createVideo', 'createVoice', 'createVoiceConsent',
      ]
        .filter((id) => !jsonToo.includes(id))
        .sort(),
    );
    const tr = bodyInput(l, 'POST /audio/transcriptions').getFields();
    expect(typeStr(tr.file!)).toBe('Base64!');
    expect(isNonNullType(tr.model!.type)).toBe(true);
    // Discriminated unions on outputs.
    const withDisc = Object.values(l.imported.plan.abstractTypes).filter((a) => a.discriminator);
    expect(withDisc.length).toBeGreaterThan(20);
    // $recursiveRef: CompoundFilter nests itself.
    const filters = obj(l, 'CompoundFilter').getFields().filters!;
    const fu = getNamedType(filters.type);
    expect(isUnionType(fu)).toBe(true);
    expect((fu as unknown as { getTypes(): { name: string }[] }).getTypes().map((t) => t.name)).toEqual(['ComparisonFilter', 'CompoundFilter']);
    expect(l.imported.plan.abstractTypes[fu.name]!.discriminator?.property).toBe('type');
    // operationIds of every style map to distinct camelCase fields.
    expect(byOpId(l, 'create-realtime-call').f.name).toBe('createRealtimeCall');
    expect(byOpId(l, 'CreateSkill').f.name).toBe('createSkill');
    expect(byOpId(l, 'Createcontentprovenancecheck').f.name).toBe('createcontentprovenancecheck');
  });
});
