import protobuf from 'protobufjs';

/**
 * How one proto field value maps to GraphQL, shared by the SDL printer (import.ts) and the
 * value converters (convert.ts) so the two can never disagree.
 */
export type Shape =
  | { k: 'scalar'; gql: 'Int' | 'Float' | 'String' | 'Boolean' }
  | { k: 'long' }
  | { k: 'bytes' }
  | { k: 'enum'; type: protobuf.Enum }
  | { k: 'message'; type: protobuf.Type }
  | { k: 'wkt'; wkt: WellKnown }
  | { k: 'wrapper'; inner: Shape };

export type WellKnown = 'Timestamp' | 'Duration' | 'Struct' | 'Value' | 'ListValue' | 'NullValue' | 'Empty' | 'FieldMask' | 'Any';

const SCALARS: Record<string, Shape> = {
  double: { k: 'scalar', gql: 'Float' },
  float: { k: 'scalar', gql: 'Float' },
  int32: { k: 'scalar', gql: 'Int' },
  sint32: { k: 'scalar', gql: 'Int' },
  sfixed32: { k: 'scalar', gql: 'Int' },
  // uint32/fixed32 exceed GraphQL's signed 32-bit Int.
  uint32: { k: 'long' },
  fixed32: { k: 'long' },
  int64: { k: 'long' },
  uint64: { k: 'long' },
  sint64: { k: 'long' },
  fixed64: { k: 'long' },
  sfixed64: { k: 'long' },
  bool: { k: 'scalar', gql: 'Boolean' },
  string: { k: 'scalar', gql: 'String' },
  bytes: { k: 'bytes' },
};

const WRAPPERS: Record<string, string> = {
  DoubleValue: 'double',
  FloatValue: 'float',
  Int64Value: 'int64',
  UInt64Value: 'uint64',
  Int32Value: 'int32',
  UInt32Value: 'uint32',
  BoolValue: 'bool',
  StringValue: 'string',
  BytesValue: 'bytes',
};

const WELL_KNOWN = new Set<string>(['Timestamp', 'Duration', 'Struct', 'Value', 'ListValue', 'NullValue', 'Empty', 'FieldMask', 'Any']);

/** Shape of a (resolved) message or enum type, or null when it is a plain message/enum. */
export function shapeOfType(t: protobuf.Type | protobuf.Enum): Shape {
  const full = t.fullName; // ".google.protobuf.Timestamp"
  if (full.startsWith('.google.protobuf.')) {
    const simple = full.slice('.google.protobuf.'.length);
    const wrapped = WRAPPERS[simple];
    if (wrapped) return { k: 'wrapper', inner: SCALARS[wrapped]! };
    if (WELL_KNOWN.has(simple)) return { k: 'wkt', wkt: simple as WellKnown };
  }
  return t instanceof protobuf.Enum ? { k: 'enum', type: t } : { k: 'message', type: t };
}

/** Shape of a field's value (for maps: of the map's values). */
export function shapeOfField(f: protobuf.Field): Shape {
  const scalar = SCALARS[f.type];
  if (scalar && !f.resolvedType) return scalar;
  const t = f.resolve().resolvedType;
  if (!t) throw new Error(`unresolved type ${f.type} of field ${f.fullName}`);
  return shapeOfType(t as protobuf.Type | protobuf.Enum);
}

/** GraphQL type name of a scalar-like shape (everything except enum/message). */
export function scalarName(s: Shape): string {
  switch (s.k) {
    case 'scalar':
      return s.gql;
    case 'long':
      return 'Long';
    case 'bytes':
      return 'Base64';
    case 'wrapper':
      return scalarName(s.inner);
    case 'wkt':
      switch (s.wkt) {
        case 'Timestamp':
          return 'DateTime';
        case 'Duration':
          return 'Duration';
        case 'Empty':
          return 'Void';
        case 'FieldMask':
          return '[String!]';
        default:
          return 'JSON'; // Struct, Value, ListValue, NullValue, Any
      }
    default:
      throw new Error(`not a scalar shape: ${s.k}`);
  }
}

/** Fields of a message that form a real `oneof` (proto3 `optional` makes synthetic ones). */
export function realOneofs(t: protobuf.Type): protobuf.OneOf[] {
  return t.oneofsArray.filter((o) => !(o.fieldsArray.length === 1 && o.fieldsArray[0]!.options?.['proto3_optional']));
}

/** proto3 JSON name (protoc's ToJsonName): `user_id` -> `userId`, `int_64` -> `int64`. */
export function jsonName(protoName: string): string {
  let out = '';
  let upper = false;
  for (const c of protoName) {
    if (c === '_') upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out || protoName;
}

export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `LoanStatus` -> `LOAN_STATUS`, `HTTPMethod` -> `HTTP_METHOD`. */
export function screamingSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}
