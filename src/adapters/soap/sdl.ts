import type { FieldPlan, OperationPlan, SoapPlan } from './plan';
import { NameRegistry } from './names';

/**
 * Prints the source's SDL from the plan. Only types reachable from an operation are printed,
 * in a deterministic order (operations in WSDL order, then types in discovery order).
 * Output lists are `[T!]!` inside objects (an absent element is an empty list); root fields are
 * always nullable so a failed call nulls that field only. Input objects are `<Type>Input`; their
 * complex-typed fields are nullable (XSD recursion must not make an unsatisfiable input cycle).
 */
export function printSoapSdl(plan: SoapPlan): string {
  const outObjects = new Set<string>();
  const inObjects = new Set<string>();
  const enums = new Set<string>();
  const scalars = new Set<string>();
  const visitOut = (f: FieldPlan) => {
    if (f.kind === 's' || f.kind === 'j') scalars.add(f.type);
    else if (f.kind === 'e') enums.add(f.type);
    else if (!outObjects.has(f.type)) {
      outObjects.add(f.type);
      const o = plan.objects[f.type]!;
      o.fields.forEach(visitOut);
      if (o.text) visitOut(o.text);
      if (o.any) scalars.add('JSON');
    }
  };
  const visitIn = (f: FieldPlan) => {
    if (f.kind === 's' || f.kind === 'j') scalars.add(f.type);
    else if (f.kind === 'e') enums.add(f.type);
    else if (!inObjects.has(f.type)) {
      inObjects.add(f.type);
      const o = plan.objects[f.type]!;
      o.fields.forEach(visitIn);
      if (o.text) visitIn(o.text);
      if (o.any) scalars.add('JSON');
    }
  };
  for (const op of plan.operations) {
    op.input.args.forEach(visitIn);
    op.input.headers?.forEach(visitIn);
    if (op.output.void) scalars.add('Void');
    else if (op.output.select) visitOut(op.output.select);
    else if (op.output.object) visitOut({ gql: '', xml: '', ns: '', kind: 'o', type: op.output.object, nullable: true });
  }
  // Input type names: allocated after every output name exists, in a fixed order.
  const names = new NameRegistry([...Object.keys(plan.objects), ...Object.keys(plan.enums), 'Query', 'Mutation', 'String', 'Int', 'Float', 'Boolean', 'ID', 'JSON', 'Long', 'Base64', 'DateTime', 'Date', 'Duration', 'Decimal', 'Void']);
  plan.inputNames = {};
  for (const name of Object.keys(plan.objects)) if (inObjects.has(name)) plan.inputNames[name] = names.take(`${name}Input`);

  const out: string[] = [];
  const rootOf = (root: OperationPlan['root']) => plan.operations.filter((o) => o.root === root);
  for (const root of ['Query', 'Mutation'] as const) {
    const ops = rootOf(root);
    if (ops.length === 0) continue;
    out.push(`type ${root} {`);
    for (const op of ops) {
      out.push(`  """SOAP operation \`${op.name}\` (portType ${op.portType}, SOAP ${op.soapVersion}, ${op.style}${op.encoded ? '/encoded' : '/literal'})"""`);
      const all = [...op.input.args, ...(op.input.headers ?? [])];
      const args = all.length ? `(${all.map((a) => `${a.gql}: ${inputType(a, plan, true)}`).join(', ')})` : '';
      let result: string;
      if (op.output.void) result = 'Void';
      else if (op.output.select) result = outputType(op.output.select).replace(/!$/, '');
      else result = op.output.object!;
      out.push(`  ${op.field}${args}: ${result}`);
    }
    out.push('}', '');
  }
  for (const [name, o] of Object.entries(plan.objects)) {
    if (!outObjects.has(name)) continue;
    out.push(`"""XSD ${escapeDesc(o.source)}"""`, `type ${name} {`);
    for (const f of o.fields) out.push(`  ${f.gql}: ${outputType(f)}`);
    if (o.text) out.push(`  ${o.text.gql}: ${outputType(o.text)}`);
    if (o.any) out.push(`  ${o.any}: JSON`);
    out.push('}', '');
  }
  for (const [name, o] of Object.entries(plan.objects)) {
    if (!inObjects.has(name)) continue;
    out.push(`"""XSD ${escapeDesc(o.source)}"""`, `input ${plan.inputNames[name]} {`);
    for (const f of o.fields) out.push(`  ${f.gql}: ${inputType(f, plan, false)}`);
    if (o.text) out.push(`  ${o.text.gql}: ${inputType(o.text, plan, false)}`);
    if (o.any) out.push(`  ${o.any}: JSON`);
    out.push('}', '');
  }
  for (const [name, e] of Object.entries(plan.enums)) {
    if (!enums.has(name)) continue;
    out.push(`"""XSD ${escapeDesc(e.source)}"""`, `enum ${name} {`);
    for (const [, v] of e.values) out.push(`  ${v}`);
    out.push('}', '');
  }
  for (const s of ['Long', 'Decimal', 'Date', 'DateTime', 'Duration', 'Base64', 'JSON', 'Void']) if (scalars.has(s)) out.push(`scalar ${s}`);
  return out.join('\n').trimEnd() + '\n';
}

function escapeDesc(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"""/g, "\\\"\"\"");
}

function baseType(f: FieldPlan): string {
  return f.kind === 'j' ? 'JSON' : f.type;
}

export function outputType(f: FieldPlan): string {
  const base = baseType(f);
  if (f.list) {
    const itemNullable = f.wrap ? f.wrap.nillable : !!f.nillable;
    return `[${base}${itemNullable ? '' : '!'}]!`;
  }
  return f.nullable ? base : `${base}!`;
}

function inputType(f: FieldPlan, plan: SoapPlan, topLevel: boolean): string {
  const base = f.kind === 'o' ? plan.inputNames[f.type]! : baseType(f);
  if (f.list) {
    const itemNullable = f.wrap ? f.wrap.nillable : !!f.nillable;
    return `[${base}${itemNullable ? '' : '!'}]${f.nullable || (f.kind === 'o' && !topLevel) ? '' : '!'}`;
  }
  if (f.kind === 'o' && !topLevel) return base;
  return f.nullable ? base : `${base}!`;
}
