import protobuf from 'protobufjs';
import type { GrpcPlan } from './import';
import { jsonName, realOneofs, shapeOfField, shapeOfType, type Shape } from './shapes';

/**
 * Value converters between decoded protobufjs messages and GraphQL values. Built once per source
 * (createRuntime); a decoded message is walked exactly once into a plain object keyed by GraphQL
 * field names, so no per-field resolvers are needed at request time.
 */
type Conv = (v: any) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

const hasOwn = Object.prototype.hasOwnProperty;
const identity: Conv = (v) => v;
const longOut: Conv = (v) => (typeof v === 'number' ? String(v) : v == null ? null : v.toString());
const bytesOut: Conv = (v) =>
  v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v && v.length ? Buffer.from(v).toString('base64') : '';

export interface Converters {
  /** Decoded message of `typeName` -> GraphQL value. */
  output(typeName: string): Conv;
  /** GraphQL arguments / input object -> plain object protobufjs can encode as `typeName`. */
  input(typeName: string): Conv;
}

export function createConverters(plan: GrpcPlan): Converters {
  const outs = new Map<string, Conv>();
  const ins = new Map<string, Conv>();

  const enumOut = (e: protobuf.Enum): Conv => {
    const map = plan.enums.get(e.fullName)?.out;
    if (!map) return (v: number) => e.valuesById[v] ?? null;
    return (v: number) => map.get(v) ?? null;
  };
  const enumIn = (e: protobuf.Enum): Conv => {
    const map = plan.enums.get(e.fullName)?.in;
    return (v: string) => map?.get(v) ?? e.values[v] ?? 0;
  };

  const shapeOut = (s: Shape): Conv => {
    switch (s.k) {
      case 'scalar':
        return identity;
      case 'long':
        return longOut;
      case 'bytes':
        return bytesOut;
      case 'enum':
        return enumOut(s.type);
      case 'message': {
        if (plan.voidMessages.has(s.type.fullName) || s.type.fieldsArray.length === 0) return () => null;
        const name = s.type.fullName;
        return (v) => output(name)(v);
      }
      case 'wrapper': {
        const inner = shapeOut(s.inner);
        return (v) => (v == null ? null : inner(v.value));
      }
      case 'wkt':
        return wktOut[s.wkt];
    }
  };
  const shapeIn = (s: Shape): Conv => {
    switch (s.k) {
      case 'scalar':
      case 'long':
      case 'bytes':
        return identity; // Long arrives as a decimal string, Base64 as a string: protobufjs encodes both
      case 'enum':
        return enumIn(s.type);
      case 'message': {
        const name = s.type.fullName;
        return (v) => input(name)(v);
      }
      case 'wrapper':
        return (v) => ({ value: v });
      case 'wkt':
        return wktIn[s.wkt];
    }
  };

  function output(typeName: string): Conv {
    const hit = outs.get(typeName);
    if (hit) return hit;
    const t = plan.root.lookup(typeName) as protobuf.Type | protobuf.Enum;
    const top = shapeOfType(t);
    if (top.k !== 'message') {
      const c = shapeOut(top);
      outs.set(typeName, c);
      return c;
    }
    const type = top.type;
    // Placeholder first: recursive types refer back to this converter.
    let impl: Conv = () => null;
    outs.set(typeName, (v) => impl(v));
    const names = plan.fieldNames.get(typeName) ?? new Map<string, string>();
    const specs: OutSpec[] = [];
    const unionSpecs: UnionSpec[] = [];
    const unionOneofs = new Set<string>();
    for (const o of realOneofs(type)) {
      const union = plan.unions.get(`${typeName}#${o.name}`);
      if (!union) continue;
      unionOneofs.add(o.name);
      const members = new Map<string, { conv: Conv; typename: string }>();
      for (const f of o.fieldsArray) {
        const s = shapeOfField(f) as Extract<Shape, { k: 'message' }>;
        members.set(f.name, { conv: shapeOut(s), typename: plan.typeNames.get(s.type.fullName)! });
      }
      unionSpecs.push({ oneof: o.name, dst: jsonName(o.name), members });
    }
    for (const f of type.fieldsArray) {
      if (f.partOf && unionOneofs.has(f.partOf.name)) continue;
      const s = shapeOfField(f);
      const conv = shapeOut(s);
      const dst = names.get(f.name) ?? f.name;
      if (f.map) {
        const keyLong = ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes((f as unknown as protobuf.MapField).keyType);
        specs.push({ src: f.name, dst, conv, kind: 'map', keyLong });
      } else if (f.repeated) specs.push({ src: f.name, dst, conv, kind: 'list' });
      else if (f.partOf) specs.push({ src: f.name, dst, conv, kind: 'oneof' });
      else if (s.k === 'message' || s.k === 'wrapper' || s.k === 'wkt') specs.push({ src: f.name, dst, conv, kind: 'nullable' });
      else specs.push({ src: f.name, dst, conv, kind: 'plain' });
    }
    impl = compileOutput(specs, unionSpecs);
    return outs.get(typeName)!;
  }

  function input(typeName: string): Conv {
    const hit = ins.get(typeName);
    if (hit) return hit;
    const t = plan.root.lookup(typeName) as protobuf.Type;
    const top = shapeOfType(t);
    if (top.k !== 'message') {
      const c = shapeIn(top);
      ins.set(typeName, c);
      return c;
    }
    let impl: Conv = () => ({});
    ins.set(typeName, (v) => impl(v));
    const names = plan.fieldNames.get(typeName) ?? new Map<string, string>();
    const specs = t.fieldsArray.map((f) => {
      const s = shapeOfField(f);
      return { src: names.get(f.name) ?? f.name, dst: f.name, conv: shapeIn(s), repeated: f.repeated && !f.map, map: f.map, plain: s.k === 'scalar' || s.k === 'long' || s.k === 'bytes' };
    });
    impl = (args) => {
      const o: Record<string, unknown> = {};
      if (args == null) return o;
      for (const s of specs) {
        const v = args[s.src];
        if (v == null) continue;
        if (s.map) {
          const m: Record<string, unknown> = {};
          for (const k of Object.keys(v)) m[k] = s.conv(v[k]);
          o[s.dst] = m;
        } else if (s.repeated) o[s.dst] = s.plain ? v : (v as unknown[]).map(s.conv);
        else o[s.dst] = s.plain ? v : s.conv(v);
      }
      return o;
    };
    return ins.get(typeName)!;
  }

  // --- well-known types ---
  const anyOut: Conv = (v) => {
    if (v == null) return null;
    const url: string = v.type_url ?? '';
    const inner = url ? plan.root.lookup(url.slice(url.lastIndexOf('/') + 1)) : null;
    if (inner instanceof protobuf.Type) {
      try {
        const decoded = output(inner.fullName)(inner.decode(v.value));
        return { '@type': url, ...(decoded && typeof decoded === 'object' ? decoded : { value: decoded }) };
      } catch {
        /* fall through to the opaque form */
      }
    }
    return { '@type': url, value: bytesOut(v.value ?? new Uint8Array()) };
  };
  const valueOut = (v: any): unknown => {
    if (v == null) return null;
    switch (v.kind as string | undefined) {
      case 'numberValue':
        return v.numberValue;
      case 'stringValue':
        return v.stringValue;
      case 'boolValue':
        return v.boolValue;
      case 'structValue':
        return structOut(v.structValue);
      case 'listValue':
        return listOut(v.listValue);
      default:
        return null;
    }
  };
  const structOut = (v: any): unknown => {
    if (v == null) return null;
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v.fields ?? {})) o[k] = valueOut(v.fields[k]);
    return o;
  };
  const listOut = (v: any): unknown => (v == null ? null : (v.values ?? []).map(valueOut));
  const valueIn = (v: unknown): unknown => {
    if (v === null || v === undefined) return { nullValue: 0 };
    if (typeof v === 'number') return { numberValue: v };
    if (typeof v === 'string') return { stringValue: v };
    if (typeof v === 'boolean') return { boolValue: v };
    if (Array.isArray(v)) return { listValue: { values: v.map(valueIn) } };
    return { structValue: structIn(v) };
  };
  const structIn = (v: any): unknown => {
    const fields: Record<string, unknown> = {};
    for (const k of Object.keys(v ?? {})) fields[k] = valueIn(v[k]);
    return { fields };
  };
  const wktOut: Record<string, Conv> = {
    Timestamp: (v) => (v == null ? null : formatTimestamp(Number(v.seconds), v.nanos ?? 0)),
    Duration: (v) => (v == null ? null : formatDuration(Number(v.seconds), v.nanos ?? 0)),
    Struct: structOut,
    Value: valueOut,
    ListValue: listOut,
    NullValue: () => null,
    Empty: () => null,
    FieldMask: (v) => (v == null ? null : [...(v.paths ?? [])]),
    Any: anyOut,
  };
  const wktIn: Record<string, Conv> = {
    Timestamp: (v: string) => parseTimestamp(v),
    Duration: (v: string) => parseDuration(v),
    Struct: structIn,
    Value: valueIn,
    ListValue: (v: unknown[]) => ({ values: (v ?? []).map(valueIn) }),
    NullValue: () => 0,
    Empty: () => ({}),
    FieldMask: (v: string[] | string) => ({ paths: typeof v === 'string' ? v.split(',').filter(Boolean) : v }),
    Any: (v: Record<string, unknown>) => {
      const url = String(v['@type'] ?? '');
      if (typeof v['value'] === 'string') return { type_url: url, value: v['value'] };
      const inner = plan.root.lookup(url.slice(url.lastIndexOf('/') + 1));
      if (!(inner instanceof protobuf.Type)) throw new TypeError(`Any: unknown @type ${url}`);
      const { '@type': _ignored, ...rest } = v;
      return { type_url: url, value: inner.encode(input(inner.fullName)(rest) as Record<string, unknown>).finish() };
    },
  };

  return { output, input };
}

interface OutSpec { src: string; dst: string; conv: Conv; kind: 'plain' | 'nullable' | 'oneof' | 'list' | 'map'; keyLong?: boolean }
interface UnionSpec { oneof: string; dst: string; members: Map<string, { conv: Conv; typename: string }> }

function mapList(v: unknown[], conv: Conv): unknown[] {
  const out = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = conv(v[i]);
  return out;
}

function mapObject(v: Record<string, unknown>, conv: Conv, keyLong: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[keyLong && k.length === 8 ? protobuf.util.longFromHash(k).toString() : k] = conv(v[k]);
  return out;
}

function pickUnion(m: any, u: UnionSpec): unknown {
  const which = m[u.oneof] as string | undefined;
  const member = which ? u.members.get(which) : undefined;
  if (!member) return null;
  const value = member.conv(m[which!]) as Record<string, unknown> | null;
  if (value) value.__typename = member.typename;
  return value;
}

/**
 * One generated function per message type: a single object literal (one hidden class, no
 * per-key transitions), plain fields copied without a call. Inputs are our own plan (field names
 * are proto/GraphQL identifiers, quoted with JSON.stringify), never request data.
 */
function compileOutput(specs: OutSpec[], unions: UnionSpec[]): Conv {
  const convs: Conv[] = [];
  const ref = (c: Conv) => `c[${convs.push(c) - 1}]`;
  const parts = specs.map((s) => {
    const src = `m[${JSON.stringify(s.src)}]`;
    let expr: string;
    switch (s.kind) {
      case 'plain':
        expr = s.conv === identity ? src : `${ref(s.conv)}(${src})`;
        break;
      case 'nullable':
        expr = `${src} == null ? null : ${ref(s.conv)}(${src})`;
        break;
      case 'oneof':
        expr = `hasOwn.call(m, ${JSON.stringify(s.src)}) && ${src} != null ? ${ref(s.conv)}(${src}) : null`;
        break;
      case 'list':
        expr = s.conv === identity ? src : `mapList(${src}, ${ref(s.conv)})`;
        break;
      case 'map':
        expr = `mapObject(${src}, ${ref(s.conv)}, ${s.keyLong ? 'true' : 'false'})`;
        break;
    }
    return `${JSON.stringify(s.dst)}: ${expr}`;
  });
  unions.forEach((u, i) => parts.push(`${JSON.stringify(u.dst)}: pickUnion(m, u[${i}])`));
  const body = `return function convert(m) { if (m == null) return null; return { ${parts.join(', ')} }; };`;
  return new Function('c', 'u', 'hasOwn', 'mapList', 'mapObject', 'pickUnion', body)(convs, unions, hasOwn, mapList, mapObject, pickUnion) as Conv;
}

/** Timestamps use 3, 6 or 9 digits like proto3 JSON; durations the shortest form (`PT1.5S`). */
function fraction(nanos: number, shortest = false): string {
  if (!nanos) return '';
  const s = String(Math.abs(nanos)).padStart(9, '0');
  if (shortest) return '.' + s.replace(/0+$/, '');
  return '.' + (s.endsWith('000000') ? s.slice(0, 3) : s.endsWith('000') ? s.slice(0, 6) : s);
}

export function formatTimestamp(seconds: number, nanos: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + fraction(nanos) + 'Z';
}

export function parseTimestamp(iso: string): { seconds: number; nanos: number } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  const ms = m ? Date.parse(`${m[1]}${m[3] ?? 'Z'}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new TypeError(`not an ISO-8601 timestamp: ${iso}`);
  return { seconds: Math.floor(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

/** Proto Duration -> ISO-8601 seconds form: `PT1.5S`, `-PT0.25S`, `PT3600S`. */
export function formatDuration(seconds: number, nanos: number): string {
  const negative = seconds < 0 || nanos < 0;
  return `${negative ? '-' : ''}PT${Math.abs(seconds)}${fraction(nanos, true)}S`;
}

export function parseDuration(iso: string): { seconds: number; nanos: number } {
  const m = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,9}))?S)?)?$/.exec(iso);
  if (!m || iso.endsWith('P') || iso.endsWith('T')) throw new TypeError(`not an ISO-8601 duration (PnDTnHnMn.nS): ${iso}`);
  const n = (i: number) => Number(m[i] ?? 0);
  const seconds = n(2) * 604_800 + n(3) * 86_400 + n(4) * 3600 + n(5) * 60 + n(6);
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return m[1] ? { seconds: -seconds, nanos: -nanos } : { seconds, nanos };
}
