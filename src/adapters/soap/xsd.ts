import { attr, resolveQName, type XmlElement } from './xml';
import type { EnumPlan, FieldPlan, ObjectPlan, SoapPlan, SoapScalar } from './plan';
import { NameRegistry, enumValueName, sanitizeName, typeName } from './names';
import type { ImportWarning } from '../types';

/**
 * The XSD half of the importer: global declarations of every schema (inline, imported, included),
 * and their mapping to GraphQL types (named on first use, recursion-safe).
 */

export const XSD_NS = new Set(['http://www.w3.org/2001/XMLSchema', 'http://www.w3.org/1999/XMLSchema', 'http://www.w3.org/2000/10/XMLSchema']);
export const SOAPENC_NS = new Set(['http://schemas.xmlsoap.org/soap/encoding/', 'http://www.w3.org/2003/05/soap-encoding']);
/** Namespaces we know built in: an import of them is never followed. */
export const BUILTIN_NS = new Set([...XSD_NS, ...SOAPENC_NS, 'http://www.w3.org/XML/1998/namespace', 'http://schemas.xmlsoap.org/wsdl/', 'http://schemas.xmlsoap.org/soap/envelope/']);

const BUILTINS: Record<string, SoapScalar> = Object.assign(Object.create(null) as Record<string, SoapScalar>, {
  string: 'String', normalizedString: 'String', token: 'String', language: 'String', Name: 'String', NCName: 'String',
  ID: 'String', IDREF: 'String', IDREFS: 'String', ENTITY: 'String', ENTITIES: 'String', NMTOKEN: 'String', NMTOKENS: 'String',
  anyURI: 'String', QName: 'String', NOTATION: 'String', time: 'String', gYear: 'String', gYearMonth: 'String', gMonth: 'String',
  gMonthDay: 'String', gDay: 'String', hexBinary: 'String', anySimpleType: 'String', timeInstant: 'DateTime', uriReference: 'String',
  int: 'Int', short: 'Int', byte: 'Int', unsignedShort: 'Int', unsignedByte: 'Int',
  long: 'Long', unsignedLong: 'Long', unsignedInt: 'Long', integer: 'Long', nonNegativeInteger: 'Long', positiveInteger: 'Long',
  negativeInteger: 'Long', nonPositiveInteger: 'Long',
  decimal: 'Decimal', float: 'Float', double: 'Float', boolean: 'Boolean', date: 'Date', dateTime: 'DateTime', duration: 'Duration',
  base64Binary: 'Base64', base64: 'Base64', anyType: 'JSON', Array: 'JSON', Struct: 'JSON',
});

export interface SchemaCtx { tns: string; qualifiedElements: boolean; qualifiedAttributes: boolean; file: string }
export interface Decl { el: XmlElement; schema: SchemaCtx }

export type TypeInfo =
  | { t: 's'; scalar: SoapScalar; xsd?: string }
  | { t: 'e'; name: string }
  | { t: 'o'; name: string }
  | { t: 'j' }
  | ArrayInfo;
interface ArrayInfo {
  t: 'a';
  item: RawParticle | null;
  /** SOAP-encoded arrays: the item type. */
  encodedItem?: TypeInfo;
  ct: XmlElement;
  schema: SchemaCtx;
  nameBase: string;
  obj?: TypeInfo;
}

interface RawParticle {
  name: string;
  ns: string;
  decl: XmlElement;
  declSchema: SchemaCtx;
  min: number;
  max: number;
  nillable: boolean;
}
interface RawAttr { name: string; ns: string; decl: XmlElement; declSchema: SchemaCtx; required: boolean }
export interface Content {
  particles: RawParticle[];
  attrs: RawAttr[];
  simpleBase: { qname: string; scope: XmlElement } | { inline: XmlElement; schema: SchemaCtx } | null;
  hasAny: boolean;
  soapArrayType: { qname: string; scope: XmlElement } | null;
}

export const isXsd = (el: XmlElement, local: string) => el.local === local && XSD_NS.has(el.ns);

function occurs(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (v === 'unbounded') return Infinity;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : dflt;
}

export interface SchemaRef { kind: 'include' | 'import'; location: string; from: string; tns: string | null }

export class XsdModel {
  readonly elements = new Map<string, Decl>();
  readonly complexTypes = new Map<string, Decl>();
  readonly simpleTypes = new Map<string, Decl>();
  private readonly groups = new Map<string, Decl>();
  private readonly attributeGroups = new Map<string, Decl>();
  private readonly attributes = new Map<string, Decl>();
  private readonly schemasSeen = new Set<XmlElement>();
  private readonly memo = new Map<XmlElement, TypeInfo>();

  constructor(private readonly plan: SoapPlan, private readonly warnings: ImportWarning[], readonly typeNames: NameRegistry) {}

  /** Registers a schema's global declarations; returns the imports/includes it asks for. */
  addSchema(s: XmlElement, file: string, chameleonTns: string | null): SchemaRef[] {
    const refs: SchemaRef[] = [];
    if (this.schemasSeen.has(s)) return refs;
    this.schemasSeen.add(s);
    const tns = attr(s, 'targetNamespace') ?? chameleonTns ?? '';
    const ctx: SchemaCtx = { tns, qualifiedElements: attr(s, 'elementFormDefault') === 'qualified', qualifiedAttributes: attr(s, 'attributeFormDefault') === 'qualified', file };
    for (const c of s.children) {
      if (!XSD_NS.has(c.ns)) continue;
      const name = attr(c, 'name');
      const key = `${tns}|${name}`;
      switch (c.local) {
        case 'element': if (name) this.elements.set(key, { el: c, schema: ctx }); break;
        case 'complexType': if (name) this.complexTypes.set(key, { el: c, schema: ctx }); break;
        case 'simpleType': if (name) this.simpleTypes.set(key, { el: c, schema: ctx }); break;
        case 'group': if (name) this.groups.set(key, { el: c, schema: ctx }); break;
        case 'attributeGroup': if (name) this.attributeGroups.set(key, { el: c, schema: ctx }); break;
        case 'attribute': if (name) this.attributes.set(key, { el: c, schema: ctx }); break;
        case 'import': {
          const loc = attr(c, 'schemaLocation');
          const ns = attr(c, 'namespace') ?? '';
          if (loc && !BUILTIN_NS.has(ns)) refs.push({ kind: 'import', location: loc, from: file, tns: null });
          break;
        }
        case 'include':
        case 'redefine': {
          const loc = attr(c, 'schemaLocation');
          if (loc) refs.push({ kind: 'include', location: loc, from: file, tns });
          break;
        }
        default: break;
      }
    }
    return refs;
  }


  /** The content model of a global element's complex type, or null when it is simple/any. */
  elementContent(el: XmlElement, schema: SchemaCtx): Content | null {
    const tq = attr(el, 'type');
    if (tq) {
      const q = resolveQName(tq, el.scope);
      const ct = XSD_NS.has(q.ns) ? undefined : this.complexTypes.get(`${q.ns}|${q.local}`);
      return ct ? this.collect(ct.el, ct.schema) : null;
    }
    const inline = el.children.find((c) => isXsd(c, 'complexType'));
    return inline ? this.collect(inline, schema) : null;
  }

  elementType(el: XmlElement, schema: SchemaCtx, hint: string): TypeInfo {
    const tq = attr(el, 'type');
    if (tq) return this.resolveType(tq, el, hint);
    for (const c of el.children) {
      if (isXsd(c, 'complexType')) return this.complexInfo(c, schema, hint);
      if (isXsd(c, 'simpleType')) return this.simpleInfo(c, schema, hint);
    }
    return { t: 'j' };
  }

  elementField(decl: XmlElement, schema: SchemaCtx, ns: string, local: string, min: number, max: number, names: NameRegistry, ownerHint: string): FieldPlan {
    const info = this.elementType(decl, schema, ownerHint + typeName(local));
    return this.toField(info, local, ns, names, min, max, attr(decl, 'nillable') === 'true');
  }

  toField(info: TypeInfo, xml: string, ns: string, names: NameRegistry, min: number, max: number, nillable: boolean): FieldPlan {
    const fp: FieldPlan = { gql: names.take(sanitizeName(xml)), xml, ns, kind: 'j', type: 'JSON', nullable: min === 0 || nillable };
    if (nillable) fp.nillable = true;
    const list = max > 1;
    if (list) fp.list = true;
    let ti = info;
    if (ti.t === 'a') {
      const item = this.arrayItem(ti);
      if (!list && item && item.info.t !== 'a') {
        fp.list = true;
        fp.wrap = { xml: item.xml, ns: item.ns, nillable: item.nillable };
        ti = item.info;
      } else {
        ti = this.arrayAsObject(ti);
      }
    }
    switch (ti.t) {
      case 's': fp.kind = ti.scalar === 'JSON' ? 'j' : 's'; fp.type = ti.scalar; if (ti.xsd) fp.xsd = ti.xsd; break;
      case 'e': fp.kind = 'e'; fp.type = ti.name; break;
      case 'o': fp.kind = 'o'; fp.type = ti.name; break;
      default: break;
    }
    return fp;
  }

  private arrayItem(a: ArrayInfo): { xml: string; ns: string; nillable: boolean; info: TypeInfo } | null {
    if (a.encodedItem) return { xml: '*', ns: '', nillable: true, info: a.encodedItem };
    const p = a.item;
    if (!p) return null;
    return { xml: p.name, ns: p.ns, nillable: p.nillable, info: this.elementType(p.decl, p.declSchema, a.nameBase + typeName(p.name)) };
  }

  private arrayAsObject(a: ArrayInfo): TypeInfo {
    if (!a.obj) {
      const content = this.collect(a.ct, a.schema);
      a.obj = { t: 'o', name: this.objectFromContent(content, a.nameBase, a.nameBase) };
    }
    return a.obj;
  }

  fieldsOf(content: Content, names: NameRegistry, ownerHint: string): FieldPlan[] {
    const fields: FieldPlan[] = [];
    for (const p of content.particles) fields.push(this.elementField(p.decl, p.declSchema, p.ns, p.name, p.min, p.max, names, ownerHint));
    for (const a of content.attrs) {
      const tq = attr(a.decl, 'type');
      const inline = a.decl.children.find((c) => isXsd(c, 'simpleType'));
      const info = tq ? this.resolveType(tq, a.decl, ownerHint + typeName(a.name)) : inline ? this.simpleInfo(inline, a.declSchema, ownerHint + typeName(a.name)) : ({ t: 's', scalar: 'String' } as TypeInfo);
      const f = this.toField(info.t === 'o' || info.t === 'a' ? { t: 's', scalar: 'String' } : info, a.name, a.ns, names, a.required ? 1 : 0, 1, false);
      f.attr = true;
      fields.push(f);
    }
    return fields;
  }

  objectFromContent(content: Content, nameBase: string, source: string): string {
    const name = this.typeNames.take(nameBase);
    this.fillObject(name, content, source);
    return name;
  }

  private fillObject(name: string, content: Content, source: string): void {
    const obj: ObjectPlan = { fields: [], source };
    this.plan.objects[name] = obj;
    const names = new NameRegistry();
    obj.fields = this.fieldsOf(content, names, name);
    if (content.simpleBase) {
      const sb = content.simpleBase;
      const ti = 'qname' in sb ? this.resolveType(sb.qname, sb.scope, name + 'Value') : this.simpleInfo(sb.inline, sb.schema, name + 'Value');
      obj.text = this.toField(ti.t === 'o' || ti.t === 'a' ? { t: 's', scalar: 'String' } : ti, names.has('value') ? '_value' : 'value', '', names, 0, 1, false);
      obj.text.xml = '#text';
    }
    if (content.hasAny) obj.any = names.take('any');
  }

  private builtin(local: string): TypeInfo | null {
    const s = BUILTINS[local];
    return s ? { t: 's', scalar: s, xsd: local } : null;
  }

  resolveType(qname: string, scopeEl: XmlElement, hint: string): TypeInfo {
    const q = resolveQName(qname, scopeEl.scope);
    if (XSD_NS.has(q.ns)) return this.builtin(q.local) ?? (this.warnings.push({ location: qname, message: `unknown XSD builtin ${q.local}; mapped to String` }), { t: 's', scalar: 'String' });
    const key = `${q.ns}|${q.local}`;
    const ct = this.complexTypes.get(key);
    if (ct) return this.complexInfo(ct.el, ct.schema, typeName(q.local));
    const st = this.simpleTypes.get(key);
    if (st) return this.simpleInfo(st.el, st.schema, typeName(q.local));
    const b = this.builtin(q.local);
    if (b && (SOAPENC_NS.has(q.ns) || q.ns === '' || !q.prefixBound)) return b;
    if (b) {
      this.warnings.push({ location: qname, message: `type ${q.local} not found in namespace ${q.ns}; read as the XSD builtin` });
      return b;
    }
    this.warnings.push({ location: `${hint}`, message: `type ${qname} (${q.ns}) is not defined in any schema; mapped to JSON` });
    return { t: 'j' };
  }

  private complexInfo(ct: XmlElement, schema: SchemaCtx, nameBase: string): TypeInfo {
    const memo = this.memo.get(ct);
    if (memo) return memo;
    const content = this.collect(ct, schema);
    let info: TypeInfo;
    if (content.soapArrayType) {
      const raw = content.soapArrayType.qname.replace(/\[[\d,\s]*\]$/, '');
      const a: ArrayInfo = { t: 'a', item: null, ct, schema, nameBase };
      this.memo.set(ct, a);
      a.encodedItem = this.resolveType(raw, content.soapArrayType.scope, nameBase + 'Item');
      return a;
    }
    const onlyElements = content.attrs.length === 0 && !content.simpleBase && !content.hasAny;
    if (content.particles.length === 0 && content.attrs.length === 0 && !content.simpleBase) {
      info = { t: 'j' };
    } else if (onlyElements && content.particles.length === 1 && content.particles[0]!.max > 1) {
      info = { t: 'a', item: content.particles[0]!, ct, schema, nameBase };
    } else if (content.simpleBase && content.particles.length === 0 && content.attrs.length === 0 && !content.hasAny) {
      const sb = content.simpleBase;
      info = 'qname' in sb ? this.resolveType(sb.qname, sb.scope, nameBase) : this.simpleInfo(sb.inline, sb.schema, nameBase);
    } else {
      // Reserve the name before building fields: the type may refer to itself.
      const name = this.typeNames.take(nameBase);
      info = { t: 'o', name };
      this.memo.set(ct, info);
      this.fillObject(name, content, `{${schema.tns}}${attr(ct, 'name') ?? nameBase}`);
      return info;
    }
    this.memo.set(ct, info);
    return info;
  }

  private simpleInfo(st: XmlElement, schema: SchemaCtx, nameBase: string): TypeInfo {
    const memo = this.memo.get(st);
    if (memo) return memo;
    let info: TypeInfo = { t: 's', scalar: 'String' };
    this.memo.set(st, info); // guards against (invalid) self-restriction
    const r = st.children.find((c) => isXsd(c, 'restriction'));
    if (r) {
      const b = attr(r, 'base');
      const inline = r.children.find((c) => isXsd(c, 'simpleType'));
      const base: TypeInfo = b ? this.resolveType(b, r, nameBase) : inline ? this.simpleInfo(inline, schema, nameBase) : { t: 's', scalar: 'String' };
      const enums = r.children.filter((c) => isXsd(c, 'enumeration')).map((c) => attr(c, 'value') ?? '');
      if (enums.length > 0 && base.t === 's' && base.scalar === 'String') {
        const name = this.typeNames.take(nameBase);
        const vn = new NameRegistry();
        const seen = new Set<string>();
        const values: EnumPlan['values'] = [];
        for (const v of enums) {
          if (seen.has(v)) continue;
          seen.add(v);
          values.push([v, vn.take(enumValueName(v))]);
        }
        this.plan.enums[name] = { values, source: `{${schema.tns}}${attr(st, 'name') ?? nameBase}` };
        info = { t: 'e', name };
      } else if (base.t === 's' || base.t === 'e') {
        info = base;
      }
    }
    this.memo.set(st, info);
    return info;
  }

  /** Flattens a complexType's content: particles (with effective occurrence), attributes, simple content, xs:any. */
  private collect(ct: XmlElement, schema: SchemaCtx, visited = new Set<XmlElement>()): Content {
    const out: Content = { particles: [], attrs: [], simpleBase: null, hasAny: false, soapArrayType: null };
    this.collectInto(ct, schema, out, visited);
    // The same element name twice in one content model becomes one repeated field.
    const byName = new Map<string, RawParticle>();
    const merged: RawParticle[] = [];
    for (const p of out.particles) {
      const prev = byName.get(`${p.ns}|${p.name}`);
      if (prev) {
        prev.max = Infinity;
        prev.min = 0;
      } else {
        byName.set(`${p.ns}|${p.name}`, p);
        merged.push(p);
      }
    }
    out.particles = merged;
    return out;
  }

  private collectInto(ct: XmlElement, schema: SchemaCtx, out: Content, visited: Set<XmlElement>): void {
    if (visited.has(ct)) return;
    visited.add(ct);
    for (const c of ct.children) {
      if (!XSD_NS.has(c.ns)) continue;
      switch (c.local) {
        case 'sequence': case 'all': case 'choice':
          this.walkGroup(c, schema, out, 1, 1, false, visited);
          break;
        case 'group':
          this.walkGroupRef(c, out, 1, 1, false, visited);
          break;
        case 'attribute': this.addAttr(c, schema, out); break;
        case 'attributeGroup': this.addAttrGroup(c, out, visited); break;
        case 'any': out.hasAny = true; break;
        case 'simpleContent':
        case 'complexContent': {
          const d = c.children.find((x) => isXsd(x, 'extension') || isXsd(x, 'restriction'));
          if (!d) break;
          const b = attr(d, 'base');
          const bq = b ? resolveQName(b, d.scope) : null;
          if (c.local === 'complexContent' && d.local === 'restriction' && bq && SOAPENC_NS.has(bq.ns) && bq.local === 'Array') {
            for (const a of d.children.filter((x) => isXsd(x, 'attribute'))) {
              const at = a.attrs ? Object.keys(a.attrs).find((k) => k.endsWith(':arrayType') || k === 'arrayType') : undefined;
              if (at && a.attrs) out.soapArrayType = { qname: a.attrs[at]!, scope: a };
            }
            if (!out.soapArrayType) {
              const seq = d.children.find((x) => isXsd(x, 'sequence'));
              const e = seq?.children.find((x) => isXsd(x, 'element'));
              if (e && attr(e, 'type')) out.soapArrayType = { qname: attr(e, 'type')!, scope: e };
            }
            if (!out.soapArrayType) out.hasAny = true;
            break;
          }
          if (bq && !XSD_NS.has(bq.ns) && d.local === 'extension') {
            const base = this.complexTypes.get(`${bq.ns}|${bq.local}`);
            if (base) this.collectInto(base.el, base.schema, out, visited);
            else if (c.local === 'simpleContent') out.simpleBase = { qname: b!, scope: d };
          } else if (c.local === 'simpleContent' && bq) {
            const base = XSD_NS.has(bq.ns) ? undefined : this.complexTypes.get(`${bq.ns}|${bq.local}`);
            if (base) this.collectInto(base.el, base.schema, out, visited);
            else out.simpleBase = { qname: b!, scope: d };
          }
          if (c.local === 'simpleContent' && d.local === 'restriction') {
            const inline = d.children.find((x) => isXsd(x, 'simpleType'));
            if (inline) out.simpleBase = { inline, schema };
          }
          // The derivation's own content (for a restriction this is the whole content model).
          this.collectInto(d, schema, out, visited);
          break;
        }
        default: break;
      }
    }
  }

  private walkGroup(g: XmlElement, schema: SchemaCtx, out: Content, min: number, max: number, choice: boolean, visited: Set<XmlElement>): void {
    const gmin = min * occurs(attr(g, 'minOccurs'), 1);
    const gmax = max * occurs(attr(g, 'maxOccurs'), 1);
    const inChoice = choice || g.local === 'choice';
    for (const c of g.children) {
      if (!XSD_NS.has(c.ns)) continue;
      switch (c.local) {
        case 'element': this.addParticle(c, schema, out, inChoice ? 0 : gmin, gmax); break;
        case 'sequence': case 'choice': case 'all': this.walkGroup(c, schema, out, inChoice ? 0 : gmin, gmax, inChoice, visited); break;
        case 'group': this.walkGroupRef(c, out, inChoice ? 0 : gmin, gmax, inChoice, visited); break;
        case 'any': out.hasAny = true; break;
        default: break;
      }
    }
  }

  private walkGroupRef(ref: XmlElement, out: Content, min: number, max: number, choice: boolean, visited: Set<XmlElement>): void {
    const r = attr(ref, 'ref');
    if (!r) return;
    const q = resolveQName(r, ref.scope);
    const g = this.groups.get(`${q.ns}|${q.local}`);
    if (!g) {
      this.warnings.push({ location: r, message: `group ${q.local} is not defined; ignored` });
      return;
    }
    if (visited.has(g.el)) return;
    visited.add(g.el);
    const rmin = min * occurs(attr(ref, 'minOccurs'), 1);
    const rmax = max * occurs(attr(ref, 'maxOccurs'), 1);
    for (const c of g.el.children) if (isXsd(c, 'sequence') || isXsd(c, 'choice') || isXsd(c, 'all')) this.walkGroup(c, g.schema, out, rmin, rmax, choice, visited);
    visited.delete(g.el);
  }

  private addParticle(el: XmlElement, schema: SchemaCtx, out: Content, min: number, max: number): void {
    const pmin = min * occurs(attr(el, 'minOccurs'), 1);
    const pmax = max * occurs(attr(el, 'maxOccurs'), 1);
    if (pmax === 0) return;
    const ref = attr(el, 'ref');
    if (ref) {
      const q = resolveQName(ref, el.scope);
      const d = this.elements.get(`${q.ns}|${q.local}`);
      if (!d) {
        this.warnings.push({ location: ref, message: `element ${q.local} is not defined; ignored` });
        return;
      }
      out.particles.push({ name: q.local, ns: q.ns, decl: d.el, declSchema: d.schema, min: pmin, max: pmax, nillable: attr(d.el, 'nillable') === 'true' || attr(el, 'nillable') === 'true' });
      return;
    }
    // Names cannot contain whitespace in XML: `name="ResultCode "` (seen in the wild) is the element <ResultCode>.
    const name = attr(el, 'name')?.trim();
    if (!name) return;
    const form = attr(el, 'form');
    const qualified = form ? form === 'qualified' : schema.qualifiedElements;
    out.particles.push({ name, ns: qualified ? schema.tns : '', decl: el, declSchema: schema, min: pmin, max: pmax, nillable: attr(el, 'nillable') === 'true' });
  }

  private addAttr(a: XmlElement, schema: SchemaCtx, out: Content): void {
    if (attr(a, 'use') === 'prohibited') return;
    const ref = attr(a, 'ref');
    if (ref) {
      const q = resolveQName(ref, a.scope);
      const d = this.attributes.get(`${q.ns}|${q.local}`);
      if (!d) return; // soapenc:arrayType, xml:lang...: not mapped
      out.attrs.push({ name: q.local, ns: q.ns, decl: d.el, declSchema: d.schema, required: attr(a, 'use') === 'required' });
      return;
    }
    const name = attr(a, 'name')?.trim();
    if (!name) return;
    const form = attr(a, 'form');
    const qualified = form ? form === 'qualified' : schema.qualifiedAttributes;
    if (out.attrs.some((x) => x.name === name)) return;
    out.attrs.push({ name, ns: qualified ? schema.tns : '', decl: a, declSchema: schema, required: attr(a, 'use') === 'required' });
  }

  private addAttrGroup(ref: XmlElement, out: Content, visited: Set<XmlElement>): void {
    const r = attr(ref, 'ref');
    if (!r) return;
    const q = resolveQName(r, ref.scope);
    const g = this.attributeGroups.get(`${q.ns}|${q.local}`);
    if (!g || visited.has(g.el)) return;
    visited.add(g.el);
    for (const c of g.el.children) {
      if (isXsd(c, 'attribute')) this.addAttr(c, g.schema, out);
      else if (isXsd(c, 'attributeGroup')) this.addAttrGroup(c, out, visited);
    }
  }
}
