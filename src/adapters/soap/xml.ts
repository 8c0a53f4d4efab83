/**
 * A small, strict, non-validating XML parser for SOAP answers and WSDL/XSD files.
 *
 * Why hand-written: the SOAP answer is parsed on every request, and the mapping to GraphQL is driven
 * by the WSDL's schema anyway, so all we need is a compact element tree. Measured in
 * `bench/soap-parse.mjs` against saxes (and others when installed).
 *
 * Safety contract (tested in test/unit/soap-xml.test.ts):
 * - any `<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`... is refused: nothing is ever resolved or expanded
 *   (no XXE, no billion laughs);
 * - only the five predefined entities and numeric character references are decoded;
 * - an `encoding` other than UTF-8/US-ASCII is refused (callers decode bytes as strict UTF-8);
 * - malformed, truncated or too deeply nested input throws `XmlError`; the scan is linear
 *   (`indexOf` based, no backtracking) so no input can make it hang.
 */

export class XmlError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = 'XmlError';
  }
}

/** Namespace scope: prefix -> URI; chained by prototype so a lookup walks the ancestors. */
export type NsScope = Record<string, string>;

export interface XmlElement {
  /** Qualified name as written (`soap:Body`). */
  name: string;
  local: string;
  /** Namespace URI ('' = no namespace). */
  ns: string;
  /** Attributes by qualified name (including xmlns declarations), or null when none. */
  attrs: Record<string, string> | null;
  children: XmlElement[];
  /** Character data directly inside the element (entities decoded, CDATA included). */
  text: string;
  /** In-scope namespace declarations (for resolving QNames in attribute values). */
  scope: NsScope;
}

export interface XmlParseOptions {
  /** @default 256 */
  maxDepth?: number;
  /** The caller already decoded the bytes (WSDL files in ISO-8859-1): do not check `encoding`. */
  ignoreEncoding?: boolean;
}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ROOT_SCOPE: NsScope = Object.assign(Object.create(null) as NsScope, { xml: XML_NS, '': '' });

/** Shared by every element without children (most leaves): saves an allocation per element. Never mutated. */
const NO_CHILDREN: XmlElement[] = Object.freeze([]) as unknown as XmlElement[];

/** Character codes the scanners (this parser and fast-decode.ts) look for. */
export const LT = 60, GT = 62, SLASH = 47, BANG = 33, QMARK = 63, EQ = 61, DQ = 34, SQ = 39, COLON = 58, AMP = 38;

export function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

export function isWsRange(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isWs(s.charCodeAt(k))) return false;
  return true;
}

function isAllWs(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (!isWs(s.charCodeAt(k))) return false;
  return true;
}

/** Parses a whole document and returns its root element. */
export function parseXml(src: string, options: XmlParseOptions = {}): XmlElement {
  const maxDepth = options.maxDepth ?? 256;
  const n = src.length;
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let cur: XmlElement | null = null;
  let root: XmlElement | null = null;

  while (i < n) {
    const lt = src.indexOf('<', i);
    if (lt === -1) {
      const rest = src.slice(i);
      if (cur) throw new XmlError(`unexpected end of document inside <${cur.name}>`, n);
      if (!isAllWs(rest)) throw new XmlError('text after the root element', i);
      break;
    }
    if (lt > i) {
      // Whitespace between elements (most gaps in a pretty-printed answer) is checked in place:
      // no string is made for it.
      if (cur && cur.children.length === 0) {
        const seg = src.slice(i, lt);
        cur.text += seg.indexOf('&') === -1 ? seg : decodeEntities(seg, i);
      } else if (!isWsRange(src, i, lt)) {
        if (!cur) throw new XmlError(root ? 'text after the root element' : 'text before the root element', i);
        const seg = src.slice(i, lt);
        cur.text += seg.indexOf('&') === -1 ? seg : decodeEntities(seg, i);
      }
    }
    const c = src.charCodeAt(lt + 1);
    if (c === SLASH) {
      const gt = src.indexOf('>', lt + 2);
      if (gt === -1) throw new XmlError('unexpected end of document in a closing tag', n);
      let end = gt;
      while (end > lt + 2 && isWs(src.charCodeAt(end - 1))) end--;
      const name = src.slice(lt + 2, end);
      if (!cur) throw new XmlError(`closing tag </${name}> without an open element`, lt);
      if (name !== cur.name) throw new XmlError(`closing tag </${name}> does not match <${cur.name}>`, lt);
      stack.pop();
      cur = stack.length ? stack[stack.length - 1]! : null;
      i = gt + 1;
      continue;
    }
    if (c === QMARK) {
      const end = src.indexOf('?>', lt + 2);
      if (end === -1) throw new XmlError('unexpected end of document in a processing instruction', n);
      const body = src.slice(lt + 2, end);
      if (body.startsWith('xml') && (body.length === 3 || isWs(body.charCodeAt(3)))) {
        if (lt > (src.charCodeAt(0) === 0xfeff ? 1 : 0)) throw new XmlError('XML declaration not at the start of the document', lt);
        const enc = /encoding\s*=\s*["']([^"']*)["']/.exec(body);
        if (enc && !options.ignoreEncoding && !/^(utf-?8|us-ascii|ascii)$/i.test(enc[1]!)) throw new XmlError(`unsupported encoding "${enc[1]}" (only UTF-8 is accepted)`, lt);
      }
      i = end + 2;
      continue;
    }
    if (c === BANG) {
      if (src.startsWith('<!--', lt)) {
        const end = src.indexOf('-->', lt + 4);
        if (end === -1) throw new XmlError('unexpected end of document in a comment', n);
        i = end + 3;
        continue;
      }
      if (src.startsWith('<![CDATA[', lt)) {
        const end = src.indexOf(']]>', lt + 9);
        if (end === -1) throw new XmlError('unexpected end of document in CDATA', n);
        if (!cur) throw new XmlError('CDATA outside the root element', lt);
        cur.text += src.slice(lt + 9, end);
        i = end + 3;
        continue;
      }
      // <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST ...: never processed.
      throw new XmlError('DOCTYPE and entity declarations are not allowed', lt);
    }
    // Start tag.
    let j = lt + 1;
    while (j < n) {
      const d = src.charCodeAt(j);
      if (isWs(d) || d === GT || d === SLASH) break;
      j++;
    }
    if (j >= n) throw new XmlError('unexpected end of document in a start tag', n);
    const name = src.slice(lt + 1, j);
    if (name.length === 0 || !isNameLike(name)) throw new XmlError(`invalid element name "${name.slice(0, 40)}"`, lt);
    if (root && !cur) throw new XmlError('more than one root element', lt);
    let attrs: Record<string, string> | null = null;
    let scope: NsScope = cur ? cur.scope : ROOT_SCOPE;
    let selfClose = false;
    for (;;) {
      while (j < n && isWs(src.charCodeAt(j))) j++;
      if (j >= n) throw new XmlError('unexpected end of document in a start tag', n);
      const d = src.charCodeAt(j);
      if (d === GT) { j++; break; }
      if (d === SLASH) {
        if (src.charCodeAt(j + 1) !== GT) throw new XmlError('expected "/>"', j);
        selfClose = true;
        j += 2;
        break;
      }
      const an = j;
      while (j < n) {
        const e = src.charCodeAt(j);
        if (isWs(e) || e === EQ || e === GT || e === SLASH) break;
        j++;
      }
      const aname = src.slice(an, j);
      if (aname.length === 0 || !isNameLike(aname)) throw new XmlError(`invalid attribute name in <${name}>`, an);
      while (j < n && isWs(src.charCodeAt(j))) j++;
      if (src.charCodeAt(j) !== EQ) throw new XmlError(`attribute ${aname} without a value`, j);
      j++;
      while (j < n && isWs(src.charCodeAt(j))) j++;
      const q = src.charCodeAt(j);
      if (q !== DQ && q !== SQ) throw new XmlError(`attribute ${aname} value not quoted`, j);
      const vend = src.indexOf(q === DQ ? '"' : "'", j + 1);
      if (vend === -1) throw new XmlError('unexpected end of document in an attribute value', n);
      let value = src.slice(j + 1, vend);
      if (value.indexOf('<') !== -1) throw new XmlError(`"<" in the value of attribute ${aname}`, j);
      if (value.indexOf('&') !== -1) value = decodeEntities(value, j);
      j = vend + 1;
      if (attrs === null) attrs = Object.create(null) as Record<string, string>;
      else if (aname in attrs) throw new XmlError(`duplicate attribute ${aname}`, an);
      attrs[aname] = value;
      if (aname.charCodeAt(0) === 120 /* x */ && aname.startsWith('xmlns')) {
        if (aname.length === 5) {
          if (scope === (cur ? cur.scope : ROOT_SCOPE)) scope = Object.create(scope) as NsScope;
          scope[''] = value;
        } else if (aname.charCodeAt(5) === 58 /* : */) {
          if (scope === (cur ? cur.scope : ROOT_SCOPE)) scope = Object.create(scope) as NsScope;
          scope[aname.slice(6)] = value;
        }
      }
    }
    const colon = name.indexOf(':');
    const prefix = colon === -1 ? '' : name.slice(0, colon);
    const ns = scope[prefix];
    if (ns === undefined) throw new XmlError(`undeclared namespace prefix "${prefix}"`, lt);
    const el: XmlElement = { name, local: colon === -1 ? name : name.slice(colon + 1), ns, attrs, children: NO_CHILDREN, text: '', scope };
    if (cur) {
      if (cur.children === NO_CHILDREN) cur.children = [el];
      else cur.children.push(el);
    }
    else root = el;
    if (!selfClose) {
      stack.push(el);
      if (stack.length > maxDepth) throw new XmlError(`elements nested deeper than ${maxDepth}`, lt);
      cur = el;
    }
    i = j;
  }
  if (cur) throw new XmlError(`unexpected end of document inside <${cur.name}>`, n);
  if (!root) throw new XmlError('no root element', n);
  return root;
}

export function isNameLike(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (!isNameCode(s.charCodeAt(k))) return false;
  return true;
}

/** One character of `isNameLike`, for scanners that check a name in place. */
export function isNameCode(c: number): boolean {
  return c !== LT && c !== DQ && c !== SQ && c !== AMP && c !== EQ && c !== BANG && c !== QMARK;
}

function isXmlChar(cp: number): boolean {
  return cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decodes the five predefined entities and numeric character references; anything else throws. */
export function decodeEntities(s: string, offset = 0): string {
  let out = '';
  let last = 0;
  let amp = s.indexOf('&');
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new XmlError('unterminated entity reference', offset + amp);
    const ent = s.slice(amp + 1, semi);
    let rep: string;
    switch (ent) {
      case 'lt': rep = '<'; break;
      case 'gt': rep = '>'; break;
      case 'amp': rep = '&'; break;
      case 'quot': rep = '"'; break;
      case 'apos': rep = "'"; break;
      default: {
        let cp = NaN;
        if (/^#[0-9]{1,7}$/.test(ent)) cp = parseInt(ent.slice(1), 10);
        else if (/^#x[0-9a-fA-F]{1,6}$/.test(ent)) cp = parseInt(ent.slice(2), 16);
        else throw new XmlError(`undefined entity &${ent.slice(0, 20)};`, offset + amp);
        if (!isXmlChar(cp)) throw new XmlError(`character reference &${ent}; is not a valid XML character`, offset + amp);
        rep = String.fromCodePoint(cp);
      }
    }
    out += s.slice(last, amp) + rep;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/**
 * What `escapeXml` changes. Made once: a regular expression literal is a new object each time it is
 * evaluated, and this one is tested for every value of every request envelope.
 */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[<>&"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Escapes character data / attribute values for writing XML. Characters not allowed in XML 1.0 become U+FFFD. */
export function escapeXml(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    switch (c) {
      case 60: out += '&lt;'; break;
      case 62: out += '&gt;'; break;
      case 38: out += '&amp;'; break;
      case 34: out += '&quot;'; break;
      case 39: out += '&apos;'; break;
      default:
        if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff) out += '\ufffd';
        else out += s[k];
    }
  }
  return out;
}

/** Resolves `prefix:local` (or `local`) against an element's scope. Unprefixed names take the default namespace. */
export function resolveQName(value: string, scope: NsScope): { ns: string; local: string; prefixBound: boolean } {
  const v = value.trim();
  const colon = v.indexOf(':');
  const prefix = colon === -1 ? '' : v.slice(0, colon);
  const local = colon === -1 ? v : v.slice(colon + 1);
  const ns = scope[prefix];
  return { ns: ns ?? '', local, prefixBound: ns !== undefined };
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs ? el.attrs[name] : undefined;
}

export function childElements(el: XmlElement, ns: string | null, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.local === local && (ns === null || c.ns === ns)) out.push(c);
  return out;
}
