import type { Decoded } from './decode';
import { SOAP11_ENV, SOAP12_ENV, type RField, type RObject, type ROperation } from './link';
import { BANG, COLON, decodeEntities, DQ, EQ, GT, isNameLike, isWs, isWsRange, LT, QMARK, SLASH, SQ, XML_NS } from './xml';

/**
 * The common SOAP answer read straight into GraphQL values, without an element tree.
 *
 * Most answers are document/literal, without attributes other than namespace declarations,
 * comments, CDATA or faults. For those, this single pass over the text produces exactly what
 * `parseXml` + `decodeEnvelope` produce, allocating only the result (the tree was ~1/5 of the
 * gateway's allocations on the reference query). Anything else — an attribute (xsi:nil, href,
 * xsi:type), a comment, CDATA, a processing instruction, a Fault, rpc/encoded, text where the
 * WSDL says elements, any malformation or conversion error — returns undefined and the caller
 * takes the full path, which also produces every error message. So this function never decides
 * an error, and its answers are the full path's answers.
 */

/** Thrown to abandon the fast pass. */
const BAIL = Symbol('bail');

const MAX_DEPTH = 256;

interface Tag {
  local: string;
  /** Qualified name as written, to match the end tag. */
  name: string;
  ns: string;
  selfClosing: boolean;
  /** Namespace bindings declared on this tag (popped at its end). */
  declared: number;
}

class Reader {
  i = 0;
  depth = 0;
  /** Namespace bindings in scope: prefix, uri pairs, innermost last. */
  readonly prefixes: string[] = ['xml', ''];
  readonly uris: string[] = [XML_NS, ''];

  constructor(readonly src: string) {}

  skipWs(): void {
    const s = this.src;
    while (this.i < s.length && isWs(s.charCodeAt(this.i))) this.i++;
  }

  /** Reads a start tag at the cursor (after optional whitespace); bails on anything but an element. */
  open(): Tag {
    const s = this.src;
    this.skipWs();
    if (s.charCodeAt(this.i) !== LT) throw BAIL;
    const start = this.i + 1;
    let j = start;
    const n = s.length;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (isWs(c) || c === GT || c === SLASH) break;
      j++;
    }
    if (j >= n || j === start) throw BAIL;
    const c0 = s.charCodeAt(start);
    if (c0 === SLASH || c0 === BANG || c0 === QMARK) throw BAIL;
    const name = s.slice(start, j);
    if (!isNameLike(name)) throw BAIL;
    let declared = 0;
    let selfClosing = false;
    for (;;) {
      while (j < n && isWs(s.charCodeAt(j))) j++;
      if (j >= n) throw BAIL;
      const d = s.charCodeAt(j);
      if (d === GT) {
        j++;
        break;
      }
      if (d === SLASH) {
        if (s.charCodeAt(j + 1) !== GT) throw BAIL;
        selfClosing = true;
        j += 2;
        break;
      }
      // Only namespace declarations: any other attribute (xsi:nil, href, ...) takes the full path.
      if (!s.startsWith('xmlns', j)) throw BAIL;
      const an = j;
      while (j < n) {
        const e = s.charCodeAt(j);
        if (isWs(e) || e === EQ || e === GT || e === SLASH) break;
        j++;
      }
      const aname = s.slice(an, j);
      if (aname.length !== 5 && aname.charCodeAt(5) !== COLON) throw BAIL;
      if (!isNameLike(aname)) throw BAIL;
      while (j < n && isWs(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== EQ) throw BAIL;
      j++;
      while (j < n && isWs(s.charCodeAt(j))) j++;
      const q = s.charCodeAt(j);
      if (q !== DQ && q !== SQ) throw BAIL;
      const vend = s.indexOf(q === DQ ? '"' : "'", j + 1);
      if (vend === -1) throw BAIL;
      const value = s.slice(j + 1, vend);
      if (value.indexOf('<') !== -1 || value.indexOf('&') !== -1) throw BAIL;
      j = vend + 1;
      const prefix = aname.length === 5 ? '' : aname.slice(6);
      if (prefix === "nil") throw BAIL; // `xmlns:nil` reads as xsi:nil to the full path
      // A duplicate declaration on one tag is an error the full path reports.
      for (let k = this.prefixes.length - declared; k < this.prefixes.length; k++) if (this.prefixes[k] === prefix) throw BAIL;
      this.prefixes.push(prefix);
      this.uris.push(value);
      declared++;
    }
    const colon = name.indexOf(':');
    const prefix = colon === -1 ? '' : name.slice(0, colon);
    const ns = this.lookup(prefix);
    this.i = j;
    if (selfClosing) this.pop(declared);
    else if (++this.depth > MAX_DEPTH) throw BAIL;
    return { local: colon === -1 ? name : name.slice(colon + 1), name, ns, selfClosing, declared };
  }

  lookup(prefix: string): string {
    for (let k = this.prefixes.length - 1; k >= 0; k--) if (this.prefixes[k] === prefix) return this.uris[k]!;
    throw BAIL; // undeclared prefix: the full path reports it
  }

  pop(declared: number): void {
    // (Setting an array's length is slow in V8 even when it does not change: most tags declare nothing.)
    for (let k = 0; k < declared; k++) {
      this.prefixes.pop();
      this.uris.pop();
    }
  }

  /** At the end tag of `tag`? Consumes it and returns true; at another start tag returns false. Whitespace is skipped; other text bails. */
  atEnd(tag: Tag): boolean {
    const s = this.src;
    const lt = s.indexOf('<', this.i);
    if (lt === -1) throw BAIL;
    if (!isWsRange(s, this.i, lt)) throw BAIL;
    this.i = lt;
    if (s.charCodeAt(lt + 1) !== SLASH) return false;
    this.close(tag);
    return true;
  }

  /** Consumes `</name>` of `tag` at the cursor. */
  close(tag: Tag): void {
    const s = this.src;
    const gt = s.indexOf('>', this.i + 2);
    if (gt === -1) throw BAIL;
    let end = gt;
    while (end > this.i + 2 && isWs(s.charCodeAt(end - 1))) end--;
    if (s.slice(this.i + 2, end) !== tag.name) throw BAIL;
    this.i = gt + 1;
    this.depth--;
    this.pop(tag.declared);
  }

  /** The text content of a leaf element (child elements, comments, CDATA bail), up to and including its end tag. */
  text(tag: Tag): string {
    if (tag.selfClosing) return '';
    const s = this.src;
    const lt = s.indexOf('<', this.i);
    if (lt === -1 || s.charCodeAt(lt + 1) !== SLASH) throw BAIL;
    const raw = s.slice(this.i, lt);
    this.i = lt;
    this.close(tag);
    return raw.indexOf('&') === -1 ? raw : decodeEntities(raw);
  }

  /** Skips an element's whole content (checked like the rest). */
  skip(tag: Tag): void {
    if (tag.selfClosing) return;
    const s = this.src;
    for (;;) {
      const lt = s.indexOf('<', this.i);
      if (lt === -1) throw BAIL;
      const t = s.slice(this.i, lt);
      if (t.indexOf('&') !== -1) decodeEntities(t); // an undefined entity is an error of the full path
      this.i = lt;
      if (s.charCodeAt(lt + 1) === SLASH) {
        this.close(tag);
        return;
      }
      this.skip(this.open());
    }
  }
}

/** The operation's value from a SOAP answer's text, or undefined when the full path must decode it. */
export function fastDecodeEnvelope(src: string, op: ROperation): Decoded | undefined {
  if (op.plan.encoded) return undefined;
  try {
    return decode(new Reader(src), op);
  } catch (e) {
    if (e === BAIL) return undefined;
    return undefined; // a conversion error (not a number, unknown enum): the full path reports it
  }
}

function decode(r: Reader, op: ROperation): Decoded {
  const s = r.src;
  if (s.startsWith('<?xml')) {
    const end = s.indexOf('?>', 5);
    if (end === -1) throw BAIL;
    const c = s.charCodeAt(5);
    if (!isWs(c)) throw BAIL;
    const enc = /encoding\s*=\s*["']([^"']*)["']/.exec(s.slice(5, end));
    if (enc && !/^(utf-?8|us-ascii|ascii)$/i.test(enc[1]!)) throw BAIL;
    r.i = end + 2;
  } else if (s.charCodeAt(0) === 0xfeff) throw BAIL;
  const env = r.open();
  if (env.local !== 'Envelope' || (env.ns !== SOAP11_ENV && env.ns !== SOAP12_ENV) || env.selfClosing) throw BAIL;
  let result: Decoded | undefined;
  while (!r.atEnd(env)) {
    const t = r.open();
    if (t.local === 'Body' && result === undefined) {
      if (t.ns !== env.ns) throw BAIL;
      result = body(r, t, op, env.ns);
    } else r.skip(t);
  }
  // Only whitespace after the root element.
  if (!isWsRange(s, r.i, s.length)) throw BAIL;
  if (result === undefined) throw BAIL;
  return result;
}

function body(r: Reader, b: Tag, op: ROperation, envNs: string): Decoded {
  const p = op.plan.output;
  let value: unknown;
  let found = false;
  let first = true;
  if (!b.selfClosing) {
    while (!r.atEnd(b)) {
      const t = r.open();
      if (first && t.local === 'Fault' && t.ns === envNs) throw BAIL; // faults: the full path
      const isFirst = first;
      first = false;
      if (p.void || found) {
        r.skip(t);
        continue;
      }
      const step = p.path[0];
      if (step === undefined) throw BAIL; // the Body itself is the target: the full path
      if (step === '*' ? isFirst : t.local === step) {
        value = descend(r, t, op, 1);
        found = true;
      } else r.skip(t);
    }
  }
  if (p.void) return { value: true };
  if (!found) throw BAIL;
  return { value };
}

/** At element `el` (opened), which matched path step `step - 1`: walk the rest of the path, then decode. */
function descend(r: Reader, el: Tag, op: ROperation, step: number): unknown {
  const path = op.plan.output.path;
  if (step === path.length) return op.select ? fieldValue(r, el, op.select) : readObject(r, el, op.object!);
  const want = path[step]!;
  let value: unknown;
  let found = false;
  let first = true;
  if (!el.selfClosing) {
    while (!r.atEnd(el)) {
      const t = r.open();
      const isFirst = first;
      first = false;
      if (!found && (want === '*' ? isFirst : t.local === want)) {
        value = descend(r, t, op, step + 1);
        found = true;
      } else r.skip(t);
    }
  }
  if (!found) throw BAIL;
  return value;
}

function readObject(r: Reader, el: Tag, o: RObject): Record<string, unknown> {
  if (o.any !== null || o.text !== null) throw BAIL;
  const out: Record<string, unknown> = {};
  for (const f of o.listFields) out[f.gql] = [];
  if (!el.selfClosing) {
    while (!r.atEnd(el)) {
      const c = r.open();
      const f = o.byLocal.get(c.local);
      if (f === undefined) {
        r.skip(c);
        continue;
      }
      if (f.wrap !== null) out[f.gql] = wrapItems(r, c, f);
      else if (f.list) (out[f.gql] as unknown[]).push(elementValue(r, c, f));
      else out[f.gql] = elementValue(r, c, f);
    }
  }
  for (const f of o.wrapFields) if (out[f.gql] === undefined) out[f.gql] = [];
  return out;
}

function elementValue(r: Reader, el: Tag, f: RField): unknown {
  switch (f.kind) {
    case 's':
    case 'e':
      return f.fromXml(r.text(el));
    case 'o':
      return readObject(r, el, f.obj!);
    default:
      throw BAIL; // xs:any / anyType
  }
}

function wrapItems(r: Reader, el: Tag, f: RField): unknown[] {
  const items: unknown[] = [];
  const w = f.wrap!.xml;
  if (el.selfClosing) return items;
  while (!r.atEnd(el)) {
    const c = r.open();
    if (w === '*' || c.local === w) items.push(elementValue(r, c, f));
    else r.skip(c);
  }
  return items;
}

function fieldValue(r: Reader, parent: Tag, f: RField): unknown {
  if (f.attr) throw BAIL;
  if (f.list && f.wrap === null) {
    const out: unknown[] = [];
    if (!parent.selfClosing) {
      while (!r.atEnd(parent)) {
        const c = r.open();
        if (c.local === f.xml) out.push(elementValue(r, c, f));
        else r.skip(c);
      }
    }
    return out;
  }
  let value: unknown = f.wrap !== null ? [] : null;
  let found = false;
  if (!parent.selfClosing) {
    while (!r.atEnd(parent)) {
      const c = r.open();
      if (!found && c.local === f.xml) {
        value = f.wrap !== null ? wrapItems(r, c, f) : elementValue(r, c, f);
        found = true;
      } else r.skip(c);
    }
  }
  return value;
}
