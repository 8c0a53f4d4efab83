import protobuf from 'protobufjs';
import type { GrpcPlan } from './import';
import type { Converters } from './convert';
import { realOneofs, shapeOfField } from './shapes';

/**
 * Direct decoding of response bytes into GraphQL-shaped objects: one generated function per
 * message type reads the wire format and builds the same object `convert.ts` would build from a
 * protobufjs message, in one pass and one allocation per message (instead of a protobufjs
 * message plus the converted copy).
 *
 * Only message types whose fields are all "simple" take this path (scalars except bytes, enums,
 * nested simple messages, repeated of these); others (maps, oneofs shown as unions, bytes,
 * wrappers, well-known types, groups, required fields) keep protobufjs decode + convert. The
 * choice is made once per type.
 *
 * Exactness: wherever protobufjs would fail or take one of its lenient paths (a known field with
 * an unexpected wire type, a group, a truncated 64-bit varint at the end of a buffer...) the
 * direct decoder throws, and the caller decodes the same bytes with protobufjs, which then
 * produces its own value or its own error. So the direct path only has to be right on the bytes
 * it accepts, and that is what test/unit/grpc-wire-decode.test.ts checks differentially.
 */

/** Bytes of one message -> its GraphQL value. Throws when protobufjs has to decide (see above). */
export type WireDecoder = (buf: Buffer) => Record<string, unknown>;

/** What a gRPC call needs to turn response bytes into a GraphQL value (client.ts `CallSpec`). */
export interface ResponseCodec {
  /** Bytes -> the GraphQL value, or a protobufjs message when the direct decoder declined. */
  deserialize(buf: Buffer): object;
  /** The result of `deserialize` -> the GraphQL value. */
  convert(msg: object): unknown;
}

export interface WireDecoders {
  /** The direct decoder of a message type, or null when the type keeps protobufjs decode + convert. */
  direct(typeName: string): WireDecoder | null;
  /** Direct decoding with protobufjs as the fallback, for `CallSpec.deserialize` / `convert`. */
  codec(typeName: string): ResponseCodec;
}

type Kind =
  | 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32' | 'bool' | 'enum'
  | 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64'
  | 'float' | 'double' | 'string' | 'message';

const VARINT_32 = new Set<Kind>(['int32', 'uint32', 'sint32', 'bool', 'enum']);
const WIRE_TYPE: Record<Kind, number> = {
  int32: 0, uint32: 0, sint32: 0, bool: 0, enum: 0, int64: 0, uint64: 0, sint64: 0,
  fixed64: 1, sfixed64: 1, double: 1,
  fixed32: 5, sfixed32: 5, float: 5,
  string: 2, message: 2,
};
const LONGS = new Set<string>(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const SIMPLE_SCALARS = new Set<string>(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'bool', 'string', ...LONGS]);

interface FieldPlan {
  id: number;
  dst: string;
  kind: Kind;
  repeated: boolean;
  /** The GraphQL value when the field is absent (a primitive; repeated fields get a fresh []). */
  absent: unknown;
  /** enum: number -> GraphQL value (the converter of convert.ts). */
  enumOut?: (v: number) => unknown;
  /** message: full name of the nested type, and whether it reads as null (a Void message). */
  type?: string;
  isVoid?: boolean;
}

type DecodeFn = (b: Buffer, p: number, e: number, d: number) => Record<string, unknown>;

export function createWireDecoders(plan: GrpcPlan, converters: Converters): WireDecoders {
  const plans = new Map<string, FieldPlan[] | null>();
  const decoders = new Map<string, DecodeFn>();

  /** Fields of one type if each is simple on its own (nested types are checked by `supported`). */
  const localPlan = (type: protobuf.Type): FieldPlan[] | null => {
    if (plans.has(type.fullName)) return plans.get(type.fullName)!;
    const result = buildLocalPlan(type);
    plans.set(type.fullName, result);
    return result;
  };

  const buildLocalPlan = (type: protobuf.Type): FieldPlan[] | null => {
    if (realOneofs(type).some((o) => plan.unions.has(`${type.fullName}#${o.name}`))) return null;
    const names = plan.fieldNames.get(type.fullName) ?? new Map<string, string>();
    const fields: FieldPlan[] = [];
    for (const f of type.fieldsArray) {
      f.resolve();
      if (f.map || f.required || f.delimited) return null;
      const shape = shapeOfField(f);
      let kind: Kind;
      const extra: Partial<FieldPlan> = {};
      if (shape.k === 'scalar' || shape.k === 'long') {
        if (!SIMPLE_SCALARS.has(f.type)) return null;
        // Without the `long` package protobufjs reads 64-bit values as (lossy) numbers: keep its path.
        if (LONGS.has(f.type) && !protobuf.util.Long) return null;
        kind = f.type as Kind;
      } else if (shape.k === 'enum') {
        kind = 'enum';
        extra.enumOut = converters.output(shape.type.fullName) as (v: number) => unknown;
      } else if (shape.k === 'message') {
        kind = 'message';
        extra.type = shape.type.fullName;
        extra.isVoid = plan.voidMessages.has(shape.type.fullName) || shape.type.fieldsArray.length === 0;
      } else return null; // bytes, wrappers, well-known types
      fields.push({ id: f.id, dst: names.get(f.name) ?? f.name, kind, repeated: f.repeated, absent: undefined, ...extra });
    }
    if (new Set(fields.map((f) => f.dst)).size !== fields.length) return null;
    // Absent fields: whatever today's path makes of an empty message (proto2 defaults, first enum
    // value, null for optional and message fields), taken from that path itself.
    let empty: Record<string, unknown>;
    try {
      empty = converters.output(type.fullName)(type.decode(Buffer.alloc(0))) as Record<string, unknown>;
    } catch {
      return null;
    }
    for (const f of fields) {
      if (f.repeated) continue;
      const v = empty[f.dst];
      if (v !== null && typeof v === 'object') return null;
      f.absent = v;
    }
    return fields;
  };

  /** A type is supported when it and every message type it reaches are locally simple. */
  const supported = (typeName: string): boolean => {
    const seen = new Map<string, FieldPlan[] | null>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      const fields = localPlan(plan.root.lookupType(name));
      seen.set(name, fields);
      for (const f of fields ?? []) if (f.type) visit(f.type);
    };
    visit(typeName);
    return [...seen.values()].every((f) => f !== null);
  };

  const decoderOf = (typeName: string): DecodeFn => {
    const hit = decoders.get(typeName);
    if (hit) return hit;
    const nested: DecodeFn[] = [];
    // Placeholder first: recursive types refer back to this decoder.
    let impl: DecodeFn | null = null;
    decoders.set(typeName, (b, p, e, d) => impl!(b, p, e, d));
    const fields = plans.get(typeName)!;
    const code = generate(fields, (name) => nested.push(decoderOf(name)) - 1);
    impl = new Function('D', 'K', 'E', 'H', 'R', code)(nested, fields.map((f) => f.absent), fields.map((f) => f.enumOut), HELPERS, protobuf.Reader) as DecodeFn;
    decoders.set(typeName, impl);
    return impl;
  };

  const direct = (typeName: string): WireDecoder | null => {
    const type = plan.root.lookup(typeName);
    if (!(type instanceof protobuf.Type) || type.fullName.startsWith('.google.protobuf.') || !supported(type.fullName)) return null;
    const decode = decoderOf(type.fullName);
    return (buf) => decode(buf, 0, buf.length, 0);
  };

  const codec = (typeName: string): ResponseCodec => {
    const type = plan.root.lookupType(typeName);
    const convert = converters.output(typeName);
    const fast = direct(typeName);
    if (!fast) return { deserialize: (buf) => type.decode(buf), convert };
    const Message = type.ctor;
    return {
      deserialize(buf) {
        if (Buffer.isBuffer(buf)) {
          try {
            return fast(buf);
          } catch {
            // protobufjs decides: its value, or its error (grpc-js reports it as a parsing error).
          }
        }
        return type.decode(buf);
      },
      convert: (msg) => (msg instanceof Message ? convert(msg) : msg),
    };
  };

  return { direct, codec };
}

// ---------------------------------------------------------------------------------------------
// Code generation. A generated decoder takes (b: Buffer, p: start, e: end, d: nesting depth), keeps
// the read position in the local `p` and each field in a local `f<i>`, and returns one object
// literal with the keys in convert.ts's order (one hidden class per type). Helpers that read more
// than one byte return the value and leave the new position in S.p.
//
// Repeated strings and messages (wire type 2, never packed) are counted ahead when their first
// element arrives (runLength: the run of that tag, usually all of them), so the list is
// allocated once at its size instead of growing from [] by push (a 17-slot store for 1-4 items).

function generate(fields: FieldPlan[], nestedIndex: (typeName: string) => number): string {
  const cases: string[] = [];
  const locals: string[] = [];
  const results: string[] = [];
  fields.forEach((f, i) => {
    const wireType = WIRE_TYPE[f.kind];
    const counted = f.repeated && wireType === 2;
    const store = (expr: string) => (!f.repeated ? `f${i} = ${expr};` : counted ? `f${i}[c${i}++] = ${expr};` : `f${i}.push(${expr});`);
    const allocate = counted ? `if (f${i} === null) f${i} = new Array(runLength(b, p, e, t));\n` : '';
    cases.push(`case ${tag(f.id, wireType)}: {\n${allocate}${readValue(f, i, 'e', store, nestedIndex)}\nbreak;\n}`);
    // Packable repeated scalars accept both encodings, as protobufjs does.
    if (f.repeated && wireType !== 2) {
      cases.push(
        `case ${tag(f.id, 2)}: {\n${readVarint('n', 'e')}\nq = p + n; if (q > e) throw FAIL;\n` +
          `while (p < q) {\n${readValue(f, i, 'q', store, nestedIndex)}\n}\nif (p !== q) throw FAIL;\nbreak;\n}`,
      );
    }
    locals.push(counted ? `let f${i} = null, c${i} = 0;` : `let f${i} = ${f.repeated ? '[]' : literal(f.absent, i)};`);
    results.push(`${JSON.stringify(f.dst)}: ${counted ? `f${i} === null ? [] : f${i}` : `f${i}`}`);
  });
  return [
    `const { ${Object.keys(HELPERS).join(', ')} } = H;`,
    `const known = new Set(${JSON.stringify(fields.map((f) => f.id))});`,
    'return function decode(b, p, e, d) {',
    'if (d > R.recursionLimit) throw FAIL;',
    'let t = 0, v = 0, n = 0, q = 0;',
    ...locals,
    'while (p < e) {',
    't = b[p++]; if (t > 127) { t = varint32(b, p, e, t); p = S.p; }',
    `switch (t) {\n${cases.join('\n')}\ndefault: p = skip(b, p, e, t, known);\n}`,
    '}',
    'if (p !== e) throw FAIL;',
    `return { ${results.join(', ')} };`,
    '};',
  ].join('\n');
}

const tag = (id: number, wireType: number) => ((id << 3) | wireType) >>> 0;

/** A primitive as source text when it survives the round trip, else the K[i] constant. */
function literal(v: unknown, i: number): string {
  const text = JSON.stringify(v);
  return text !== undefined && Object.is(JSON.parse(text), v) ? text : `K[${i}]`;
}

/** Reads an unsigned varint into `target`, bounded by `end`. */
function readVarint(target: string, end: string): string {
  return `if (p >= ${end}) throw FAIL; ${target} = b[p++]; if (${target} > 127) { ${target} = varint32(b, p, ${end}, ${target}); p = S.p; }`;
}

/** GraphQL value of the varint `v` read for a field of this kind (`i`: the field's index, for enums). */
function varintValue(kind: Kind, i: number): string {
  switch (kind) {
    case 'int32':
      return 'v | 0';
    case 'uint32':
      return 'String(v)'; // Long (a decimal string) in GraphQL, as convert.ts longOut prints it
    case 'sint32':
      return '((v >>> 1) ^ -(v & 1)) | 0';
    case 'bool':
      return 'v !== 0';
    default:
      return `E[${i}](v | 0)`; // enum: read as int32, mapped by convert.ts's enum converter
  }
}

/** Reads one value of field `f` (bounded by `end`) and hands the GraphQL value to `store`. */
function readValue(f: FieldPlan, i: number, end: string, store: (expr: string) => string, nestedIndex: (typeName: string) => number): string {
  if (VARINT_32.has(f.kind)) return `${readVarint('v', end)}\n${store(varintValue(f.kind, i))}`;
  switch (f.kind) {
    case 'fixed32':
    case 'sfixed32':
      // fixed32 is a Long (decimal string) in GraphQL, sfixed32 an Int.
      return `if (p + 4 > ${end}) throw FAIL;\n${store(f.kind === 'fixed32' ? 'String(u32(b, p))' : 'u32(b, p) | 0')}\np += 4;`;
    case 'float':
      return `if (p + 4 > ${end}) throw FAIL;\n${store('float32(b, p)')}\np += 4;`;
    case 'double':
      return `if (p + 8 > ${end}) throw FAIL;\n${store('float64(b, p)')}\np += 8;`;
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return `${store(`${f.kind}(b, p, ${end})`)}\np = S.p;`;
    case 'string':
      // protobufjs (BufferReader) clamps a string running past the message end instead of failing.
      return `${readVarint('n', end)}\nq = p + n; if (q > ${end}) q = ${end};\n${store('utf8(b, p, q)')}\np = q;`;
    case 'message': {
      const call = `D[${nestedIndex(f.type!)}](b, p, q, d + 1)`;
      return `${readVarint('n', end)}\nq = p + n; if (q > ${end}) throw FAIL;\n${f.isVoid ? `${call};\n${store('null')}` : store(call)}\np = q;`;
    }
    default:
      throw new Error(`unexpected kind ${f.kind}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime helpers of the generated decoders. Each mirrors the protobufjs Reader method it
// replaces, on the inputs where that method succeeds; elsewhere it throws FAIL.

/** Thrown to hand the bytes to protobufjs; preallocated, as a stack trace is never needed. */
const FAIL = new Error('wire-decode: protobufjs decides');
/** Read position after a multi-byte helper. */
const S = { p: 0 };

/**
 * Reader#uint32 after its first byte `first` (>= 128) at p - 1. Like protobufjs it keeps the low
 * 32 bits and skips the 5 upper bytes of a 10-byte varint (negative int32/enum values) unread.
 */
function varint32(b: Buffer, p: number, e: number, first: number): number {
  let v = first & 127;
  let c: number;
  for (let shift = 7; shift < 28; shift += 7) {
    if (p >= e) throw FAIL;
    c = b[p++]!;
    v |= (c & 127) << shift;
    if (c < 128) {
      S.p = p;
      return v >>> 0;
    }
  }
  if (p >= e) throw FAIL;
  c = b[p++]!;
  v |= (c & 15) << 28;
  if (c >= 128 && (p += 5) > e) throw FAIL;
  S.p = p;
  return v >>> 0;
}

/** Skips an unknown field like Reader#skipType; a known field number with another wire type, groups and invalid wire types go to protobufjs. */
function skip(b: Buffer, p: number, e: number, t: number, known: Set<number>): number {
  if (known.has(t >>> 3)) throw FAIL;
  switch (t & 7) {
    case 0:
      do if (p >= e) throw FAIL;
      while (b[p++]! & 128);
      return p;
    case 1:
      p += 8;
      break;
    case 2: {
      if (p >= e) throw FAIL;
      let n = b[p++]!;
      if (n > 127) {
        n = varint32(b, p, e, n);
        p = S.p;
      }
      p += n;
      break;
    }
    case 5:
      p += 4;
      break;
    default:
      throw FAIL;
  }
  if (p > e) throw FAIL;
  return p;
}

/**
 * How many elements of tag `t` follow back to back from p (at the length of the first one): the
 * size to allocate a repeated string/message list at. Malformed bytes throw FAIL, as decoding
 * them would.
 */
function runLength(b: Buffer, p: number, e: number, t: number): number {
  let count = 0;
  for (;;) {
    if (p >= e) throw FAIL;
    let n = b[p++]!;
    if (n > 127) {
      n = varint32(b, p, e, n);
      p = S.p;
    }
    if ((p += n) > e) throw FAIL;
    count++;
    if (p === e) return count;
    let next = b[p++]!;
    if (next > 127) {
      next = varint32(b, p, e, next);
      p = S.p;
    }
    if (next !== t) return count;
  }
}

// 64-bit values: protobufjs (with `long`) gives Long instances, which convert.ts prints with
// toString(); here the two 32-bit halves become the same decimal string directly.
let lo = 0;
let hi = 0;

/** readLongVarint into lo/hi, including its overflow handling of the 5th and 10th bytes. */
function varint64(b: Buffer, p: number, e: number): void {
  let c: number;
  lo = 0;
  hi = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (p >= e) throw FAIL;
    c = b[p++]!;
    lo = (lo | ((c & 127) << shift)) >>> 0;
    if (c < 128) return void (S.p = p);
  }
  if (p >= e) throw FAIL;
  c = b[p++]!;
  lo = (lo | ((c & 127) << 28)) >>> 0;
  hi = (hi | ((c & 127) >> 4)) >>> 0;
  if (c < 128) return void (S.p = p);
  for (let shift = 3; shift < 38; shift += 7) {
    if (p >= e) throw FAIL;
    c = b[p++]!;
    hi = (hi | ((c & 127) << shift)) >>> 0;
    if (c < 128) return void (S.p = p);
  }
  throw FAIL; // protobufjs: "invalid varint encoding"
}

function fixed64Halves(b: Buffer, p: number, e: number): void {
  if (p + 8 > e) throw FAIL;
  lo = u32(b, p);
  hi = u32(b, p + 4);
  S.p = p + 8;
}

const TWO_32 = 4294967296;
const BIG_32 = BigInt(32);

function unsignedString(l: number, h: number): string {
  if (h < 0x200000) return String(h * TWO_32 + l); // below 2^53: exact as a double
  return ((BigInt(h) << BIG_32) | BigInt(l)).toString();
}

function signedString(l: number, h: number): string {
  if (h < 0x80000000) return unsignedString(l, h);
  // Two's complement negation of the 64-bit value.
  const nl = (~l + 1) >>> 0;
  const nh = (~h + (nl === 0 ? 1 : 0)) >>> 0;
  return '-' + unsignedString(nl, nh);
}

function int64(b: Buffer, p: number, e: number): string {
  varint64(b, p, e);
  return signedString(lo, hi);
}

function uint64(b: Buffer, p: number, e: number): string {
  varint64(b, p, e);
  return unsignedString(lo, hi);
}

function sint64(b: Buffer, p: number, e: number): string {
  varint64(b, p, e);
  const mask = -(lo & 1);
  return signedString((((lo >>> 1) | (hi << 31)) ^ mask) >>> 0, ((hi >>> 1) ^ mask) >>> 0);
}

function fixed64(b: Buffer, p: number, e: number): string {
  fixed64Halves(b, p, e);
  return unsignedString(lo, hi);
}

function sfixed64(b: Buffer, p: number, e: number): string {
  fixed64Halves(b, p, e);
  return signedString(lo, hi);
}

function u32(b: Buffer, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

// Floats through a scratch array, as protobufjs's util.float does (same NaN handling).
const f32 = new Float32Array(1);
const f32Bytes = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function float32(b: Buffer, p: number): number {
  if (littleEndian) {
    f32Bytes[0] = b[p]!;
    f32Bytes[1] = b[p + 1]!;
    f32Bytes[2] = b[p + 2]!;
    f32Bytes[3] = b[p + 3]!;
  } else for (let i = 0; i < 4; i++) f32Bytes[3 - i] = b[p + i]!;
  return f32[0]!;
}

function float64(b: Buffer, p: number): number {
  if (littleEndian) {
    f64Bytes[0] = b[p]!;
    f64Bytes[1] = b[p + 1]!;
    f64Bytes[2] = b[p + 2]!;
    f64Bytes[3] = b[p + 3]!;
    f64Bytes[4] = b[p + 4]!;
    f64Bytes[5] = b[p + 5]!;
    f64Bytes[6] = b[p + 6]!;
    f64Bytes[7] = b[p + 7]!;
  } else for (let i = 0; i < 8; i++) f64Bytes[7 - i] = b[p + i]!;
  return f64[0]!;
}

/**
 * Node's own UTF-8 decoder, the one protobufjs's BufferReader uses (so invalid sequences become
 * the same U+FFFD). `utf8Slice` is what `toString('utf8', ...)` ends in, minus argument checks.
 */
type NodeBuffer = Buffer & { utf8Slice(start: number, end: number): string };
const utf8: (b: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Partial<NodeBuffer>).utf8Slice === 'function'
    ? (b, start, end) => (b as NodeBuffer).utf8Slice(start, end)
    : (b, start, end) => b.toString('utf8', start, end);

const HELPERS = { FAIL, S, varint32, skip, runLength, int64, uint64, sint64, fixed64, sfixed64, u32, float32, float64, utf8 };
