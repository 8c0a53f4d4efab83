import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GatewayError } from '../errors/gateway-error';

/**
 * Scalars shared by every source, so two sources that both need `Long` use one definition.
 * Adapters reference them by name in their SDL (`scalar Long`) and never define their own copy.
 */

function literalToJs(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.ENUM:
      return ast.value;
    case Kind.LIST:
      return ast.values.map((v) => literalToJs(v, variables));
    case Kind.OBJECT: {
      const out: Record<string, unknown> = Object.create(null);
      for (const f of ast.fields) out[f.name.value] = literalToJs(f.value, variables);
      return { ...out };
    }
    case Kind.VARIABLE:
      return variables ? variables[ast.name.value] : undefined;
  }
}

/** Any JSON value (objects, arrays, scalars): for free-form upstream data. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literalToJs,
});

const INT64 = /^-?\d{1,20}$/;
function toInt64String(v: unknown, where: string): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v).toString();
  if (typeof v === 'string' && INT64.test(v)) return BigInt(v).toString();
  if (v && typeof v === 'object' && typeof (v as { toString?: unknown }).toString === 'function') {
    const s = String(v); // protobufjs Long
    if (INT64.test(s)) return s;
  }
  throw new GatewayError('UPSTREAM_BAD_RESPONSE', { message: `Long cannot represent ${where} value ${JSON.stringify(v)}` });
}

/**
 * 64-bit integers (OpenAPI int64/uint64/uint32, proto int64/uint64/fixed64..., xsd:long).
 * Always a decimal string on the wire so no client rounds it through a double.
 */
export const LongScalar = new GraphQLScalarType({
  name: 'Long',
  description: 'A 64-bit integer, as a decimal string (e.g. "9007199254740993"). Inputs accept a string or an Int.',
  serialize: (v) => toInt64String(v, 'output'),
  parseValue: (v) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new TypeError('Long input beyond 2^53 must be sent as a string');
    if (typeof v !== 'string' && typeof v !== 'number') throw new TypeError('Long must be a string of digits or an Int');
    return toInt64String(v, 'input');
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return toInt64String(ast.value, 'input');
    throw new TypeError('Long must be a string of digits or an Int');
  },
});

/** Binary data as standard base64 (proto `bytes`, OpenAPI `format: byte`, xsd:base64Binary). */
export const Base64Scalar = new GraphQLScalarType({
  name: 'Base64',
  description: 'Binary data, base64-encoded.',
  serialize: (v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : String(v)),
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new TypeError('Base64 must be a base64 string');
    return v;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !/^[A-Za-z0-9+/]*={0,2}$/.test(ast.value)) throw new TypeError('Base64 must be a base64 string');
    return ast.value;
  },
});

function isoString(name: string, pattern: RegExp, example: string) {
  const check = (v: unknown) => {
    if (v instanceof Date) return v.toISOString();
    if (typeof v !== 'string' || !pattern.test(v)) throw new TypeError(`${name} must be an ISO-8601 string like ${example}`);
    return v;
  };
  return new GraphQLScalarType({
    name,
    description: `ISO-8601 ${name} as a string, e.g. ${example}.`,
    serialize: (v) => (v instanceof Date ? v.toISOString() : String(v)),
    parseValue: check,
    parseLiteral: (ast) => check(ast.kind === Kind.STRING ? ast.value : undefined),
  });
}

export const DateTimeScalar = isoString('DateTime', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, '2024-01-31T12:00:00Z');
export const DateScalar = isoString('Date', /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/, '2024-01-31');
export const DurationScalar = isoString('Duration', /^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'PT1.5S');

/** Arbitrary-precision decimal as a string (xsd:decimal, OpenAPI `format: decimal`). */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An arbitrary-precision decimal number, as a string (e.g. "12.50").',
  serialize: (v) => String(v),
  parseValue: (v) => {
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new TypeError('Decimal must be a decimal number string');
    return s;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT && ast.kind !== Kind.FLOAT) throw new TypeError('Decimal must be a decimal number string');
    return ast.value;
  },
});

/** Marks an operation with no result body (HTTP 204, gRPC Empty). Always serialises to true. */
export const VoidScalar = new GraphQLScalarType({
  name: 'Void',
  description: 'An operation that returns no data; `true` when it succeeded.',
  serialize: () => true,
  parseValue: () => null,
  parseLiteral: () => null,
});

export const SHARED_SCALARS: readonly GraphQLScalarType[] = [
  JSONScalar,
  LongScalar,
  Base64Scalar,
  DateTimeScalar,
  DateScalar,
  DurationScalar,
  DecimalScalar,
  VoidScalar,
];
