import type { XmlElement } from './xml';
import { SOAP11_ENV, SOAP12_ENV, ShapeError, type RField, type RObject, type ROperation } from './link';

/** SOAP answers -> GraphQL values (or the Fault), driven by the linked plan. */

function isNil(el: XmlElement): boolean {
  const a = el.attrs;
  if (!a) return false;
  for (const k in a) {
    if ((k === 'nil' || k.endsWith(':nil')) && (a[k] === 'true' || a[k] === '1')) return true;
  }
  return false;
}

function attrValue(el: XmlElement, local: string): string | undefined {
  const a = el.attrs;
  if (!a) return undefined;
  const v = a[local];
  if (v !== undefined) return v;
  for (const k in a) if (k.endsWith(`:${local}`) && !k.startsWith('xmlns:')) return a[k];
  return undefined;
}

/**
 * SOAP-encoded multi-reference values (`<ret href="#id0"/>` ... `<multiRef id="id0">`, Axis 1 style):
 * set for the duration of one synchronous decode of an rpc/encoded answer.
 */
let multiRefs: Map<string, XmlElement> | null = null;
let derefBudget = 0;
let refDepth = 0;

function deref(el: XmlElement): XmlElement {
  let cur = el;
  while (multiRefs !== null && cur.attrs !== null) {
    const href = cur.attrs.href;
    if (href === undefined || href.charCodeAt(0) !== 35 /* # */) break;
    const target = multiRefs.get(href.slice(1));
    if (!target) throw new ShapeError(`href ${href.slice(0, 40)} points to no multiRef element`);
    if (--derefBudget < 0) throw new ShapeError('too many (or cyclic) multiRef references');
    cur = target;
  }
  return cur;
}

function elementValue(el: XmlElement, f: RField): unknown {
  if (el.attrs !== null) {
    if (multiRefs !== null) el = deref(el);
    if (isNil(el)) return null;
  }
  switch (f.kind) {
    case 's':
    case 'e':
      return f.fromXml(el.text);
    case 'o':
      if (multiRefs === null) return readObject(el, f.obj!);
      // References can nest without bound (or loop through objects): cap the depth like the parser does.
      if (++refDepth > 256) throw new ShapeError('multiRef values nested deeper than 256');
      try {
        return readObject(el, f.obj!);
      } finally {
        refDepth--;
      }
    default:
      return xmlToJson(el);
  }
}

function wrapItems(el: XmlElement, f: RField): unknown[] {
  const items: unknown[] = [];
  if (multiRefs !== null) el = deref(el);
  if (el.attrs !== null && isNil(el)) return items;
  const w = f.wrap!.xml;
  for (const c of el.children) if (w === '*' || c.local === w) items.push(elementValue(c, f));
  return items;
}

export function readObject(el: XmlElement, o: RObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of o.listFields) out[f.gql] = [];
  let anyEls: XmlElement[] | null = null;
  for (const c of el.children) {
    const f = o.byLocal.get(c.local);
    if (f === undefined) {
      if (o.any !== null) (anyEls ??= []).push(c);
      continue;
    }
    if (f.wrap !== null) out[f.gql] = wrapItems(c, f);
    else if (f.list) (out[f.gql] as unknown[]).push(elementValue(c, f));
    else out[f.gql] = elementValue(c, f);
  }
  if (el.attrs !== null) {
    for (const f of o.attrs) {
      const v = attrValue(el, f.xml);
      if (v !== undefined) out[f.gql] = f.fromXml(v);
    }
  }
  for (const f of o.wrapFields) if (out[f.gql] === undefined) out[f.gql] = [];
  if (o.text !== null && !isNil(el)) out[o.text.gql] = o.text.fromXml(el.text);
  if (o.any !== null) out[o.any] = anyEls ? anyEls.map(xmlToJsonNamed) : null;
  return out;
}

/** The value of one field among an element's children / attributes (an unwrapped result). */
export function fieldValue(parent: XmlElement, f: RField): unknown {
  if (f.attr) {
    const v = attrValue(parent, f.xml);
    return v === undefined ? null : f.fromXml(v);
  }
  if (f.list && f.wrap === null) {
    const out: unknown[] = [];
    for (const c of parent.children) if (c.local === f.xml) out.push(elementValue(c, f));
    return out;
  }
  for (const c of parent.children) {
    if (c.local === f.xml) return f.wrap !== null ? wrapItems(c, f) : elementValue(c, f);
  }
  return f.wrap !== null ? [] : null;
}

/** Generic XML -> JSON for xs:any / anyType: attributes as `@name`, repeated children as arrays. */
export function xmlToJson(el: XmlElement): unknown {
  let out: Record<string, unknown> | null = null;
  if (el.attrs) {
    for (const k in el.attrs) {
      if (k === 'xmlns' || k.startsWith('xmlns:') || k.endsWith(':type') || k.endsWith(':nil')) continue;
      (out ??= Object.create(null) as Record<string, unknown>)[`@${k}`] = el.attrs[k];
    }
  }
  if (el.children.length === 0) {
    if (!out) return el.text;
    if (el.text.trim()) out['#text'] = el.text;
    return out;
  }
  out ??= Object.create(null) as Record<string, unknown>;
  for (const c of el.children) {
    const v = xmlToJson(c);
    const prev = out[c.local];
    if (prev === undefined) out[c.local] = v;
    else if (Array.isArray(prev)) prev.push(v); // xmlToJson never returns an array itself
    else out[c.local] = [prev, v];
  }
  if (el.text.trim()) out['#text'] = el.text.trim();
  return out;
}

function xmlToJsonNamed(el: XmlElement): unknown {
  return { [el.local]: xmlToJson(el) };
}

export interface SoapFault {
  faultcode: string;
  faultstring: string;
  detail: unknown;
}

function child(el: XmlElement, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local) return c;
  return undefined;
}

export function readFault(fault: XmlElement): SoapFault {
  if (fault.ns === SOAP12_ENV) {
    const code = child(fault, 'Code');
    const codes: string[] = [];
    for (let c = code; c; c = child(c, 'Subcode')) {
      const v = child(c, 'Value');
      if (v) codes.push(v.text.trim());
    }
    const reason = child(fault, 'Reason');
    const text = reason ? child(reason, 'Text') : undefined;
    const detail = child(fault, 'Detail');
    return { faultcode: codes.join(' / '), faultstring: (text?.text ?? '').trim(), detail: detail ? xmlToJson(detail) : undefined };
  }
  const detail = child(fault, 'detail');
  return {
    faultcode: (child(fault, 'faultcode')?.text ?? '').trim(),
    faultstring: (child(fault, 'faultstring')?.text ?? '').trim(),
    detail: detail ? xmlToJson(detail) : undefined,
  };
}

export type Decoded = { fault: SoapFault } | { value: unknown };

/** Envelope -> the GraphQL value of the operation's field, or the Fault. */
export function decodeEnvelope(root: XmlElement, op: ROperation): Decoded {
  if (root.local !== 'Envelope' || (root.ns !== SOAP11_ENV && root.ns !== SOAP12_ENV)) {
    throw new ShapeError(`expected a SOAP Envelope, got <${root.name}>`);
  }
  const body = child(root, 'Body');
  if (!body || body.ns !== root.ns) throw new ShapeError('the Envelope has no Body');
  const first = body.children[0];
  if (first && first.local === 'Fault' && first.ns === root.ns) return { fault: readFault(first) };
  const p = op.plan.output;
  if (p.void) return { value: true };
  if (op.plan.encoded && body.children.length > 1) {
    multiRefs = new Map();
    for (const c of body.children) if (c.attrs !== null && c.attrs.id !== undefined) multiRefs.set(c.attrs.id, c);
    derefBudget = 100_000;
    refDepth = 0;
  }
  try {
    return decodeBody(body, op);
  } finally {
    multiRefs = null;
  }
}

function decodeBody(body: XmlElement, op: ROperation): Decoded {
  const p = op.plan.output;
  let el: XmlElement = body;
  for (const step of p.path) {
    const next = step === '*' ? el.children[0] : child(el, step);
    if (!next) throw new ShapeError(`the answer has no <${step === '*' ? `${op.plan.name}Response` : step}> element`);
    el = multiRefs !== null ? deref(next) : next;
  }
  if (op.select) return { value: fieldValue(el, op.select) };
  return { value: readObject(el, op.object!) };
}
