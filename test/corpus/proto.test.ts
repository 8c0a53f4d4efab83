import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildSchema, getNamedType, isEnumType, isInputObjectType, isObjectType, isUnionType, validateSchema, type GraphQLField, type GraphQLSchema } from 'graphql';
import { grpcAdapter } from '../../src/adapters/grpc';
import { grpcOptionsSchema } from '../../src/adapters/grpc/options';
import type { GrpcPlan } from '../../src/adapters/grpc/import';
import { jsonName } from '../../src/adapters/grpc/shapes';
import type { ImportedSource } from '../../src/adapters/types';

/**
 * Every proto of the shared corpus imports, and the facts of EXPECTATIONS.md hold: method counts,
 * names and kinds (client/bidi flagged, server streaming as subscriptions), >32-bit integers not Int,
 * same-named types in different scopes kept distinct, messages of a service-less file kept.
 */
const corpus = path.resolve(process.cwd(), '../shared/corpus');
const present = existsSync(path.join(corpus, 'EXPECTATIONS.md')) && existsSync(path.join(corpus, 'proto'));
if (!present) console.warn(`skipping the proto corpus test: ${corpus} (EXPECTATIONS.md + proto/) is absent`);

// Import roots from MANIFEST.md.
const ROOTS = ['grpc-examples', 'grpc-health-check', 'grpc-js-fixtures', 'grpc-node-test', 'grpc-interop', 'googleapis', 'include'].map((r) => path.join(corpus, 'proto', r));
const WIDE_INTS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'uint32', 'fixed32']);

interface Section {
  file: string;
  blocks: Array<{
    package?: string | null;
    services?: Record<string, Record<string, { in: string; out: string; kind: string }>>;
    messages?: Record<string, Record<string, string>>;
    enums?: Record<string, Record<string, number>>;
  }>;
}

function sections(): Section[] {
  const md = readFileSync(path.join(corpus, 'EXPECTATIONS.md'), 'utf8');
  const out: Section[] = [];
  for (const part of md.split(/^## /m).slice(1)) {
    const heading = part.slice(0, part.indexOf('\n')).trim();
    if (!heading.startsWith('proto/')) continue;
    const file = heading.split(/\s+/)[0]!;
    const blocks = [...part.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]!));
    out.push({ file, blocks });
  }
  return out;
}

async function importFile(file: string): Promise<ImportedSource<GrpcPlan>> {
  const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'corpus', protos: [path.join(corpus, file)], includeDirs: ROOTS, address: '127.0.0.1:1' });
  return grpcAdapter.importSource(options, { baseDir: corpus });
}

function schemaOf(sdl: string): GraphQLSchema {
  const schema = buildSchema(sdl);
  const errors = validateSchema(schema).filter((e) => !/Query root type must be provided/.test(e.message));
  expect(errors.map((e) => e.message)).toEqual([]);
  return schema;
}

/** `"repeated int64 = 2"` -> { type: 'int64', repeated: true, map: false } */
function fieldFact(spec: string) {
  const s = spec.replace(/\s*=\s*\d+\s*$/, '').replace(/\s*\([^)]*\)/g, '').trim();
  if (s.startsWith('map<')) return { type: s, map: true, repeated: false };
  const m = /^(repeated |optional )?(\S+)$/.exec(s)!;
  return { type: m[2]!, repeated: m[1] === 'repeated ', map: false };
}

describe.skipIf(!present)('proto corpus (../shared/corpus/proto)', () => {
  const all = present ? sections() : [];

  it('finds the proto sections of EXPECTATIONS.md', () => {
    expect(all.map((s) => s.file)).toContain('proto/grpc-examples/route_guide.proto');
    expect(all.length).toBeGreaterThanOrEqual(10);
  });

  for (const section of all) {
    it(`${section.file}: imports and the expected facts hold`, async () => {
      const imported = await importFile(section.file);
      const schema = schemaOf(imported.sdl);
      const plan = imported.plan;
      const byUpstream = new Map(imported.operations.map((o) => [o.upstream, o]));
      const fields = imported.operations.map((o) => o.field);
      expect(new Set(fields).size).toBe(fields.length); // names -> distinct root fields

      // Only the entry file's services are exposed: the first block describes them.
      const services = section.blocks[0]?.services ?? {};
      let exposed = 0;
      for (const [svc, methods] of Object.entries(services)) {
        for (const [name, m] of Object.entries(methods)) {
          const op = byUpstream.get(`${svc}/${name}`);
          if (m.kind === 'client-streaming' || m.kind === 'bidi') {
            expect(op, `${svc}/${name} must be skipped`).toBeUndefined();
            expect(imported.warnings.map((w) => w.location)).toContain(`${svc}.${name}`);
            expect(imported.warnings.find((w) => w.location === `${svc}.${name}`)!.message).toMatch(/skipped/);
            continue;
          }
          exposed++;
          expect(op, `${svc}/${name}`).toBeDefined();
          expect(op!.kind).toMatch(m.kind === 'server-streaming' ? /^subscription$/ : /^(query|mutation)$/);
          const [rootType, field] = op!.field.split('.') as [string, string];
          const root = schema.getType(rootType);
          expect(isObjectType(root) && root.getFields()[field], op!.field).toBeTruthy();
        }
      }
      expect(imported.operations).toHaveLength(exposed);

      // Messages: in the schema (as a type, or flattened into a root field's arguments), 64-bit never Int.
      const requestOf = new Map(plan.methods.map((m) => [m.requestType, m]));
      for (const block of section.blocks) {
        for (const [msg, msgFields] of Object.entries(block.messages ?? {})) {
          const full = `.${msg}`;
          const typeName = plan.typeNames.get(full);
          const method = requestOf.get(full);
          let lookup: (protoField: string) => { type: string; named: string } | undefined;
          if (typeName && isObjectType(schema.getType(typeName))) {
            const t = schema.getType(typeName) as import('graphql').GraphQLObjectType;
            lookup = (f) => {
              const gf: GraphQLField<unknown, unknown> | undefined = t.getFields()[plan.fieldNames.get(full)?.get(f) ?? jsonName(f)];
              return gf && { type: String(gf.type), named: getNamedType(gf.type).name };
            };
          } else if (method) {
            const [rootType, field] = [method.rootType, method.field];
            const rf = (schema.getType(rootType) as import('graphql').GraphQLObjectType).getFields()[field]!;
            lookup = (f) => {
              const arg = rf.args.find((a) => a.name === (plan.fieldNames.get(full)?.get(f) ?? jsonName(f)));
              return arg && { type: String(arg.type), named: getNamedType(arg.type).name };
            };
          } else if (Object.keys(msgFields ?? {}).length === 0) {
            // A message without fields reads as Void: nothing to look up.
            expect(plan.voidMessages.has(full) || !typeName, msg).toBe(true);
            continue;
          } else {
            // Declared but unused messages of imported (non-entry) files may be left out.
            continue;
          }
          for (const [f, spec] of Object.entries(msgFields ?? {})) {
            const fact = fieldFact(spec);
            const got = lookup(f);
            // Oneof members of a union-mapped oneof live in the union, not as fields.
            if (!got && / \(oneof (\w+)\)/.test(spec)) {
              const oneof = / \(oneof (\w+)\)/.exec(spec)![1]!;
              expect(plan.unions.has(`${full}#${oneof}`), `${msg}.${f}`).toBe(true);
              continue;
            }
            expect(got, `${msg}.${f} in the schema`).toBeDefined();
            if (fact.map) expect(got!.named, `${msg}.${f}`).toBe('JSON');
            else if (WIDE_INTS.has(fact.type)) expect(got!.named, `${msg}.${f} (${fact.type})`).toBe('Long');
            else if (fact.type === 'bytes') expect(got!.named).toBe('Base64');
            if (fact.repeated) expect(got!.type.startsWith('['), `${msg}.${f} is a list`).toBe(true);
          }
        }
        // Enums: `*_UNSPECIFIED = 0` hidden, conventional prefix stripped, other values kept.
        for (const [en, values] of Object.entries(block.enums ?? {})) {
          const typeName = plan.typeNames.get(`.${en}`);
          if (!typeName) continue; // unused enum of a non-entry file
          const t = schema.getType(typeName);
          expect(isEnumType(t), en).toBe(true);
          const names = (t as import('graphql').GraphQLEnumType).getValues().map((v) => v.name);
          const visible = Object.entries(values).filter(([n, v]) => !(v === 0 && /UNSPECIFIED$/.test(n)));
          expect(names, en).toHaveLength(visible.length);
          for (const n of names) expect(n).not.toMatch(/UNSPECIFIED$/);
        }
      }
    });
  }

  it('test_messages.proto (no package, no service) keeps its messages as types, 64-bit fields as Long', async () => {
    const { sdl, operations } = await importFile('proto/grpc-node-test/test_messages.proto');
    const schema = schemaOf(sdl);
    expect(operations).toEqual([]);
    const longValues = schema.getType('LongValues');
    expect(isObjectType(longValues)).toBe(true);
    for (const f of Object.values((longValues as import('graphql').GraphQLObjectType).getFields())) expect(getNamedType(f.type).name).toBe('Long');
    expect(isEnumType(schema.getType('TestEnum'))).toBe(true);
  });

  it('route_guide.proto: RecordRoute and RouteChat are flagged (exactly those), the rest works', async () => {
    const { warnings, operations } = await importFile('proto/grpc-examples/route_guide.proto');
    expect(warnings.map((w) => w.location).sort()).toEqual(['routeguide.RouteGuide.RecordRoute', 'routeguide.RouteGuide.RouteChat']);
    expect(warnings[0]!.message).toMatch(/client-streaming/);
    expect(warnings[1]!.message).toMatch(/bidi/);
    expect(operations.map((o) => o.field)).toEqual(['Query.getFeature', 'Subscription.listFeatures']);
  });

  it('test.proto: UnimplementedCall of two services stays two root fields; grpc.testing.BoolValue is its own type', async () => {
    const { plan, sdl, operations } = await importFile('proto/grpc-interop/src/proto/grpc/testing/test.proto');
    const schema = schemaOf(sdl);
    expect(operations).toHaveLength(9); // 12 methods - 3 client/bidi
    const unimpl = operations.filter((o) => o.upstream.endsWith('/UnimplementedCall'));
    expect(unimpl).toHaveLength(2);
    expect(unimpl[0]!.field).not.toBe(unimpl[1]!.field);
    // Only used in requests: an input type with its own `value` field, not the google.protobuf.BoolValue wrapper scalar.
    const boolValue = plan.typeNames.get('.grpc.testing.BoolValue')!;
    const input = schema.getType(`${boolValue}Input`);
    expect(isInputObjectType(input)).toBe(true);
    expect(String((input as import('graphql').GraphQLInputObjectType).getFields()['value']!.type)).toBe('Boolean');
    const unaryCall = (schema.getType('Mutation') as import('graphql').GraphQLObjectType).getFields()['unaryCall']!;
    expect(String(unaryCall.args.find((a) => a.name === 'responseCompressed')!.type)).toBe(`${boolValue}Input`);
  });

  it('pubsub.proto: 25 methods (StreamingPull flagged), ten nested State enums stay distinct, oneof of messages is a union', async () => {
    const { plan, sdl, operations, warnings } = await importFile('proto/googleapis/google/pubsub/v1/pubsub.proto');
    const schema = schemaOf(sdl);
    expect(operations).toHaveLength(24);
    expect(warnings.map((w) => w.location)).toEqual(['google.pubsub.v1.Subscriber.StreamingPull']);
    expect(operations.filter((o) => o.upstream.startsWith('google.pubsub.v1.SchemaService/'))).toEqual([]); // imported file's service not exposed
    const states = [...plan.typeNames].filter(([full]) => full.endsWith('.State'));
    expect(states.length).toBeGreaterThanOrEqual(10);
    expect(new Set(states.map(([, n]) => n)).size).toBe(states.length);
    for (const [, n] of states) expect(isEnumType(schema.getType(n))).toBe(true);
    expect(getNamedType((schema.getType('Topic') as import('graphql').GraphQLObjectType).getFields()['state']!.type).name).toBe(plan.typeNames.get('.google.pubsub.v1.Topic.State'));
    const transform = (schema.getType('MessageTransform') as import('graphql').GraphQLObjectType).getFields()['transform']!;
    const union = getNamedType(transform.type);
    expect(isUnionType(union)).toBe(true);
    expect((union as import('graphql').GraphQLUnionType).getTypes().map((t) => t.name).sort()).toEqual(['AIInference', 'Compression', 'JavaScriptUDF']);
    // The bidi method's request type is still available (its int64 fields as Long).
    const spr = schema.getType(plan.typeNames.get('.google.pubsub.v1.StreamingPullRequest')!) as import('graphql').GraphQLObjectType;
    expect(getNamedType(spr.getFields()['maxOutstandingMessages']!.type).name).toBe('Long');
    // Well-known types: Timestamp, Duration, FieldMask, Empty.
    expect(sdl).toMatch(/publishTime: DateTime/);
    expect(sdl).toMatch(/messageRetentionDuration: Duration/);
    expect(sdl).toMatch(/updateMask: \[String!\]/);
    expect(sdl).toMatch(/deleteTopic\([^)]*\): Void/);
  });

  it('every proto file in the corpus (dependencies too) imports on its own', async () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.proto')) files.push(path.relative(corpus, p));
      }
    };
    walk(path.join(corpus, 'proto'));
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      const imported = await importFile(f);
      if (imported.sdl.trim()) schemaOf(imported.sdl); // options-only files (annotations.proto) define no type
    }
  });
});
