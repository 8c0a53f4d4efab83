/** The small GraphQL type model the importer builds, and a deterministic SDL printer for it. */

export interface GqlArg {
  name: string;
  /** Full type reference, e.g. `[Pet!]!`. */
  type: string;
  description?: string;
  deprecated?: string;
}

export interface GqlField extends GqlArg {
  args?: GqlArg[];
}

export type GqlNamedType =
  | { kind: 'object'; name: string; description?: string; fields: GqlField[] }
  | { kind: 'input'; name: string; description?: string; fields: GqlArg[]; oneOf?: boolean }
  | { kind: 'union'; name: string; description?: string; members: string[] }
  | { kind: 'enum'; name: string; description?: string; values: string[] };

// Characters a GraphQL document may not contain: C0 controls other than tab/LF/CR, and lone surrogates.
const BAD_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanDescription(d: unknown): string | undefined {
  if (typeof d !== 'string') return undefined;
  const s = d.replace(/\r\n?/g, '\n').replace(BAD_CHARS, '\uFFFD').trim();
  return s.length ? s : undefined;
}

function printDescription(d: string | undefined, indent: string): string {
  if (!d) return '';
  const body = d.replace(/"""/g, '\\"""');
  if (!body.includes('\n') && !body.endsWith('"') && !body.endsWith('\\') && body.length < 100) {
    return `${indent}"""${body}"""\n`;
  }
  const lines = body.split('\n').map((l) => (l.length ? indent + l : l));
  return `${indent}"""\n${lines.join('\n')}\n${indent}"""\n`;
}

function printDeprecated(reason: string | undefined): string {
  if (reason === undefined) return '';
  if (reason === '') return ' @deprecated';
  return ` @deprecated(reason: ${JSON.stringify(reason.replace(BAD_CHARS, '\uFFFD'))})`;
}

function printArgs(args: GqlArg[] | undefined): string {
  if (!args || args.length === 0) return '';
  const anyDescription = args.some((a) => a.description);
  if (!anyDescription) return `(${args.map((a) => `${a.name}: ${a.type}${printDeprecated(a.deprecated)}`).join(', ')})`;
  const inner = args.map((a) => `${printDescription(a.description, '    ')}    ${a.name}: ${a.type}${printDeprecated(a.deprecated)}`).join('\n');
  return `(\n${inner}\n  )`;
}

function printType(t: GqlNamedType): string {
  const head = printDescription(t.description, '');
  switch (t.kind) {
    case 'object':
      return `${head}type ${t.name} {\n${t.fields
        .map((f) => `${printDescription(f.description, '  ')}  ${f.name}${printArgs(f.args)}: ${f.type}${printDeprecated(f.deprecated)}`)
        .join('\n')}\n}`;
    case 'input':
      return `${head}input ${t.name}${t.oneOf ? ' @oneOf' : ''} {\n${t.fields
        .map((f) => `${printDescription(f.description, '  ')}  ${f.name}: ${f.type}${printDeprecated(f.deprecated)}`)
        .join('\n')}\n}`;
    case 'union':
      return `${head}union ${t.name} = ${t.members.join(' | ')}`;
    case 'enum':
      return `${head}enum ${t.name} {\n${t.values.map((v) => `  ${v}`).join('\n')}\n}`;
  }
}

/** Scalars first (sorted), then Query, Mutation, then every other type sorted by name. */
export function printSdl(scalars: Iterable<string>, roots: { query?: GqlNamedType; mutation?: GqlNamedType }, types: Iterable<GqlNamedType>): string {
  const parts: string[] = [];
  for (const s of [...scalars].sort()) parts.push(`scalar ${s}`);
  if (roots.query) parts.push(printType(roots.query));
  if (roots.mutation) parts.push(printType(roots.mutation));
  const sorted = [...types].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of sorted) parts.push(printType(t));
  return `${parts.join('\n\n')}\n`;
}
