import type { Decoded } from './decode';
import { SOAP11_ENV, SOAP12_ENV, type RField, type RObject, type ROperation } from './link';
import { AMP, COLON, decodeEntities, DQ, EQ, GT, isNameCode, isNameLike, isWs, isWsRange, LT, SLASH, SQ, XML_NS } from './xml';

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
 *
 * Names are never cut out of the text: element names are matched in place (end tags against
 * their start tag, local names against the names the plan expects), and the open elements are
 * kept as numbers in the reader, so an element costs no object and no string.
 */

/** Thrown to abandon the fast pass. */
const BAIL = Symbol('bail');

const MAX_DEPTH = 256;

class Reader {
  i = 0;
  depth = 0;
  /** Namespace bindings in scope: prefix, uri pairs, innermost last. */
  readonly prefixes: string[] = ['xml', ''];
  readonly uris: string[] = [XML_NS, ''];
  /**
   * The open elements, innermost last, three numbers each: where the start tag's name begins in
   * the text, its length, and how many namespace bindings the tag declared (popped at its end).
   */
  private readonly stack: number[] = [];

  // The element `open()` read last; valid until the next `open()`, so callers look at it first.
  /** Its local name is `src.slice(localStart, localEnd)` (never made: see `localIs`). */
  localStart = 0;
  localEnd = 0;
  /** Its namespace URI. */
  ns = '';

  constructor(readonly src: string) {}

  skipWs(): void {
    const s = this.src;
    while (this.i < s.length && isWs(s.charCodeAt(this.i))) this.i++;
  }

  /**
   * Reads a start tag at the cursor (after optional whitespace); bails on anything but an element.
   * Returns whether it was self-closing (`<x/>`: no content, nothing to close).
   */
  open(): boolean {
    const s = this.src;
    this.skipWs();
    if (s.charCodeAt(this.i) !== LT) throw BAIL;
    const start = this.i + 1;
    let j = start;
    let colon = -1;
    const n = s.length;
    while (j < n) {
      const c = s.charCodeAt(j);
      // Letters, `_` and non-ASCII first: every character this loop stops or bails on is below 64.
      if (c >= 64) {
        j++;
        continue;
      }
      if (isWs(c) || c === GT || c === SLASH) break;
      // Also refuses `<!` and `<?` (comments, CDATA, PIs); `</` ends the name at once.
      if (!isNameCode(c)) throw BAIL;
      if (c === COLON && colon === -1) colon = j;
      j++;
    }
    if (j >= n || j === start) throw BAIL;
    const nameEnd = j;
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
    // The prefix is the name up to its first colon ('' without one: the default namespace).
    this.ns = this.lookup(start, colon === -1 ? start : colon);
    this.localStart = colon === -1 ? start : colon + 1;
    this.localEnd = nameEnd;
    this.i = j;
    if (selfClosing) this.pop(declared);
    else {
      if (++this.depth > MAX_DEPTH) throw BAIL;
      this.stack.push(start, nameEnd - start, declared);
    }
    return selfClosing;
  }

  /** The namespace bound to the prefix `src.slice(from, to)`. */
  lookup(from: number, to: number): string {
    const len = to - from;
    for (let k = this.prefixes.length - 1; k >= 0; k--) {
      const p = this.prefixes[k]!;
      if (p.length === len && this.src.startsWith(p, from)) return this.uris[k]!;
    }
    throw BAIL; // undeclared prefix: the full path reports it
  }

  pop(declared: number): void {
    // (Setting an array's length is slow in V8 even when it does not change: most tags declare nothing.)
    for (let k = 0; k < declared; k++) {
      this.prefixes.pop();
      this.uris.pop();
    }
  }

  /** Is the local name of the element opened last `name`? */
  localIs(name: string): boolean {
    return this.localEnd - this.localStart === name.length && this.src.startsWith(name, this.localStart);
  }

  /**
   * The index in `names` of the local name of the element opened last, or -1. The search starts
   * at `from` and wraps around: children mostly come in schema order, so starting at the last
   * match finds a repeated element or the next field at once.
   */
  findLocal(names: readonly string[], from: number): number {
    const n = names.length;
    const len = this.localEnd - this.localStart;
    for (let m = 0, k = from; m < n; m++, k = k + 1 === n ? 0 : k + 1) {
      const name = names[k]!;
      if (name.length === len && this.src.startsWith(name, this.localStart)) return k;
    }
    return -1;
  }

  /** At the end tag of the innermost open element? Consumes it and returns true; at another start tag returns false. Whitespace is skipped; other text bails. */
  atEnd(): boolean {
    const s = this.src;
    const lt = s.indexOf('<', this.i);
    if (lt === -1) throw BAIL;
    if (!isWsRange(s, this.i, lt)) throw BAIL;
    this.i = lt;
    if (s.charCodeAt(lt + 1) !== SLASH) return false;
    this.close();
    return true;
  }

  /**
   * Consumes the end tag of the innermost open element at the cursor (`</`). Like the full path, it
   * must repeat the start tag's name exactly, then optional whitespace and `>`: the name is
   * compared with the start tag's, in place (names hold neither whitespace nor `>`).
   */
  close(): void {
    const s = this.src;
    const st = this.stack;
    const declared = st.pop()!;
    const len = st.pop()!;
    const start = st.pop()!;
    let j = this.i + 2;
    if (j + len > s.length) throw BAIL;
    for (let k = 0; k < len; k++) if (s.charCodeAt(j + k) !== s.charCodeAt(start + k)) throw BAIL;
    j += len;
    while (j < s.length && isWs(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) !== GT) throw BAIL;
    this.i = j + 1;
    this.depth--;
    this.pop(declared);
  }

  /** The text content of the leaf element opened last (child elements, comments, CDATA bail), up to and including its end tag. */
  text(empty: boolean): string {
    if (empty) return '';
    const s = this.src;
    const from = this.i;
    const lt = s.indexOf('<', from);
    if (lt === -1 || s.charCodeAt(lt + 1) !== SLASH) throw BAIL;
    this.i = lt;
    this.close();
    return leafText(s, from, lt);
  }

  /** Skips the content of the element opened last (checked like the rest). */
  skip(empty: boolean): void {
    if (empty) return;
    const s = this.src;
    for (;;) {
      const lt = s.indexOf('<', this.i);
      if (lt === -1) throw BAIL;
      // An undefined entity is an error of the full path.
      for (let k = this.i; k < lt; k++) {
        if (s.charCodeAt(k) === AMP) {
          decodeEntities(s.slice(this.i, lt));
          break;
        }
      }
      this.i = lt;
      if (s.charCodeAt(lt + 1) === SLASH) {
        this.close();
        return;
      }
      this.skip(this.open());
    }
  }
}

/**
 * Short leaf texts (numbers, codes, enum values) by a hash of their characters: the same values
 * come back answer after answer, and a hit costs no string. At most 12 characters, because V8
 * copies slices shorter than 13 characters: a longer slice can be a view that would keep a whole
 * answer alive in this table. Equal strings are indistinguishable, so a hit changes no value.
 */
const INTERN_MAX_CHARS = 12;
const INTERN_SLOTS = 1024; // a power of two
const interned: string[] = new Array<string>(INTERN_SLOTS).fill('');

/** `src.slice(from, to)` with entities decoded (interned when short). */
function leafText(s: string, from: number, to: number): string {
  const len = to - from;
  if (len === 0) return '';
  if (len > INTERN_MAX_CHARS) {
    const raw = s.slice(from, to);
    return raw.indexOf('&') === -1 ? raw : decodeEntities(raw);
  }
  let h = len;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === AMP) return decodeEntities(s.slice(from, to));
    h = (Math.imul(h, 31) + c) | 0;
  }
  const slot = (h ^ (h >>> 10)) & (INTERN_SLOTS - 1);
  const hit = interned[slot]!;
  if (hit.length === len && s.startsWith(hit, from)) return hit;
  return (interned[slot] = s.slice(from, to));
}

/** The XML declaration's encoding, and the names of the encodings read here (as `parseXml` does). Made once. */
const ENCODING_DECL = /encoding\s*=\s*["']([^"']*)["']/;
const UTF8_NAME = /^(utf-?8|us-ascii|ascii)$/i;

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
    const enc = ENCODING_DECL.exec(s.slice(5, end));
    if (enc && !UTF8_NAME.test(enc[1]!)) throw BAIL;
    r.i = end + 2;
  } else if (s.charCodeAt(0) === 0xfeff) throw BAIL;
  if (r.open() || !r.localIs('Envelope') || (r.ns !== SOAP11_ENV && r.ns !== SOAP12_ENV)) throw BAIL;
  const envNs = r.ns;
  let result: Decoded | undefined;
  while (!r.atEnd()) {
    const empty = r.open();
    if (result === undefined && r.localIs('Body')) {
      if (r.ns !== envNs) throw BAIL;
      result = body(r, empty, op, envNs);
    } else r.skip(empty);
  }
  // Only whitespace after the root element.
  if (!isWsRange(s, r.i, s.length)) throw BAIL;
  if (result === undefined) throw BAIL;
  return result;
}

// Below, `empty` is what `r.open()` returned for the element a function reads (opened last).

function body(r: Reader, empty: boolean, op: ROperation, envNs: string): Decoded {
  const p = op.plan.output;
  let value: unknown;
  let found = false;
  let first = true;
  if (!empty) {
    while (!r.atEnd()) {
      const childEmpty = r.open();
      if (first && r.ns === envNs && r.localIs('Fault')) throw BAIL; // faults: the full path
      const isFirst = first;
      first = false;
      if (p.void || found) {
        r.skip(childEmpty);
        continue;
      }
      const step = p.path[0];
      if (step === undefined) throw BAIL; // the Body itself is the target: the full path
      if (step === '*' ? isFirst : r.localIs(step)) {
        value = descend(r, childEmpty, op, 1);
        found = true;
      } else r.skip(childEmpty);
    }
  }
  if (p.void) return { value: true };
  if (!found) throw BAIL;
  return { value };
}

/** At an element which matched path step `step - 1`: walk the rest of the path, then decode. */
function descend(r: Reader, empty: boolean, op: ROperation, step: number): unknown {
  const path = op.plan.output.path;
  if (step === path.length) return op.select ? fieldValue(r, empty, op.select) : readObject(r, empty, op.object!);
  const want = path[step]!;
  let value: unknown;
  let found = false;
  let first = true;
  if (!empty) {
    while (!r.atEnd()) {
      const childEmpty = r.open();
      const isFirst = first;
      first = false;
      if (!found && (want === '*' ? isFirst : r.localIs(want))) {
        value = descend(r, childEmpty, op, step + 1);
        found = true;
      } else r.skip(childEmpty);
    }
  }
  if (!found) throw BAIL;
  return value;
}

/** An object type's child elements as parallel arrays, for `findLocal`. */
interface ChildNames {
  names: string[];
  fields: RField[];
}
const childNamesOf = new WeakMap<RObject, ChildNames>();

/** From `byLocal` (not `fields`): where two fields share a local name, the same one wins as in the full path. */
function childNames(o: RObject): ChildNames {
  let c = childNamesOf.get(o);
  if (c === undefined) {
    c = { names: [...o.byLocal.keys()], fields: [...o.byLocal.values()] };
    childNamesOf.set(o, c);
  }
  return c;
}

function readObject(r: Reader, empty: boolean, o: RObject): Record<string, unknown> {
  if (o.any !== null || o.text !== null) throw BAIL;
  const out: Record<string, unknown> = {};
  for (const f of o.listFields) out[f.gql] = [];
  if (!empty) {
    const { names, fields } = childNames(o);
    let last = 0;
    while (!r.atEnd()) {
      const childEmpty = r.open();
      const k = r.findLocal(names, last);
      if (k === -1) {
        r.skip(childEmpty);
        continue;
      }
      last = k;
      const f = fields[k]!;
      if (f.wrap !== null) out[f.gql] = wrapItems(r, childEmpty, f);
      else if (f.list) (out[f.gql] as unknown[]).push(elementValue(r, childEmpty, f));
      else out[f.gql] = elementValue(r, childEmpty, f);
    }
  }
  for (const f of o.wrapFields) if (out[f.gql] === undefined) out[f.gql] = [];
  return out;
}

function elementValue(r: Reader, empty: boolean, f: RField): unknown {
  switch (f.kind) {
    case 's':
    case 'e':
      return f.fromXml(r.text(empty));
    case 'o':
      return readObject(r, empty, f.obj!);
    default:
      throw BAIL; // xs:any / anyType
  }
}

function wrapItems(r: Reader, empty: boolean, f: RField): unknown[] {
  const items: unknown[] = [];
  const w = f.wrap!.xml;
  if (empty) return items;
  while (!r.atEnd()) {
    const childEmpty = r.open();
    if (w === '*' || r.localIs(w)) items.push(elementValue(r, childEmpty, f));
    else r.skip(childEmpty);
  }
  return items;
}

function fieldValue(r: Reader, empty: boolean, f: RField): unknown {
  if (f.attr) throw BAIL;
  if (f.list && f.wrap === null) {
    const out: unknown[] = [];
    if (!empty) {
      while (!r.atEnd()) {
        const childEmpty = r.open();
        if (r.localIs(f.xml)) out.push(elementValue(r, childEmpty, f));
        else r.skip(childEmpty);
      }
    }
    return out;
  }
  let value: unknown = f.wrap !== null ? [] : null;
  let found = false;
  if (!empty) {
    while (!r.atEnd()) {
      const childEmpty = r.open();
      if (!found && r.localIs(f.xml)) {
        value = f.wrap !== null ? wrapItems(r, childEmpty, f) : elementValue(r, childEmpty, f);
        found = true;
      } else r.skip(childEmpty);
    }
  }
  return value;
}
