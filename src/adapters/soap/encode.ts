import { createHash, randomBytes } from 'node:crypto';
import { escapeXml } from './xml';
import { SOAP11_ENV, SOAP12_ENV, type RField, type RObject, type ROperation } from './link';

/** Request envelopes: GraphQL arguments -> SOAP 1.1/1.2 envelope, per the linked plan. */

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const SOAPENC11 = 'http://schemas.xmlsoap.org/soap/encoding/';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const UT_PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0';

export interface EnvelopeOptions {
  soapHeaders: readonly string[];
  security?: { username: string; password: string; passwordType: 'PasswordText' | 'PasswordDigest' } | undefined;
  /** Element that carries the caller's identity (`auth.forward`). @default { element: 'Identity', namespace: IDENTITY_NS } */
  identityHeader?: { element?: string | undefined; namespace?: string | undefined } | undefined;
}

/** Default namespace of the identity header block (`<sy:Identity xmlns:sy="urn:switchyard:identity">`). */
export const IDENTITY_NS = 'urn:switchyard:identity';
/** XML names the identity header may use (ASCII NCName). */
export const XML_NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** An element name under one prefix, with its tags: built once, then reused by every item and envelope that writes it. */
interface ElementName {
  prefix: string;
  local: string;
  qname: string;
  open: string;
  close: string;
  /** `<qname xsi:nil="true"/>` */
  nil: string;
  /** `<qname xsi:type="xsd:…">` (see `typedOpen`), and the XSD type it was built for. */
  typed: string | undefined;
  typedXsd: string | undefined;
}

/**
 * Names by what they were built for (a field's element or attribute, an array wrapper's items, an
 * operation's wrapper element), kept from one envelope to the next. A name's text depends only on
 * its prefix and local name, both checked on each use: prefixes are numbered per envelope in order
 * of first use (`ns1`, `ns2`…), so they can differ between envelopes. Weak: plans can be replaced.
 */
const names = new WeakMap<object, ElementName>();

/**
 * The pieces as one flat string, for the cached names. In V8, `+` and template literals past 12
 * characters make a cons string (a tree of its pieces), and cons pieces take the envelope's
 * `join` off its fast path (twice as slow with cons tags); joining several pieces makes a flat one.
 */
function flat(...pieces: string[]): string {
  return pieces.join('');
}

/** `<qname xsi:type="xsd:…">` (rpc/encoded scalars). */
function typedOpen(tag: ElementName, xsd: string): string {
  if (tag.typed === undefined || tag.typedXsd !== xsd) {
    tag.typed = flat('<', tag.qname, ' xsi:type="xsd:', xsd, '">');
    tag.typedXsd = xsd;
  }
  return tag.typed;
}

/** Keys of xs:any / anyType JSON written as elements (others are left out). */
const JSON_KEY = /^[A-Za-z_][\w.-]*$/;

/** `ns1`… made once: most envelopes use one or two namespaces. */
const PREFIXES = Array.from({ length: 16 }, (_, k) => `ns${k + 1}`);

class Writer {
  /**
   * The envelope's text in pieces, joined once at the end: one flat string instead of a chain of
   * `+=`. Sized up front (see `partsEstimate`) and filled by index up to `n`.
   */
  private parts: string[];
  private n = 0;
  private readonly prefixes = new Map<string, string>();
  usesXsi = false;
  constructor(readonly encoded: boolean, capacity: number) {
    this.parts = new Array<string>(capacity);
  }

  put(s: string): void {
    this.parts[this.n++] = s;
  }

  /** The pieces written so far (without the unused room); writing starts again in a new array. */
  take(): string[] {
    const parts = this.parts;
    parts.length = this.n;
    this.parts = [];
    this.n = 0;
    return parts;
  }

  /** The name of `local` in `ns` in this envelope (declaring `ns` on first use), cached under `key`. */
  name(key: object, ns: string, local: string): ElementName {
    let prefix = '';
    if (ns !== '') {
      const known = this.prefixes.get(ns);
      if (known !== undefined) prefix = known;
      else {
        prefix = PREFIXES[this.prefixes.size] ?? `ns${this.prefixes.size + 1}`;
        this.prefixes.set(ns, prefix);
      }
    }
    let entry = names.get(key);
    if (entry === undefined || entry.prefix !== prefix || entry.local !== local) {
      const qname = prefix === '' ? local : flat(prefix, ':', local);
      entry = { prefix, local, qname, open: flat('<', qname, '>'), close: flat('</', qname, '>'), nil: flat('<', qname, ' xsi:nil="true"/>'), typed: undefined, typedXsd: undefined };
      names.set(key, entry);
    }
    return entry;
  }

  fieldName(f: RField): ElementName {
    return this.name(f, f.ns, f.xml);
  }

  declarations(): string {
    let s = '';
    for (const [ns, p] of this.prefixes) s += ` xmlns:${p}="${escapeXml(ns)}"`;
    if (this.usesXsi || this.encoded) s += ` xmlns:xsi="${XSI}" xmlns:xsd="${XSD}"`;
    return s;
  }

  field(f: RField, v: unknown): void {
    if (v === undefined || f.attr) return;
    if (v === null) {
      if (f.nillable) this.nil(this.fieldName(f));
      return;
    }
    const tag = this.fieldName(f);
    if (f.wrap !== null) {
      this.put(tag.open);
      const itemTag = this.name(f.wrap, f.wrap.ns, f.wrap.xml === '*' ? 'item' : f.wrap.xml);
      for (const item of v as unknown[]) this.one(itemTag, f, item);
      this.put(tag.close);
    } else if (f.list) {
      if (Array.isArray(v)) for (const item of v) this.one(tag, f, item);
      else this.one(tag, f, v);
    } else {
      this.one(tag, f, v);
    }
  }

  private nil(tag: ElementName): void {
    this.usesXsi = true;
    this.put(tag.nil);
  }

  private one(tag: ElementName, f: RField, v: unknown): void {
    if (v === null || v === undefined) {
      this.nil(tag);
      return;
    }
    switch (f.kind) {
      case 's':
      case 'e': {
        this.put(this.encoded && f.xsd ? typedOpen(tag, f.xsd) : tag.open);
        this.put(escapeXml(f.toXml(v)));
        this.put(tag.close);
        return;
      }
      case 'o':
        this.object(tag, f.obj!, v as Record<string, unknown>);
        return;
      default:
        this.put(tag.open);
        this.json(v);
        this.put(tag.close);
    }
  }

  object(tag: ElementName, o: RObject, v: Record<string, unknown>): void {
    let attrs = '';
    for (const a of o.attrs) {
      const av = v[a.gql];
      if (av !== undefined && av !== null) attrs += ` ${this.fieldName(a).qname}="${escapeXml(a.toXml(av))}"`;
    }
    this.put(attrs === '' ? tag.open : `<${tag.qname}${attrs}>`);
    if (o.text && v[o.text.gql] !== undefined && v[o.text.gql] !== null) this.put(escapeXml(o.text.toXml(v[o.text.gql])));
    for (const f of o.fields) if (!f.attr) this.field(f, v[f.gql]);
    if (o.any && v[o.any] !== undefined && v[o.any] !== null) this.json(v[o.any]);
    this.put(tag.close);
  }

  /** JSON -> unqualified XML for xs:any / anyType inputs: keys are element names, arrays repeat. */
  json(v: unknown): void {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object') {
      this.put(escapeXml(String(v)));
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) this.json(item);
      return;
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (!JSON_KEY.test(k)) continue;
      for (const item of Array.isArray(val) ? val : [val]) {
        this.put(`<${k}>`);
        this.json(item);
        this.put(`</${k}>`);
      }
    }
  }
}

function securityHeader(s: NonNullable<EnvelopeOptions['security']>, envPrefix: string): string {
  let password: string;
  let extra = '';
  if (s.passwordType === 'PasswordDigest') {
    const nonce = randomBytes(16);
    const created = new Date().toISOString();
    password = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + s.password, 'utf8')])).digest('base64');
    extra = `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created>`;
  } else {
    password = s.password;
  }
  return `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}" ${envPrefix}:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>${escapeXml(s.username)}</wsse:Username><wsse:Password Type="${UT_PROFILE}#${s.passwordType}">${escapeXml(password)}</wsse:Password>${extra}</wsse:UsernameToken></wsse:Security>`;
}

/**
 * The caller's identity (`auth.forward.<source>`, from ctx.upstreamHeaders) as one soap:Header
 * block: `<sy:Identity xmlns:sy="urn:switchyard:identity"><sy:x-user-id>42</sy:x-user-id></sy:Identity>`.
 * Values are XML-escaped; an empty value (the caller has no such claim) leaves its element out, a
 * caller with none (anonymous) gets no block. Not mustUnderstand: a service that does not read it
 * ignores it.
 */
export function identityHeader(values: Readonly<Record<string, string>> | undefined, options: EnvelopeOptions['identityHeader']): string {
  if (!values) return '';
  let children = '';
  for (const [name, value] of Object.entries(values)) {
    // Names are checked at start-up (config); a name that is no XML name is never written.
    if (value === '' || !XML_NCNAME.test(name)) continue;
    children += `<sy:${name}>${escapeXml(value)}</sy:${name}>`;
  }
  if (!children) return '';
  const element = options?.element ?? 'Identity';
  return `<sy:${element} xmlns:sy="${escapeXml(options?.namespace ?? IDENTITY_NS)}">${children}</sy:${element}>`;
}

/**
 * Room for an envelope's pieces, so that the array holding them is not regrown while writing (the
 * regrowth allocated more than the text): three per scalar argument or list item, plus the
 * envelope's own. Objects need more, and the array then grows as usual. Capped: a very long
 * `new Array(n)` is a slow dictionary in V8.
 */
function partsEstimate(op: ROperation, args: Record<string, unknown>): number {
  let n = 8;
  for (const a of op.args) {
    const v = args[a.gql];
    if (Array.isArray(v)) n += 3 * v.length + 2;
    else if (v !== undefined) n += 3;
  }
  return Math.min(n, 16_384);
}

/** Builds the request envelope for one call; `identity`: the caller's `auth.forward` values for this source. */
export function buildEnvelope(op: ROperation, args: Record<string, unknown>, options: EnvelopeOptions, identity?: Readonly<Record<string, string>>): string {
  const p = op.plan;
  const w = new Writer(p.encoded, partsEstimate(op, args));
  // [0]: the envelope's start tag and soap:Header, written last: the body names its namespaces
  // first (ns1 for the wrapper, then the arguments', then the headers').
  w.put('');
  const wrapper = p.input.wrapper;
  let wrapperName: ElementName | undefined;
  if (wrapper) {
    wrapperName = w.name(wrapper, wrapper.ns, wrapper.local);
    let attrs = p.encoded ? ` soap:encodingStyle="${SOAPENC11}"` : '';
    for (const a of op.args) {
      const av = args[a.gql];
      if (a.attr && av !== undefined && av !== null) attrs += ` ${w.fieldName(a).qname}="${escapeXml(a.toXml(av))}"`;
    }
    w.put(attrs === '' ? wrapperName.open : `<${wrapperName.qname}${attrs}>`);
  }
  for (const a of op.args) w.field(a, args[a.gql]);
  if (wrapperName) w.put(wrapperName.close);
  w.put('</soap:Body></soap:Envelope>');
  const parts = w.take();

  let header = '';
  if (op.headers.length > 0) {
    for (const h of op.headers) w.field(h, args[h.gql]);
    header = w.take().join('');
  }
  for (const h of options.soapHeaders) header += h;
  if (options.security) header += securityHeader(options.security, 'soap');
  header += identityHeader(identity, options.identityHeader);
  const envNs = p.soapVersion === '1.2' ? SOAP12_ENV : SOAP11_ENV;
  parts[0] = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${envNs}"${w.declarations()}>${header ? `<soap:Header>${header}</soap:Header>` : ''}<soap:Body>`;
  return parts.join('');
}
