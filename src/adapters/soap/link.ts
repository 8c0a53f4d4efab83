import type { FieldPlan, OperationPlan, SoapPlan } from './plan';

/**
 * The plan linked for the hot path, once per source: fields with their converters, objects with a
 * child-name index. Which elements are lists, numbers, enums or objects is known from the WSDL,
 * never guessed from the payload (a list of one element is still a list).
 */

export const SOAP11_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENV = 'http://www.w3.org/2003/05/soap-envelope';

/** A value in the answer contradicts the WSDL (not a number, unknown enum value, missing element). */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

export interface RField {
  gql: string;
  xml: string;
  ns: string;
  kind: FieldPlan['kind'];
  list: boolean;
  attr: boolean;
  nillable: boolean;
  wrap: { xml: string; ns: string; nillable: boolean } | null;
  xsd: string | undefined;
  /** Text -> GraphQL value (scalars and enums). */
  fromXml: (s: string) => unknown;
  /** GraphQL value -> text. */
  toXml: (v: unknown) => string;
  obj: RObject | null;
}

export interface RObject {
  fields: RField[];
  byLocal: Map<string, RField>;
  listFields: RField[];
  wrapFields: RField[];
  attrs: RField[];
  text: RField | null;
  any: string | null;
}

export interface ROperation {
  plan: OperationPlan;
  args: RField[];
  headers: RField[];
  select: RField | null;
  object: RObject | null;
}

// ------------------------------------------------------------------ scalar conversions

const INT_RE = /^[+-]?\d+$/;
const DEC_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Fast path: 1-10 ASCII digits with an optional '-' (the common case; anything else takes the regex path). */
function isPlainInt(s: string): boolean {
  const len = s.length;
  if (len === 0 || len > 11) return false;
  let k = s.charCodeAt(0) === 45 ? 1 : 0;
  if (k === len) return false;
  for (; k < len; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function fromXmlScalar(type: string): (s: string) => unknown {
  switch (type) {
    case 'Int':
      return (s) => {
        if (isPlainInt(s)) {
          const n = +s;
          if (n <= 2147483647 && n >= -2147483648) return n;
        }
        const t = s.trim();
        const n = +t;
        if (!INT_RE.test(t) || n > 2147483647 || n < -2147483648) throw new ShapeError(`"${t.slice(0, 40)}" is not a 32-bit integer`);
        return n;
      };
    case 'Float':
      return (s) => {
        const t = s.trim();
        const n = +t;
        if (t === '' || !Number.isFinite(n)) throw new ShapeError(`"${t.slice(0, 40)}" is not a finite number`);
        return n;
      };
    case 'Boolean':
      return (s) => {
        const t = s.trim();
        if (t === 'true' || t === '1') return true;
        if (t === 'false' || t === '0') return false;
        throw new ShapeError(`"${t.slice(0, 40)}" is not a boolean`);
      };
    case 'Long':
      return (s) => {
        const t = s.trim();
        if (!INT_RE.test(t) || t.replace(/^[+-]?0*/, '').length > 20) throw new ShapeError(`"${t.slice(0, 40)}" is not an integer`);
        return BigInt(t).toString();
      };
    case 'Decimal':
      return (s) => {
        const t = s.trim();
        if (!DEC_RE.test(t)) throw new ShapeError(`"${t.slice(0, 40)}" is not a decimal`);
        return t;
      };
    case 'Base64':
      return (s) => s.replace(/\s+/g, '');
    case 'Date':
    case 'DateTime':
    case 'Duration':
      return (s) => s.trim();
    default:
      return (s) => s;
  }
}

function toXmlScalar(type: string): (v: unknown) => string {
  switch (type) {
    case 'Boolean':
      return (v) => (v ? 'true' : 'false');
    default:
      return (v) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  }
}

// ------------------------------------------------------------------ linking the plan

/** Turns the JSON plan into linked structures with converters, once per source. */
export function linkPlan(plan: SoapPlan): Map<OperationPlan, ROperation> {
  const objects = new Map<string, RObject>();
  const enumFrom = new Map<string, (s: string) => unknown>();
  const enumTo = new Map<string, (v: unknown) => string>();
  for (const [name, e] of Object.entries(plan.enums)) {
    const from = new Map(e.values);
    const to = new Map(e.values.map(([x, g]) => [g, x]));
    enumFrom.set(name, (s) => {
      const v = from.get(s) ?? from.get(s.trim());
      if (v === undefined) throw new ShapeError(`"${s.slice(0, 40)}" is not a value of enum ${name}`);
      return v;
    });
    enumTo.set(name, (v) => to.get(v as string) ?? String(v));
  }
  const linkObject = (name: string): RObject => {
    let o = objects.get(name);
    if (o) return o;
    const p = plan.objects[name]!;
    o = { fields: [], byLocal: new Map(), listFields: [], wrapFields: [], attrs: [], text: null, any: p.any ?? null };
    objects.set(name, o);
    for (const f of p.fields) {
      const rf = linkField(f);
      o.fields.push(rf);
      if (rf.attr) o.attrs.push(rf);
      else {
        if (!o.byLocal.has(rf.xml)) o.byLocal.set(rf.xml, rf);
        if (rf.list && !rf.wrap) o.listFields.push(rf);
        if (rf.wrap) o.wrapFields.push(rf);
      }
    }
    if (p.text) o.text = linkField(p.text);
    return o;
  };
  const linkField = (f: FieldPlan): RField => ({
    gql: f.gql,
    xml: f.xml,
    ns: f.ns,
    kind: f.kind,
    list: !!f.list,
    attr: !!f.attr,
    nillable: !!f.nillable,
    wrap: f.wrap ?? null,
    xsd: f.xsd,
    fromXml: f.kind === 'e' ? enumFrom.get(f.type)! : fromXmlScalar(f.type),
    toXml: f.kind === 'e' ? enumTo.get(f.type)! : toXmlScalar(f.type),
    obj: f.kind === 'o' ? linkObject(f.type) : null,
  });
  const out = new Map<OperationPlan, ROperation>();
  for (const op of plan.operations) {
    out.set(op, {
      plan: op,
      args: op.input.args.map(linkField),
      headers: (op.input.headers ?? []).map(linkField),
      select: op.output.select ? linkField(op.output.select) : null,
      object: op.output.object ? linkObject(op.output.object) : null,
    });
  }
  return out;
}
