import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { grpcAdapter } from '../../src/adapters/grpc';
import { createConverters } from '../../src/adapters/grpc/convert';
import type { GrpcPlan } from '../../src/adapters/grpc/import';
import { grpcOptionsSchema } from '../../src/adapters/grpc/options';
import { createWireDecoders, type WireDecoders } from '../../src/adapters/grpc/wire-decode';

/**
 * Differential test of the direct wire decoder (wire-decode.ts) against today's path, protobufjs
 * `Type.decode` + the converters of convert.ts: for random messages of every supported type the
 * values must be identical (deep, strict, key order), and for malformed bytes the same error must
 * come out of `deserialize`, where grpc-js reports it.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../fixtures/grpc');
// The demo's orders contract: the same as the benchmark rig's (which lives outside the repo).
const ORDERS = path.resolve(here, '../../schemas/orders/upstream/orders.proto');
const CORPUS = path.resolve(process.cwd(), '../shared/corpus/proto');
const CORPUS_ROOTS = ['grpc-examples', 'grpc-health-check', 'grpc-js-fixtures', 'grpc-node-test', 'grpc-interop', 'googleapis', 'include'].map((r) => path.join(CORPUS, r));

const TORTURE3 = `
syntax = "proto3";
package torture.v3;

enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; NEGATIVE = -3; }
enum Aliased { option allow_alias = true; ZERO = 0; ONE = 1; UNO = 1; }

message Leaf { string name = 1; int32 n = 2; }
message Nothing {}

message Scalars {
  int32 i32 = 1; uint32 u32 = 2; sint32 s32 = 3; fixed32 f32 = 4; sfixed32 sf32 = 5;
  float fl = 6; double db = 7; bool ok = 8; string text = 9;
  int64 i64 = 10; uint64 u64 = 11; sint64 s64 = 12; fixed64 f64 = 13; sfixed64 sf64 = 14;
  Color color = 15;
  optional int32 maybe = 16; optional string maybe_text = 17; optional Color maybe_color = 18;
  oneof choice { int32 pick_num = 19; string pick_text = 20; }
  Leaf leaf = 22;
  Nothing nothing = 23;
  int32 user_id = 24; int32 userId = 25;
  Aliased aliased = 26;
  uint32 last = 536870911;
}

message Lists {
  repeated int32 i32 = 1; repeated uint32 u32 = 2; repeated sint32 s32 = 3; repeated fixed32 f32 = 4;
  repeated sfixed32 sf32 = 5; repeated float fl = 6; repeated double db = 7; repeated bool ok = 8;
  repeated string texts = 9; repeated int64 i64 = 10; repeated uint64 u64 = 11; repeated sint64 s64 = 12;
  repeated fixed64 f64 = 13; repeated sfixed64 sf64 = 14; repeated Color colors = 15;
  repeated Leaf leaves = 16; repeated Nothing nothings = 17;
}

message Tree { int32 value = 1; repeated Tree children = 2; Tree next = 3; string label = 4; }

message WithMap { map<string, int32> m = 1; }
message WithBytes { bytes b = 1; }
message HoldsBytes { int32 a = 1; WithBytes inner = 2; }
message CycleA { int32 a = 1; CycleB b = 2; }
message CycleB { CycleA a = 1; bytes raw = 2; }
message UnionHolder { oneof thing { Leaf leaf = 1; Tree tree = 2; } }

message Req { int32 id = 1; }
service Torture {
  rpc GetScalars(Req) returns (Scalars);
  rpc GetLists(Req) returns (Lists);
  rpc GetTree(Req) returns (Tree);
  rpc GetWithMap(Req) returns (WithMap);
  rpc GetHoldsBytes(Req) returns (HoldsBytes);
  rpc GetCycle(Req) returns (CycleA);
  rpc GetUnion(Req) returns (UnionHolder);
  rpc GetNothing(Req) returns (Nothing);
}
`;

const TORTURE2 = `
syntax = "proto2";
package torture.v2;

enum Level { LOW = 1; MID = 5; HIGH = 10; }

message Defaults {
  optional int32 a = 1 [default = -7];
  optional string s = 2 [default = "hé"];
  optional Level level = 3 [default = HIGH];
  optional Level level2 = 4;
  optional bool flag = 5 [default = true];
  optional double d = 6 [default = inf];
  optional float f = 7 [default = nan];
  optional int64 big = 8 [default = -12345678901];
  optional uint64 ubig = 9 [default = 12345678901];
  repeated int32 packed_list = 10 [packed = true];
  repeated int32 unpacked_list = 11;
  optional Defaults child = 12;
  optional double neg_zero = 13 [default = -0.0];
  optional sint32 plain = 14;
}
message WithRequired { required int32 id = 1; optional string name = 2; }
message WithGroup { optional group Grp = 1 { optional int32 x = 2; } }

service Torture2 {
  rpc GetDefaults(Defaults) returns (Defaults);
  rpc GetRequired(Defaults) returns (WithRequired);
  rpc GetGroup(Defaults) returns (WithGroup);
}
`;

// ---------------------------------------------------------------------------------------------
// Loading

interface Loaded {
  label: string;
  plan: GrpcPlan;
  wire: WireDecoders;
  convert: (typeName: string) => (m: unknown) => unknown;
  /** Message types to test: those defined in the entry files. */
  types: protobuf.Type[];
}

async function load(label: string, protos: string[], includeDirs: string[], baseDir: string): Promise<Loaded> {
  const options = grpcOptionsSchema.parse({ kind: 'grpc', name: 'wire', address: '127.0.0.1:1', protos, includeDirs });
  const { plan } = await grpcAdapter.importSource(options, { baseDir });
  const converters = createConverters(plan);
  const entries = new Set(protos.map((p) => path.resolve(baseDir, p)));
  const types: protobuf.Type[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Type && o.filename && entries.has(o.filename)) types.push(o);
      if (o instanceof protobuf.Namespace || o instanceof protobuf.Type) walk(o as protobuf.NamespaceBase);
    }
  };
  walk(plan.root);
  return { label, plan, wire: createWireDecoders(plan, converters), convert: (t) => converters.output(t), types };
}

function tmpProtos(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'grpc-wire-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function protoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return protoFiles(full);
    return name.endsWith('.proto') ? [full] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// Random messages, written field by field so encodings can vary (packed or not, order, repeats,
// unknown fields, odd but valid varints).

type Rng = () => number;

function mulberry32(seed: number): Rng {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// protobufjs's Long class (the `long` package); its typings only declare the constructor.
const Long = protobuf.util.Long as unknown as { fromBits(lo: number, hi: number, unsigned?: boolean): protobuf.Long };
const pick = <T,>(rnd: Rng, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const randInt32 = (rnd: Rng) => (rnd() * 4294967296) | 0;
const INT32S = [0, 1, -1, 127, 128, 300, 65535, 2147483647, -2147483648, -300];
const UINT32S = [0, 1, 127, 128, 16384, 2147483648, 4294967295];
const FLOATS = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 3.4e38, 1e-45, 0.1, 123456.789];
const DOUBLES = [0, -0, 0.1, -1e300, NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324, 19.99, 2 ** 53 + 2];
const LONG_BITS: [number, number][] = [[0, 0], [1, 0], [-1, -1], [0, 0x80000000 | 0], [-1, 0x7fffffff], [1, 0x200000], [0, 0x1fffff], [-1, 0x1fffff], [0, 1], [123, -5]];
const STRINGS = ['', 'a', 'hello', 'ÄÖÜ ß', '日本語', '😀', 'mixed 😀 text', '\u0000nul', 'x'.repeat(300), '2024-03-05T12:34:56.000Z'];
const BAD_UTF8 = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0x41, 0xc0, 0xaf, 0x42], [0xf4, 0x90, 0x80, 0x80]];
const PACKABLE = new Set(Object.keys(protobuf.types.packed));

function randomString(rnd: Rng): string {
  if (rnd() < 0.6) return pick(rnd, STRINGS);
  let s = '';
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const cp = r < 0.5 ? 32 + Math.floor(rnd() * 95) : r < 0.8 ? 0xa0 + Math.floor(rnd() * 0x700) : r < 0.95 ? 0x3000 + Math.floor(rnd() * 0x5000) : 0x10000 + Math.floor(rnd() * 0x10000);
    s += String.fromCodePoint(cp);
  }
  return s;
}

function kindOf(f: protobuf.Field): string {
  f.resolve();
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  if (f.resolvedType instanceof protobuf.Type) return 'message';
  return f.type;
}

const bytesOf = (w: protobuf.Writer) => Buffer.from(w.finish());
const varintBytes = (v: number) => bytesOf(protobuf.Writer.create().uint32(v));

/** Valid encodings protobufjs accepts that a minimal encoder never writes. */
function oddVarint32(rnd: Rng, v: number): Buffer {
  const u = v >>> 0;
  const five = [(u & 127) | 128, ((u >>> 7) & 127) | 128, ((u >>> 14) & 127) | 128, ((u >>> 21) & 127) | 128, (u >>> 28) & 15];
  if (rnd() < 0.5) return Buffer.from(five); // over-long but terminated in 5 bytes
  // 10 bytes: protobufjs skips the 5 upper bytes unread, whatever they hold.
  five[4]! |= 128;
  return Buffer.from([...five, ...Array.from({ length: 5 }, () => Math.floor(rnd() * 256))]);
}

interface GenOptions {
  /** Also write known fields with a wrong wire type (protobufjs then reads them its own way). */
  wild: boolean;
}

function writeScalar(w: protobuf.Writer, kind: string, rnd: Rng, f: protobuf.Field): void {
  switch (kind) {
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      (w as unknown as Record<string, (v: number) => void>)[kind]!(rnd() < 0.5 ? pick(rnd, INT32S) : randInt32(rnd));
      return;
    case 'uint32':
    case 'fixed32':
      (w as unknown as Record<string, (v: number) => void>)[kind]!(rnd() < 0.5 ? pick(rnd, UINT32S) : randInt32(rnd) >>> 0);
      return;
    case 'float':
      w.float(rnd() < 0.6 ? pick(rnd, FLOATS) : (rnd() - 0.5) * 1e6);
      return;
    case 'double':
      w.double(rnd() < 0.6 ? pick(rnd, DOUBLES) : (rnd() - 0.5) * 1e12);
      return;
    case 'bool':
      w.bool(rnd() < 0.5);
      return;
    case 'string':
      w.string(randomString(rnd));
      return;
    case 'enum': {
      const values = Object.values((f.resolvedType as protobuf.Enum).values);
      w.int32(rnd() < 0.8 ? pick(rnd, values) : pick(rnd, [99, -1, 12345, -2147483648, 2147483647]));
      return;
    }
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64': {
      const [lo, hi] = rnd() < 0.5 ? pick(rnd, LONG_BITS) : [randInt32(rnd), randInt32(rnd)];
      (w as unknown as Record<string, (v: protobuf.Long) => void>)[kind]!(Long.fromBits(lo, hi, kind === 'uint64' || kind === 'fixed64'));
      return;
    }
    default:
      throw new Error(`no generator for ${kind}`);
  }
}

const WIRE: Record<string, number> = { int32: 0, uint32: 0, sint32: 0, bool: 0, enum: 0, int64: 0, uint64: 0, sint64: 0, fixed64: 1, sfixed64: 1, double: 1, fixed32: 5, sfixed32: 5, float: 5, string: 2, message: 2 };

/** One encoded occurrence of field `f` (tag included). */
function occurrence(f: protobuf.Field, rnd: Rng, depth: number, opts: GenOptions): Buffer | null {
  const kind = kindOf(f);
  const tag = (wt: number) => ((f.id << 3) | wt) >>> 0;
  if (kind === 'message') {
    if (depth >= 4) return null;
    const body = genMessage(f.resolvedType as protobuf.Type, rnd, depth + 1, opts);
    return bytesOf(protobuf.Writer.create().uint32(tag(2)).bytes(body));
  }
  if (kind === 'string' && rnd() < 0.08) return bytesOf(protobuf.Writer.create().uint32(tag(2)).bytes(Uint8Array.from(pick(rnd, BAD_UTF8))));
  if (WIRE[kind] === 0 && kind.endsWith('32') && rnd() < 0.08) return Buffer.concat([varintBytes(tag(0)), oddVarint32(rnd, randInt32(rnd))]);
  if ((kind === 'bool' || kind === 'enum') && rnd() < 0.08) return Buffer.concat([varintBytes(tag(0)), oddVarint32(rnd, pick(rnd, [0, 1, 2, 256, -1]))]);
  const w = protobuf.Writer.create().uint32(tag(WIRE[kind]!));
  writeScalar(w, kind, rnd, f);
  return bytesOf(w);
}

function packedChunk(f: protobuf.Field, rnd: Rng, count: number): Buffer {
  const w = protobuf.Writer.create().uint32(((f.id << 3) | 2) >>> 0).fork();
  for (let i = 0; i < count; i++) writeScalar(w, kindOf(f), rnd, f);
  return bytesOf(w.ldelim());
}

function unknownField(rnd: Rng, known: Set<number>): Buffer {
  let id = 1 + Math.floor(rnd() * 2000);
  while (known.has(id)) id++;
  const wt = pick(rnd, [0, 1, 2, 5]);
  const w = protobuf.Writer.create().uint32(((id << 3) | wt) >>> 0);
  if (wt === 0) w.int64(Long.fromBits(randInt32(rnd), rnd() < 0.5 ? 0 : randInt32(rnd)));
  else if (wt === 1) w.fixed64(Long.fromBits(randInt32(rnd), randInt32(rnd), true));
  else if (wt === 2) w.bytes(Uint8Array.from({ length: Math.floor(rnd() * 20) }, () => Math.floor(rnd() * 256)));
  else w.fixed32(randInt32(rnd) >>> 0);
  return bytesOf(w);
}

/** A known field written with another wire type than its own. */
function mismatched(f: protobuf.Field, rnd: Rng): Buffer {
  const own = WIRE[kindOf(f)]!;
  const wt = pick(rnd, [0, 1, 2, 5].filter((x) => x !== own && !(x === 2 && f.repeated && PACKABLE.has(f.type))));
  const w = protobuf.Writer.create().uint32(((f.id << 3) | wt) >>> 0);
  if (wt === 0) w.uint32(Math.floor(rnd() * 1000));
  else if (wt === 1) w.double(rnd());
  else if (wt === 2) w.bytes(Uint8Array.from({ length: Math.floor(rnd() * 6) }, () => Math.floor(rnd() * 256)));
  else w.float(rnd());
  return bytesOf(w);
}

function genMessage(type: protobuf.Type, rnd: Rng, depth: number, opts: GenOptions): Buffer {
  const records: Buffer[] = [];
  const known = new Set(type.fieldsArray.map((f) => f.id));
  for (const f of type.fieldsArray) {
    if (rnd() < 0.3) continue; // absent
    if (f.repeated) {
      const packable = PACKABLE.has(f.type) || kindOf(f) === 'enum';
      const n = Math.floor(rnd() * 5);
      if (packable && rnd() < 0.5) {
        // Packed, possibly split into several chunks, possibly empty.
        records.push(packedChunk(f, rnd, n));
        if (rnd() < 0.2) records.push(packedChunk(f, rnd, Math.floor(rnd() * 3)));
        if (rnd() < 0.2) records.push(...[occurrence(f, rnd, depth, opts)].filter((b): b is Buffer => b !== null));
      } else {
        for (let i = 0; i < n; i++) {
          const r = occurrence(f, rnd, depth, opts);
          if (r) records.push(r);
        }
      }
    } else {
      const times = rnd() < 0.15 ? 2 + Math.floor(rnd() * 2) : 1; // a singular field repeated: last one wins
      for (let i = 0; i < times; i++) {
        const r = occurrence(f, rnd, depth, opts);
        if (r) records.push(r);
      }
    }
  }
  if (rnd() < 0.3) for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) records.splice(Math.floor(rnd() * (records.length + 1)), 0, unknownField(rnd, known));
  if (opts.wild && type.fieldsArray.length && rnd() < 0.3) records.splice(Math.floor(rnd() * (records.length + 1)), 0, mismatched(pick(rnd, type.fieldsArray), rnd));
  if (rnd() < 0.5) {
    // Fields out of order.
    for (let i = records.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [records[i], records[j]] = [records[j]!, records[i]!];
    }
  }
  return Buffer.concat(records);
}

// ---------------------------------------------------------------------------------------------
// Comparison

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const hex = (b: Buffer) => b.toString('hex');

/** Today's path against the codec (direct decoding with its fallback): same value or same error. */
function compare(src: Loaded, type: protobuf.Type, buf: Buffer): { direct: boolean } {
  const codec = src.wire.codec(type.fullName);
  const convert = src.convert(type.fullName);
  const before = outcome(() => convert(type.decode(buf)));
  const after = outcome(() => codec.convert(codec.deserialize(buf)));
  const where = `${src.label} ${type.fullName} bytes ${hex(buf)}`;
  if (before.ok && after.ok) {
    expect(after.value, where).toStrictEqual(before.value);
    expect(JSON.stringify(after.value), where).toBe(JSON.stringify(before.value));
  } else {
    expect(after, where).toEqual(before);
    // The error comes out of deserialize (grpc-js: "Response message parsing error"), as before.
    expect(outcome(() => codec.deserialize(buf)), where).toEqual(outcome(() => type.decode(buf)));
  }
  const direct = src.wire.direct(type.fullName);
  const fast = direct ? outcome(() => direct(buf)) : null;
  if (fast?.ok) {
    expect(before.ok, where).toBe(true);
    expect(fast.value, where).toStrictEqual((before as { value: unknown }).value);
  }
  return { direct: fast?.ok === true };
}

function malformedVariants(buf: Buffer, rnd: Rng): Buffer[] {
  const out: Buffer[] = [];
  const cuts = buf.length <= 48 ? Array.from({ length: buf.length }, (_, i) => i) : Array.from({ length: 16 }, () => Math.floor(rnd() * buf.length));
  for (const k of cuts) out.push(buf.subarray(0, k));
  for (let i = 0; i < 4 && buf.length; i++) {
    const b = Buffer.from(buf);
    b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    out.push(b);
  }
  for (const junk of [[0x07], [0x0b, 0x10, 0x01, 0x0c], [0x0c], [0x0e, 0x00], [0x80], [0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00], [0x0a, 0x05, 0x01], [0x09, 0x01, 0x02]]) {
    out.push(Buffer.concat([buf, Buffer.from(junk)]));
  }
  return out;
}

/** Runs the differential checks over every supported type of `src`; returns the supported names. */
function exercise(src: Loaded, seed: number, perType = 120): string[] {
  const supported: string[] = [];
  for (const type of src.types) {
    if (!src.wire.direct(type.fullName)) continue;
    supported.push(type.fullName);
    const rnd = mulberry32(seed ^ type.fullName.length * 7919);
    let directHits = 0;
    for (let i = 0; i < perType; i++) {
      const buf = genMessage(type, rnd, 0, { wild: false });
      if (compare(src, type, buf).direct) directHits++;
      if (i % 4 === 0) compare(src, type, genMessage(type, rnd, 0, { wild: true }));
      if (i % 10 === 0) for (const bad of malformedVariants(buf, rnd)) compare(src, type, bad);
    }
    // Well-formed messages must actually take the direct path.
    expect(directHits, `${src.label} ${type.fullName}`).toBe(perType);
  }
  return supported;
}

// ---------------------------------------------------------------------------------------------

describe('gRPC wire decoding: same values and errors as protobufjs decode + convert', () => {
  it('the orders.proto (demo and benchmark rig): every message type decodes directly', async () => {
    const src = await load('orders', [ORDERS], [], path.dirname(ORDERS));
    const supported = exercise(src, 1);
    expect(supported).toEqual(expect.arrayContaining(['.shop.orders.v1.Order', '.shop.orders.v1.OrderItem', '.shop.orders.v1.BatchGetOrdersResponse']));
    expect(supported.length).toBe(src.types.length);
  });

  it('a BatchGetOrders answer: plain objects, not protobufjs messages', async () => {
    const src = await load('orders', [ORDERS], [], path.dirname(ORDERS));
    const type = src.plan.root.lookupType('.shop.orders.v1.BatchGetOrdersResponse');
    const buf = Buffer.from(
      type
        .encode({
          orders: [
            { id: 7, userId: 3, total: 19.98, status: 2, createdAt: '2024-03-05T12:34:56.000Z', items: [{ productId: 1, quantity: 2, unitPrice: 9.99 }] },
            { id: 8, userId: 3, total: 0, status: 0, createdAt: '', items: [] },
          ],
        })
        .finish(),
    );
    const codec = src.wire.codec(type.fullName);
    const decoded = codec.deserialize(buf);
    expect(decoded).not.toBeInstanceOf(type.ctor);
    expect(codec.convert(decoded)).toBe(decoded);
    expect(JSON.stringify(decoded)).toBe(
      '{"orders":[{"id":7,"userId":3,"total":19.98,"status":"PAID","createdAt":"2024-03-05T12:34:56.000Z","items":[{"productId":1,"quantity":2,"unitPrice":9.99}]},' +
        '{"id":8,"userId":3,"total":0,"status":null,"createdAt":"","items":[]}]}',
    );
  });

  it('test/fixtures/grpc: simple types decode directly, the rest keeps the protobufjs path', async () => {
    const src = await load('kitchen', ['kitchen.proto', 'common.proto'], [FIXTURES], FIXTURES);
    const supported = exercise(src, 2);
    expect(supported).toEqual(expect.arrayContaining(['.common.v1.Money', '.kitchen.v1.Card', '.kitchen.v1.Bank', '.kitchen.v1.GetThingRequest', '.kitchen.v1.WatchRequest']));
    for (const name of ['.kitchen.v1.Thing', '.kitchen.v1.Tick', '.kitchen.v1.EchoRequest']) {
      expect(src.wire.direct(name), name).toBeNull();
      const type = src.plan.root.lookupType(name);
      expect(src.wire.codec(name).deserialize(Buffer.alloc(0))).toBeInstanceOf(type.ctor);
    }
  });

  it('proto3 torture: every scalar kind, optional, scalar oneofs, lists, recursion, unknown enum numbers', async () => {
    const dir = tmpProtos({ 'torture3.proto': TORTURE3 });
    const src = await load('torture3', ['torture3.proto'], [], dir);
    const supported = exercise(src, 3, 200);
    expect(supported.sort()).toEqual(['.torture.v3.Leaf', '.torture.v3.Lists', '.torture.v3.Nothing', '.torture.v3.Req', '.torture.v3.Scalars', '.torture.v3.Tree']);
    // Maps, bytes (also one level down and in a cycle) and oneofs shown as unions keep the old path.
    for (const name of ['WithMap', 'WithBytes', 'HoldsBytes', 'CycleA', 'CycleB', 'UnionHolder']) expect(src.wire.direct(`.torture.v3.${name}`), name).toBeNull();
  });

  it('proto2: explicit defaults (inf, nan, -0, 64-bit, enums) match; required fields and groups keep the old path', async () => {
    const dir = tmpProtos({ 'torture2.proto': TORTURE2 });
    const src = await load('torture2', ['torture2.proto'], [], dir);
    // A group's own type is an ordinary message; only the field that holds it is delimited.
    expect(exercise(src, 4, 200)).toEqual(['.torture.v2.Defaults', '.torture.v2.WithGroup.Grp']);
    expect(src.wire.direct('.torture.v2.WithRequired')).toBeNull();
    expect(src.wire.direct('.torture.v2.WithGroup')).toBeNull();
    const empty = src.wire.direct('.torture.v2.Defaults')!(Buffer.alloc(0));
    expect(empty).toMatchObject({ a: -7, s: 'hé', level: 'HIGH', level2: 'LOW', flag: true, d: Infinity, big: '-12345678901', ubig: '12345678901', packedList: [], child: null });
    expect(Object.is(empty['negZero'], -0)).toBe(true);
    expect(Number.isNaN(empty['f'])).toBe(true);
  });

  it('a singular message field given twice is replaced, not merged (as protobufjs does)', async () => {
    const dir = tmpProtos({ 'torture3.proto': TORTURE3 });
    const src = await load('torture3', ['torture3.proto'], [], dir);
    const type = src.plan.root.lookupType('.torture.v3.Scalars');
    const leafA = bytesOf(protobuf.Writer.create().uint32((22 << 3) | 2).bytes(bytesOf(protobuf.Writer.create().uint32((1 << 3) | 2).string('a'))));
    const leafB = bytesOf(protobuf.Writer.create().uint32((22 << 3) | 2).bytes(bytesOf(protobuf.Writer.create().uint32(2 << 3).int32(2))));
    const buf = Buffer.concat([leafA, leafB]);
    expect(src.wire.direct(type.fullName)!(buf)['leaf']).toEqual({ name: '', n: 2 });
    compare(src, type, buf);
  });

  it('nesting deeper than protobufjs allows fails the same way', async () => {
    const dir = tmpProtos({ 'torture3.proto': TORTURE3 });
    const src = await load('torture3', ['torture3.proto'], [], dir);
    const type = src.plan.root.lookupType('.torture.v3.Tree');
    const chain = (depth: number): Buffer => {
      let body = bytesOf(protobuf.Writer.create().uint32(8).int32(depth));
      for (let i = 0; i < depth; i++) body = bytesOf(protobuf.Writer.create().uint32((3 << 3) | 2).bytes(body));
      return body;
    };
    const limit = protobuf.util.recursionLimit;
    expect(compare(src, type, chain(limit)).direct).toBe(true);
    compare(src, type, chain(limit + 1));
    expect(() => src.wire.codec(type.fullName).deserialize(chain(limit + 1))).toThrow('maximum nesting depth exceeded');
  });

  it('truncated and corrupted bytes raise the protobufjs error from deserialize', async () => {
    const src = await load('orders', [ORDERS], [], path.dirname(ORDERS));
    const type = src.plan.root.lookupType('.shop.orders.v1.Order');
    const buf = Buffer.from(type.encode({ id: 1, createdAt: 'x', items: [{ productId: 2 }] }).finish());
    const codec = src.wire.codec(type.fullName);
    const truncated = buf.subarray(0, buf.length - 1); // inside the nested item
    expect(() => type.decode(truncated)).toThrow(RangeError);
    expect(outcome(() => codec.deserialize(truncated))).toEqual(outcome(() => type.decode(truncated)));
    const badWireType = Buffer.concat([buf, Buffer.from([0x7f])]); // field 15, wire type 7
    expect(() => codec.deserialize(badWireType)).toThrow(/invalid wire type 7/);
  });

  const corpusPresent = existsSync(CORPUS);
  if (!corpusPresent) console.warn(`skipping the corpus part of grpc-wire-decode: ${CORPUS} is absent`);
  describe.skipIf(!corpusPresent)('protos of ../shared/corpus', () => {
    const files = corpusPresent ? protoFiles(CORPUS).filter((f) => !f.startsWith(path.join(CORPUS, 'include') + path.sep)) : [];
    for (const file of files) {
      it(path.relative(CORPUS, file), async () => {
        const src = await load(path.relative(CORPUS, file), [file], CORPUS_ROOTS, CORPUS);
        exercise(src, 5, 60);
      });
    }
  });
});
